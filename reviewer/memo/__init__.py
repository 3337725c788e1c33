"""Memo writers: render a Review; they never decide.

    md    Markdown memo                     render.render_markdown
    html  self-contained, printable HTML    render.render_html
    docx  the submitted file, commented     docx_comments.annotate (the department's view)
    json  the full Review (`review schema`) Review.model_dump_json
    xlsx  findings and 评分表 for Excel      xlsx.review_workbook
    letter the 反馈函 for the department     letter.render_letter

The department's outputs (docx, letter) carry only the accepted findings once the reviewer has
decided any (review.department_view); the internal memo shows every finding with its decision.

Where each goes is decided by outputs.py (the -o rules).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from reviewer.errors import ConfigError, InputError, one_line
from reviewer.memo.atomic import write_atomic
from reviewer.memo.outputs import (
    SUFFIX,
    TEXT_FORMATS,
    OutputSpec,
    build_spec,
    check_spec,
    fit_name,
    is_protected,
    output_path,
    parse_formats,
)
from reviewer.memo.render import render_html, render_markdown
from reviewer.review import Review, department_view


def render(review: Review, fmt: str, templates: Path | None = None) -> str:
    if fmt == "md":
        return render_markdown(review, templates)
    if fmt == "html":
        return render_html(review, templates)
    if fmt == "json":
        return review.model_dump_json(indent=2)
    raise ConfigError(f"{fmt} 不是文本格式")


PDF_NO_DOCX = "这是 PDF 文件，没有可加批注的 Word 原件：-f docx（在报告原件上加批注）只能用于 .docx/.doc 报告，请改用 md、html、xlsx 或 letter"


def annotated_docx(review: Review, source: Path, author: str = "绩效审核", templates: Path | None = None) -> bytes:
    """The commented copy of the submitted file (a .doc is converted first, in a temp folder)."""
    from reviewer.ingest import CONVERTIBLE, OLE_MAGIC, looks_like_pdf
    from reviewer.ingest.convert import convert_to_docx
    from reviewer.memo.docx_comments import annotate, notes_for

    with source.open("rb") as fh:
        head = fh.read(8)
    if looks_like_pdf(head):
        raise InputError(source, PDF_NO_DOCX)
    if source.suffix.lower() in CONVERTIBLE or (head == OLE_MAGIC and source.suffix.lower() != ".docx"):
        with tempfile.TemporaryDirectory(prefix="reviewer-") as tmp:
            return annotate(convert_to_docx(source, Path(tmp)), notes_for(review, templates), author).data
    return annotate(source, notes_for(review, templates), author).data


def write_outputs(
    review: Review, source: Path, spec: OutputSpec, name: str | None = None, on_skip: Callable[[str], None] | None = None
) -> list[str]:
    """Write every requested format; returns the paths written ("-" for stdout).

    `name` overrides the file stem, for batches where two inputs share one. The annotated .docx
    re-opens the submitted package, which can fail where ingest did not: then it is skipped and
    `on_skip` gets a one-line reason, so the memo in the other formats still reaches the user; asked
    for alone, it is an InputError.
    """
    written: list[str] = []
    skipped: list[tuple[Path, InputError]] = []
    for fmt in spec.formats:
        if spec.to_stdout:
            text = render(review, fmt, spec.templates)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            written.append("-")
            continue
        path = output_path(source, fmt, spec, name)
        if is_protected(path, source, spec):
            raise ConfigError(f"{one_line(path)}: 输出会覆盖输入文件，已停止（输入文件从不修改）")
        if fmt == "docx":
            try:
                data: str | bytes = annotated_docx(department_view(review), source, spec.author, spec.templates)
            except InputError as err:
                skipped.append((path, err))
                continue
        elif fmt == "letter":
            from reviewer.memo.letter import render_letter

            data = render_letter(department_view(review), spec.templates, spec.unit, spec.date)
        elif fmt == "xlsx":
            from reviewer.memo.xlsx import review_workbook  # openpyxl loads only when asked for

            data = review_workbook(review)
        else:
            data = render(review, fmt, spec.templates)
        write_atomic(path, data)
        written.append(str(path))
    if skipped and not written:
        # A .doc is annotated through a converted copy in a temp folder: name the file given.
        raise InputError(source, skipped[0][1].problem) from skipped[0][1]
    for path, err in skipped:
        if on_skip is not None:
            on_skip(one_line(f"{source}: 未写出 {path}：{err.problem}；其他格式已写出"))
    return written
