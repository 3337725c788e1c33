"""Convert a legacy .doc (or a .wps/.rtf/.odt) to .docx with LibreOffice, in a temp dir."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from reviewer.errors import InputError

CONVERT_TIMEOUT_S = 120
INSTALL_HINT = "需要 LibreOffice 才能读取该格式：apt-get install libreoffice-writer（或另存为 .docx 后重试）"


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(path: Path, workdir: Path) -> Path:
    soffice = find_soffice()
    if soffice is None:
        raise InputError(path, INSTALL_HINT)
    # A private profile dir lets conversions run in parallel and never touches the user's profile.
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=workdir))
    cmd = [
        soffice,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        str(workdir),
        str(path.resolve()),
    ]
    try:
        subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False, env={**os.environ, "HOME": str(profile)})
    except subprocess.TimeoutExpired as exc:
        raise InputError(path, f"LibreOffice 转换超时（{CONVERT_TIMEOUT_S} 秒）") from exc
    except OSError as exc:
        raise InputError(path, f"无法启动 LibreOffice：{exc}") from exc
    out = workdir / (path.stem + ".docx")
    if not out.exists():
        raise InputError(path, "LibreOffice 未能转换该文件（文件损坏或受密码保护？）")
    return out
