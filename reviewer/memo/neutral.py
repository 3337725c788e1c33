"""Text from a report or a model, made inert for where it is written.

Report text and model-written text (reasons, follow-up questions) are untrusted alike: in a
Markdown memo they must not become links, images or raw HTML; in a link they must not become a
`javascript:` URL; and nowhere may a control or bidi character hide, reorder or break the text
around it. (Spreadsheet cells that would be formulas: reviewer.memo.cells.)
"""

from __future__ import annotations

import re
from urllib.parse import quote

# C0 controls but tab and line feed (CR is dropped by the Markdown filter and is ordinary
# whitespace in HTML; a CSS file may carry CRLF), DEL, C1 controls (U+0085 is a line break and
# U+009B a terminal escape to some readers), line/paragraph separators, bidi marks, embeddings,
# overrides and isolates.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def show_controls(text: str) -> str:
    """Each control shown as 〔U+202E〕: visible, and CJK brackets so a following "(" cannot make
    a Markdown link."""
    return CONTROLS.sub(lambda m: f"〔U+{ord(m.group()):04X}〕", text)


# Markdown: HTML is entity-escaped; link, image and code syntax backslash-escaped.
_MD_SPECIAL = re.compile(r"([\\`\[\]()!])")


def markdown_text(text: str) -> str:
    """One line of Markdown that renders as exactly this text: no raw HTML, links, images or
    code spans."""
    s = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = s.replace("\r", "").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", s)


def href(relative_path: str) -> str:
    """A relative link, each segment percent-quoted: a file named `javascript:alert(1).docx`
    becomes `javascript%3Aalert%281%29…`, a relative path, not a scheme."""
    return "/".join(quote(part, safe="") for part in relative_path.split("/"))
