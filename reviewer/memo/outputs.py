"""Where memos go: the rules behind `-o`, decided once before any report is read.

    -o omitted            next to each input: report.review.md (a batch adds summary files in the
                          current folder)
    -o -                  stdout: one text format (md, html, json), one report
    -o memo.html          one input, one format: that file; without -f the format comes from the
                          extension (.md .html .json .docx .xlsx)
    -o out/  or  -o out   a folder (created) when the path ends in "/", is an existing folder, has
                          no extension, or when several files are written (formats or inputs)

A path that names a file (it has a memo extension) but would have to hold several outputs is refused
rather than turned into a folder of that name; so is an extension that contradicts `-f`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.errors import ConfigError

SUFFIX = {
    "md": ".review.md",
    "html": ".review.html",
    "docx": ".review.docx",
    "json": ".review.json",
    "xlsx": ".review.xlsx",
    "letter": ".反馈函.docx",
}
TEXT_FORMATS = ("md", "html", "json")
BINARY_FORMATS = ("docx", "xlsx", "letter")
DEFAULT_FORMAT = "md"
# The format a file name's extension asks for (a .docx is the annotated copy; the 反馈函 is asked
# for with -f letter), and the extensions each format may be written under.
EXTENSION_FORMAT = {
    ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json", ".docx": "docx", ".xlsx": "xlsx",
}
FORMAT_EXTENSIONS = {
    fmt: tuple(ext for ext, f in EXTENSION_FORMAT.items() if f == fmt) for fmt in SUFFIX if fmt != "letter"
} | {"letter": (".docx",)}
# File names are at most 255 bytes on common filesystems; write_atomic adds a temp prefix and suffix.
MAX_NAME_BYTES = 200


@dataclass
class OutputSpec:
    """Where and how to write: formats, `output` (None = next to the input, "-" = stdout, else a
    file or folder), an optional template folder, whether several inputs share `output`, and the
    resolved paths of every input (never written to)."""

    formats: list[str]
    output: str | None = None
    templates: Path | None = None
    multiple: bool = False
    protected: frozenset[str] = field(default_factory=frozenset)
    author: str = "绩效审核"  # Word comments' author (annotated .docx)
    unit: str | None = None  # 审核单位 signing the 反馈函
    date: str | None = None  # the 反馈函's date (default today)

    @property
    def to_stdout(self) -> bool:
        return self.output == "-"

    @property
    def to_folder(self) -> bool:
        """`output` names a folder (only meaningful when it is a path)."""
        if self.output is None or self.to_stdout:
            return False
        out = Path(self.output)
        return (
            self.multiple
            or len(self.formats) > 1
            or self.output.endswith(("/", "\\"))
            or out.is_dir()
            or not out.suffix
        )


def parse_formats(text: str) -> list[str]:
    formats = list(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in SUFFIX]
    if unknown or not formats:
        raise ConfigError(f"未知的输出格式 {', '.join(unknown) or text!r}（可选：{', '.join(SUFFIX)}）")
    return formats


def build_spec(
    fmt: str | None,
    output: str | None,
    templates: Path | None = None,
    batch: bool = False,
    inputs: list[Path] | None = None,
) -> OutputSpec:
    """The OutputSpec for the options as typed (`fmt` None = -f not given); ConfigError when they
    cannot all be honoured. A batch always writes HTML memos too: the summary links to them."""
    formats = parse_formats(fmt) if fmt is not None else None
    if output not in (None, "-") and formats is None and not batch:
        ext = Path(output).suffix.lower()
        if ext in EXTENSION_FORMAT and not output.endswith(("/", "\\")) and not Path(output).is_dir():
            formats = [EXTENSION_FORMAT[ext]]
    formats = formats or [DEFAULT_FORMAT]
    if batch and output != "-" and "html" not in formats:
        formats = [*formats, "html"]
    spec = OutputSpec(
        formats=formats,
        output=output,
        templates=templates,
        multiple=batch,
        protected=frozenset(str(p.resolve()) for p in inputs or []),
    )
    check_spec(spec)
    return spec


def check_spec(spec: OutputSpec) -> None:
    """Reject impossible combinations before any file is reviewed."""
    parse_formats(",".join(spec.formats))
    if spec.templates is not None and not spec.templates.is_dir():
        raise ConfigError(f"模板文件夹不存在：{spec.templates}")
    if spec.to_stdout:
        binary = [f for f in spec.formats if f in BINARY_FORMATS]
        if binary:
            what = "反馈函" if binary[0] == "letter" else f".{binary[0]}"
            raise ConfigError(f"-o - 只能输出文本格式（md、html、json）；{what} 请用 -o 指定文件或文件夹")
        if len(spec.formats) > 1:
            raise ConfigError(f"-o - 一次只能输出一种格式（收到 {', '.join(spec.formats)}）；多种格式请用 -o 指定文件夹")
        if spec.multiple:
            raise ConfigError("-o - 只能用于一份报告；批量审核请用 -o 指定文件夹")
        return
    if spec.output is None:
        return
    out = Path(spec.output)
    ext = out.suffix.lower()
    if spec.to_folder:
        if ext in EXTENSION_FORMAT and not out.is_dir() and not spec.output.endswith(("/", "\\")):
            many = "多份报告" if spec.multiple else f"{len(spec.formats)} 种格式（{', '.join(spec.formats)}）"
            raise ConfigError(f"-o {spec.output} 是文件名，但要写出 {many}：请用 -o 指定文件夹（如 {out.with_suffix('')}/）")
        if out.exists() and not out.is_dir():
            raise ConfigError(f"-o {spec.output} 是已有的文件，不是文件夹")
        return
    if ext in EXTENSION_FORMAT and ext not in FORMAT_EXTENSIONS[spec.formats[0]]:
        raise ConfigError(f"-o {spec.output} 的扩展名 {ext} 与输出格式 {spec.formats[0]} 不符")


def fit_name(stem: str, suffix: str, limit: int = MAX_NAME_BYTES) -> str:
    """`stem + suffix`, with the stem cut and tagged with a hash of the whole when the name would be
    too long for the filesystem (two long names sharing a prefix still get different files)."""
    name = stem + suffix
    if len(name.encode("utf-8")) <= limit:
        return name
    tag = "-" + hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    room = limit - len((tag + suffix).encode("utf-8"))
    cut = stem
    while len(cut.encode("utf-8", "surrogatepass")) > room:
        cut = cut[:-1]
    return cut + tag + suffix


def output_path(source: Path, fmt: str, spec: OutputSpec, name: str | None = None) -> Path:
    filename = fit_name(name or source.stem, SUFFIX[fmt])
    if spec.output is None:
        return source.with_name(filename)
    out = Path(spec.output)
    if spec.to_folder:
        return out / filename
    return out


def is_protected(path: Path, source: Path, spec: OutputSpec) -> bool:
    """An output may never replace an input (this one or any other of the run)."""
    resolved = str(path.resolve())
    return resolved == str(source.resolve()) or resolved in spec.protected
