"""Exceptions that cross module boundaries.

    ReviewerError            anything the CLI turns into a one-line message
    ├── InputError           the file cannot be reviewed (missing, not a .docx, not this form) → exit 2
    └── ConfigError          a rubric, template folder or option is wrong → exit 2

Failed checks are findings (data), never exceptions. Foreign errors (zipfile, lxml, python-docx,
openai) are translated once, at the boundary that met them, and chained with `from exc`.
"""

from __future__ import annotations

import re
from pathlib import Path

# Line breaks and other C0/C1 controls split or garble the one line a user sees; bidi overrides and
# isolates reorder it on a terminal. They are shown escaped, repr-style. Backslashes are left alone
# so Windows paths stay readable.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: object) -> str:
    """`text` (a path, an error message) with control, line-separator and bidi characters escaped."""
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], str(text))


class ReviewerError(Exception):
    """Base class: `str(err)` is the one line a user sees."""


class InputError(ReviewerError):
    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{one_line(self.path)}: {problem}")


class ConfigError(ReviewerError):
    pass
