"""Memo writers: render a Review; they never decide."""

from __future__ import annotations

import sys
from pathlib import Path

from reviewer.errors import ConfigError
from reviewer.memo.atomic import write_atomic
from reviewer.memo.render import render_markdown
from reviewer.review import Review

SUFFIX = {"md": ".review.md", "json": ".review.json"}


def render(review: Review, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(review)
    if fmt == "json":
        return review.model_dump_json(indent=2)
    raise ConfigError(f"未知的输出格式 {fmt!r}（可选：{', '.join(SUFFIX)}）")


def output_path(source: Path, fmt: str, output: str | None, multiple: bool, n_formats: int) -> Path:
    name = source.stem + SUFFIX[fmt]
    if output is None:
        return source.with_name(name)
    out = Path(output)
    if multiple or n_formats > 1 or out.is_dir() or output.endswith(("/", "\\")):
        return out / name
    return out


def write_outputs(review: Review, source: Path, formats: list[str], output: str | None, multiple: bool = False) -> list[str]:
    for fmt in formats:
        if fmt not in SUFFIX:
            raise ConfigError(f"未知的输出格式 {fmt!r}（可选：{', '.join(SUFFIX)}）")
    written: list[str] = []
    for fmt in formats:
        text = render(review, fmt)
        if output == "-":
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            written.append("-")
            continue
        path = output_path(source, fmt, output, multiple, len(formats))
        write_atomic(path, text)
        written.append(str(path))
    return written
