"""Memo writers: render a Review; they never decide.

    md    Markdown memo                     render.render_markdown
    html  self-contained, printable HTML    render.render_html
    docx  the submitted file, commented     docx_comments.annotate (the department's view)
    json  the full Review (`review schema`) Review.model_dump_json
    letter the 反馈函 for the department     letter.render_letter
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reviewer.errors import ConfigError, InputError, one_line
from reviewer.memo.atomic import write_atomic
from reviewer.memo.render import render_html, render_markdown
from reviewer.review import Review

SUFFIX = {"md": ".review.md", "html": ".review.html", "docx": ".review.docx", "json": ".review.json", "letter": ".反馈函.docx"}
BINARY_FORMATS = ("docx", "letter")
TEXT_FORMATS = ("md", "html", "json")


@dataclass
class OutputSpec:
    """Where and how to write: formats, `output` (None = next to the input, "-" = stdout, else a
    file or folder), an optional template folder, and whether several inputs share `output`."""

    formats: list[str]
    output: str | None = None
    templates: Path | None = None
    multiple: bool = False
    author: str = "绩效审核"  # Word comments' author (annotated .docx)
    unit: str | None = None  # 审核单位 signing the 反馈函
    date: str | None = None  # the 反馈函's date (default today)

    @property
    def to_stdout(self) -> bool:
        return self.output == "-"


def parse_formats(text: str) -> list[str]:
    formats = list(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in SUFFIX]
    if unknown or not formats:
        raise ConfigError(f"未知的输出格式 {', '.join(unknown) or text!r}（可选：{', '.join(SUFFIX)}）")
    return formats


def check_spec(spec: OutputSpec) -> None:
    """Reject impossible combinations before any file is reviewed."""
    parse_formats(",".join(spec.formats))
    if spec.to_stdout and any(f in BINARY_FORMATS for f in spec.formats):
        raise ConfigError("-o - 只能输出文本格式（md、html、json）；.docx 和反馈函请用 -o 指定文件夹")
    if spec.templates is not None and not spec.templates.is_dir():
        raise ConfigError(f"模板文件夹不存在：{spec.templates}")


def render(review: Review, fmt: str, templates: Path | None = None) -> str:
    if fmt == "md":
        return render_markdown(review, templates)
    if fmt == "html":
        return render_html(review, templates)
    if fmt == "json":
        return review.model_dump_json(indent=2)
    raise ConfigError(f"{fmt} 不是文本格式")


def annotated_docx(review: Review, source: Path, author: str = "绩效审核", templates: Path | None = None) -> bytes:
    """The commented copy of the submitted file (a .doc is converted first, in a temp folder)."""
    from reviewer.ingest import CONVERTIBLE, OLE_MAGIC
    from reviewer.ingest.convert import convert_to_docx
    from reviewer.memo.docx_comments import annotate, notes_for

    with source.open("rb") as fh:
        head = fh.read(8)
    if source.suffix.lower() in CONVERTIBLE or (head == OLE_MAGIC and source.suffix.lower() != ".docx"):
        with tempfile.TemporaryDirectory(prefix="reviewer-") as tmp:
            return annotate(convert_to_docx(source, Path(tmp)), notes_for(review, templates), author).data
    return annotate(source, notes_for(review, templates), author).data


def output_path(source: Path, fmt: str, spec: OutputSpec, name: str | None = None) -> Path:
    name = (name or source.stem) + SUFFIX[fmt]
    if spec.output is None:
        return source.with_name(name)
    out = Path(spec.output)
    if spec.multiple or len(spec.formats) > 1 or out.is_dir() or spec.output.endswith(("/", "\\")):
        return out / name
    return out


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
        if path.resolve() == source.resolve():
            raise ConfigError(f"{path}: 输出会覆盖原文件，已停止（原文件从不修改）")
        if fmt == "docx":
            try:
                data: str | bytes = annotated_docx(review, source, spec.author, spec.templates)
            except InputError as err:
                skipped.append((path, err))
                continue
        elif fmt == "letter":
            from reviewer.memo.letter import render_letter

            data = render_letter(review, spec.templates, spec.unit, spec.date)
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
