"""Bad input: one line naming the file and the problem, exit code 2, no traceback."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import SEED_DOCX


def run_review(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def _docx_with(document_xml: str | None, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(SEED_DOCX) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "word/document.xml":
                if document_xml is not None:
                    dst.writestr(item, document_xml)
            else:
                dst.writestr(item, src.read(item))
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return buf.getvalue()


EMPTY_BODY = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p/></w:body></w:document>'
)
OTHER_DOC = EMPTY_BODY.replace("<w:p/>", "<w:p><w:r><w:t>会议纪要：关于食堂菜单调整的通知</w:t></w:r></w:p>")


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


CASES = {
    "missing.docx": (None, "文件不存在"),
    "renamed.docx": ("这不是 Word 文件，只是改了扩展名的文本。".encode(), "不是 .docx 文件"),
    "nodoc.docx": (_plain_zip(), "没有 word/document.xml"),
    "truncated.docx": (SEED_DOCX.read_bytes()[: 20_000], "不是有效的 .docx"),
    "locked.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "密码保护"),
    "zero.docx": (b"", "文件为空"),
    "empty.docx": (_docx_with(EMPTY_BODY), "文档为空"),
    "notform.docx": (_docx_with(OTHER_DOC), "不是已知格式的绩效自评表"),
    "badxml.docx": (_docx_with("<w:document><w:body><w:p>"), "XML 已损坏"),
}


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("command", [["extract"], []])
def test_bad_input_one_line_exit_2(tmp_path: Path, name: str, command: list[str]):
    data, problem = CASES[name]
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    proc = run_review(*command, name, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert name in lines[0] and problem in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not list(tmp_path.glob("*.review.*"))


def test_doc_without_libreoffice_says_how_to_get_it(tmp_path: Path):
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    env_path = tmp_path / "bin"
    env_path.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "reviewer", "extract", str(path)],
        capture_output=True,
        text=True,
        env={"PATH": str(env_path), "HOME": str(tmp_path)},
        timeout=60,
    )
    assert proc.returncode == 2
    assert "old.doc" in proc.stderr and "apt-get install libreoffice-writer" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unusual_form_still_gives_a_memo(tmp_path: Path):
    """A section missing is not an error: the memo lists what was not found."""
    with zipfile.ZipFile(SEED_DOCX) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    # Remove the 评价等次 label: the form is unusual, not unreadable.
    xml = xml.replace("评价等次", "等次评定", 1)
    path = tmp_path / "unusual.docx"
    path.write_bytes(_docx_with(xml))
    proc = run_review(path.name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    memo = (tmp_path / "unusual.review.md").read_text(encoding="utf-8")
    assert "评价等次" in memo and "未找到" in memo
