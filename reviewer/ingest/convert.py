"""Convert a legacy .doc (or a .wps/.rtf/.odt) to .docx with LibreOffice, in a temp dir, sandboxed.

A submitted file is hostile until shown otherwise, and LibreOffice will fetch a linked image or
section from wherever the file says. So the conversion runs
- with no network: in a fresh network namespace (`unshare -n`, or `unshare -rn` as a user) where
  the kernel allows it; and always with a profile that blocks remote links and link updates and
  disables macros, for machines where it does not;
- with a private, temporary profile (parallel conversions never share one, the user's is never
  touched);
- in its own process group, killed as a whole on timeout, so no soffice.bin is left orphaned.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from reviewer.errors import InputError

CONVERT_TIMEOUT_S = 120
INSTALL_HINT = "需要 LibreOffice 才能读取该格式：apt-get install libreoffice-writer（或另存为 .docx 后重试）"

# Written into the private profile before LibreOffice starts. Unknown settings are ignored by
# older versions, so the list can name the newer ones too.
_PROFILE_SETTINGS = [
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),  # remote images
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableActiveContent", "true"),  # 7.6+: links, OLE, DDE
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "2"),  # never update linked content
    ("/org.openoffice.Office.Common/Misc", "UseDocumentSystemFileLocking", "false"),
]


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@lru_cache(maxsize=1)
def no_network_prefix() -> tuple[str, ...]:
    """The command prefix that runs a program without network, or () where none works here."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    for prefix in ((unshare, "-n"), (unshare, "-rn")):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.SubprocessError):
            continue
    return ()


def _write_profile(profile: Path) -> None:
    items = "\n".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>'
        for path, name, value in _PROFILE_SETTINGS
    )
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + items + "\n</oor:items>\n",
        encoding="utf-8",
    )


def _lift_memory_limit() -> None:
    """In the child, before exec: LibreOffice is not held to the reviewing process's budget
    (reviewer.budget lowers only the soft limit)."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (resource.getrlimit(resource.RLIMIT_AS)[1],) * 2)
    except (ImportError, ValueError, OSError):
        pass


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def convert_to_docx(path: Path, workdir: Path) -> Path:
    soffice = find_soffice()
    if soffice is None:
        raise InputError(path, INSTALL_HINT)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=workdir))
    _write_profile(profile)
    cmd = [
        *no_network_prefix(),
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        str(workdir),
        str(path.resolve()),
    ]
    env = {**os.environ, "HOME": str(profile)}
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env, start_new_session=True,  # its own process group, to kill as one
                                preexec_fn=_lift_memory_limit)
    except OSError as exc:
        raise InputError(path, f"无法启动 LibreOffice：{exc}") from exc
    try:
        proc.wait(timeout=CONVERT_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise InputError(path, f"LibreOffice 转换超时（{CONVERT_TIMEOUT_S} 秒）") from exc
    finally:
        _kill_group(proc)  # also any helper it left behind after a normal exit
    out = workdir / (path.stem + ".docx")
    if not out.exists():
        raise InputError(path, "LibreOffice 未能转换该文件（文件损坏或受密码保护？）")
    return out
