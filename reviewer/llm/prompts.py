"""Prompt templates (top-level prompts/*.j2) and the prompt version recorded with every result."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import jinja2

from reviewer.resources import bundled

PROMPTS_DIR = bundled("prompts")  # top-level prompts/ in a checkout, package data in a wheel

# Markers that delimit report text in row.j2; removed from the data so it cannot close the block.
DATA_MARKERS = ("<<<", ">>>")


@lru_cache(maxsize=4)
def _env(directory: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


def prompt_version(directory: Path = PROMPTS_DIR) -> str:
    """sha256 over the names and bytes of every template, first 12 hex digits."""
    h = hashlib.sha256()
    for path in sorted(directory.glob("*.j2")):
        h.update(path.name.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:12]


def as_data(text: str) -> str:
    for marker in DATA_MARKERS:
        text = text.replace(marker, "")
    return text.strip()


def render(name: str, directory: Path = PROMPTS_DIR, **values: object) -> str:
    return _env(str(directory)).get_template(name).render(**values).strip()
