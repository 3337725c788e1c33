"""Exceptions that cross module boundaries.

    ReviewerError            anything the CLI turns into a one-line message
    ├── InputError           the file cannot be reviewed (missing, not a .docx, not this form) → exit 2
    └── ConfigError          a rubric, template folder or option is wrong → exit 2

Failed checks are findings (data), never exceptions. Foreign errors (zipfile, lxml, python-docx,
openai) are translated once, at the boundary that met them, and chained with `from exc`.
"""

from __future__ import annotations

from pathlib import Path


class ReviewerError(Exception):
    """Base class: `str(err)` is the one line a user sees."""


class InputError(ReviewerError):
    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ConfigError(ReviewerError):
    pass
