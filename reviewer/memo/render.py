"""Render a Review with the jinja2 templates shipped in reviewer/memo/templates/."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from reviewer.findings import SEVERITY_LABEL
from reviewer.review import Review

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=4)
def _env(folder: str, autoescape: bool) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(folder)] if folder else []
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["SEVERITY_LABEL"] = SEVERITY_LABEL
    env.filters["md_cell"] = lambda s: str(s).replace("|", "\\|").replace("\n", "<br>")
    return env


def render_markdown(review: Review, templates: Path | None = None) -> str:
    return _env(str(templates or ""), False).get_template("memo.md.j2").render(review=review, report=review.report)
