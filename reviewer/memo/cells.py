"""Cells of the tables people open in Excel (summary.csv/.xlsx, decisions .csv, memo .xlsx).

A cell that starts with = + - @ (or tab / CR) is a formula to Excel, even inside a CSV: report text
or a file name like `=HYPERLINK(…)` would run when the reviewer opens the table. Such text is
written with a leading apostrophe, which Excel shows as plain text; plain numbers ("-3", "2.5")
cannot be formulas and are left alone. Every table writer goes through `safe_cell`.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: object) -> object:
    if not isinstance(value, str) or not value.startswith(FORMULA_START) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def read_cell(text: str) -> str:
    """A cell as the reviewer meant it: undo `safe_cell`'s apostrophe."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
