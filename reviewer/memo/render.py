"""Render the memo model with the jinja2 templates in reviewer/memo/templates/.

A `--templates DIR` folder is searched first, file by file, so a reviewer can override just the
HTML template or just the CSS. Markdown is rendered without autoescape (it is text) but report
text goes through `md`/`md_cell`, which neutralise HTML, link/image syntax, `|` and newlines; HTML
is autoescaped. In both, every `{{ … }}` output shows control and bidi characters as visible text
(see `_show_controls`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from reviewer.errors import ConfigError
from reviewer.findings import CODES, SEVERITY_LABEL, severity_label
from reviewer.memo.model import BY_LABEL, BY_SOURCE, OUTCOME_LABEL, TEMPLATES, VERDICT_LABEL, Memo, build_memo, show_value
from reviewer.memo.neutral import CONTROLS, markdown_text, show_controls
from reviewer.model import MONEY_COLUMNS
from reviewer.review import STATUS_LABEL, Review


def _md(text: object) -> str:
    """Report or model text inside a Markdown paragraph or list item: one line, no raw HTML, no
    link, image or code syntax."""
    return markdown_text(str(text if text is not None else ""))


def _md_cell(text: object) -> str:
    return _md(text).replace("|", "\\|")


def _clip(text: object, limit: int = 60) -> str:
    """A figure or a short phrase passes; a whole cell echoed back is cut (the memo shows the cell)."""
    s = str(text if text is not None else "")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _show_controls(value: object) -> object:
    """The environment's finalize: a control, bidi override, embedding or isolate from the report
    or the model would hide, break or reorder the memo text after it, so it is shown as
    〔U+202E〕 instead. Done here rather than in the filters so a template (bundled or
    --templates) that forgets `md` is covered too; the JSON memo keeps the text exactly."""
    if not isinstance(value, str) or not CONTROLS.search(value):
        return value
    shown = show_controls(value)
    return Markup(shown) if isinstance(value, Markup) else shown


def _bytecode_cache(html: bool) -> jinja2.BytecodeCache | None:
    # jinja keys cached bytecode by template name and source only, not by the environment's
    # options: a template compiled without autoescape (Markdown) must never be reused for HTML, so
    # each mode has its own file names.
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"__reviewer_{'html' if html else 'text'}_%s.cache")
    except RuntimeError:  # no private temp folder can be made: compile every time
        return None


@lru_cache(maxsize=8)
def environment(folder: str, html: bool) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if folder:
        if not Path(folder).is_dir():
            raise ConfigError(f"模板文件夹不存在：{folder}")
        loaders.append(jinja2.FileSystemLoader(folder))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Compiled templates are kept between processes (jinja's per-user 0700 folder in the temp
        # dir, checked for ownership; keyed by template source): compiling took ~0.15 s per run.
        bytecode_cache=_bytecode_cache(html),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=_show_controls,
    )
    env.globals.update(
        SEVERITY_LABEL=SEVERITY_LABEL,
        severity_label=severity_label,
        STATUS_LABEL=STATUS_LABEL,
        VERDICT_LABEL=VERDICT_LABEL,
        OUTCOME_LABEL=OUTCOME_LABEL,
        BY_LABEL=BY_LABEL,
        BY_SOURCE=BY_SOURCE,
        CODES=CODES,
        MONEY_COLUMNS=MONEY_COLUMNS,
        # The CSS goes in raw (not parsed as a template) so braces in it never confuse jinja.
        raw=lambda name: env.loader.get_source(env, name)[0],
    )
    env.filters.update(md=_md, md_cell=_md_cell, num=show_value, clip=_clip)
    return env


def _render(name: str, templates: Path | None, html: bool, **context) -> str:
    try:
        return environment(str(templates or ""), html).get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else name
        raise ConfigError(f"模板 {where} 有误：{exc}") from exc


def _memo(review: Review | Memo, templates: Path | None) -> Memo:
    return review if isinstance(review, Memo) else build_memo(review, templates)


def render_markdown(review: Review | Memo, templates: Path | None = None) -> str:
    memo = _memo(review, templates)
    return _render("memo.md.j2", templates, False, memo=memo, review=memo.review, report=memo.report, s=memo.summary)


def render_html(review: Review | Memo, templates: Path | None = None) -> str:
    memo = _memo(review, templates)
    return _render("memo.html.j2", templates, True, memo=memo, review=memo.review, report=memo.report, s=memo.summary)


def render_summary_html(rows: list, failures: list, templates: Path | None = None, title: str = "", grades: list | None = None, run: str = "") -> str:
    return _render("summary.html.j2", templates, True, rows=rows, failures=failures, title=title, grades=grades or [], run=run)
