"""From a file on disk to a `Report`: the only place that opens submitted documents."""

from __future__ import annotations

import tempfile
from pathlib import Path

from reviewer.errors import InputError
from reviewer.ingest.convert import convert_to_docx
from reviewer.ingest.docx_grid import Body, check_package, read_body
from reviewer.ingest.hunan_form import read_report as read_hunan_form
from reviewer.ingest.layouts import detect, known_layouts
from reviewer.ingest.table_form import read_table_form
from reviewer.model import Report

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, and encrypted .docx
PDF_MAGIC = b"%PDF"


def looks_like_pdf(head: bytes) -> bool:
    """A PDF by its first bytes: the one test every caller uses."""
    return head.startswith(PDF_MAGIC)
CONVERTIBLE = {".doc", ".wps", ".rtf", ".odt"}
# What departments send instead of the Word report, and what the reviewer should ask for.
ASK_FOR_DOCX = "请向部门索取自评报告的 Word 原件（.docx）"
WRONG_KIND = {
    ".ofd": f"这是 OFD 版式文件，表格无法读回：{ASK_FOR_DOCX}",
    ".xls": f"这是 Excel 表格，不是自评报告：{ASK_FOR_DOCX}",
    ".xlsx": f"这是 Excel 表格，不是自评报告：{ASK_FOR_DOCX}",
    ".et": f"这是 WPS 表格，不是自评报告：{ASK_FOR_DOCX}",
}
WPS_HINT = "WPS 文字文件请部门用“另存为”存成 Word 文档（.docx）后提交"

__all__ = ["load_report", "load_body", "InputError"]


def _check_file(path: Path) -> bytes:
    if not path.exists():
        raise InputError(path, "文件不存在")
    if path.is_dir():
        raise InputError(path, "这是一个文件夹，不是报告文件")
    if not path.is_file():
        # Opening a FIFO or a device would block or read forever.
        raise InputError(path, "不是普通文件（管道、设备或套接字），已拒绝")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(path, f"无法读取文件：{exc.strerror or exc}") from exc
    if not head:
        raise InputError(path, "文件为空（0 字节）")
    if path.suffix.lower() in WRONG_KIND:
        raise InputError(path, WRONG_KIND[path.suffix.lower()])
    return head


def is_pdf(path: Path) -> bool:
    """A PDF by its bytes (or, when it cannot be read, by its name)."""
    try:
        with Path(path).open("rb") as fh:
            return looks_like_pdf(fh.read(len(PDF_MAGIC)))
    except OSError:
        return Path(path).suffix.lower() == ".pdf"


def load_body(path: Path) -> Body:
    head = _check_file(path)
    suffix = path.suffix.lower()
    pdf = looks_like_pdf(head)
    if pdf or suffix == ".pdf":
        if not pdf:
            raise InputError(path, "不是有效的 PDF 文件（内容不是 PDF 格式）")
        from reviewer.ingest.pdf_grid import read_pdf  # pdfplumber only for PDFs

        return read_pdf(path)
    if suffix in CONVERTIBLE or (head == OLE_MAGIC and suffix != ".docx"):
        if head.startswith(b"PK"):  # .odt: its parts are capped before LibreOffice parses them
            check_package(path)
        with tempfile.TemporaryDirectory(prefix="reviewer-") as tmp:
            return read_body(convert_to_docx(path, Path(tmp)))
    if head == OLE_MAGIC:
        raise InputError(path, "文件受密码保护或是改了扩展名的旧版 .doc：请去除密码，或另存为 .docx 后重试")
    if not head.startswith(b"PK"):
        raise InputError(path, "不是 .docx 文件（内容不是 Word 文档格式）")
    return read_body(path)


def load_report(path: str | Path) -> Report:
    path = Path(path)
    if path.suffix.lower() == ".wps":
        try:
            return _load_report(path)
        except InputError as err:
            raise InputError(path, f"{err.problem}；{WPS_HINT}") from err
    return _load_report(path)


def _load_report(path: Path) -> Report:
    body = load_body(path)
    if not body.grids and not any(p.text.strip() for p in body.paragraphs):
        raise InputError(path, "文档为空：没有正文也没有表格")
    layout, scores = detect(body)
    if layout is None:
        nearest, share = scores[0]
        near = f"（最接近 {nearest.name}，但只找到其 {share:.0%} 的栏目）" if share > 0 else "（未找到任何已知格式的栏目）"
        raise InputError(path, f"不是已知格式的绩效自评表{near}；支持的格式：{known_layouts()}")
    if layout.reader == "hunan-form":
        report = read_hunan_form(body, source=path.name)
    else:
        report = read_table_form(body, layout, source=path.name)
    if getattr(body, "page_count", 0):  # a PDF: every location gets its page
        from reviewer.ingest.pdf_grid import locate

        report = locate(report, body)
    return report
