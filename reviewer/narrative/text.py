"""Character-level helpers shared by the rules: folding that keeps offsets, and splitting a cell
into sentences or comma pieces with their spans.

Every span the rules report is an offset into the cell text as given, so folding must never
change a string's length.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

SENTENCE_ENDS = frozenset("。；;！？!?\n")
PIECE_ENDS = SENTENCE_ENDS | frozenset("，,")
# Commas inside a title or a quotation do not end a piece: 《抢抓大机遇，主攻大项目》 is one name.
OPENERS = {"《": "》", "“": "”", "「": "」", "(": ")", "（": "）", "〈": "〉"}
CLOSERS = frozenset(OPENERS.values())
# Cells longer than this are read only this far: real completions are a few hundred characters,
# the 总体运行情况 a few thousand, and a pasted-in document must not stall a batch.
MAX_COMPLETION_CHARS = 10_000
PUNCTUATION = frozenset("，,。；;：:！？!?、…—-·.“”\"'‘’《》〈〉「」()（）[]【】 \t\r\n\u3000")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch  # "⑩" → "10" would shift every later offset


@lru_cache(maxsize=512)  # the same cells are folded by several rules
def fold(text: str) -> str:
    """NFKC per character (１５ → 15, ％ → %, ＜ → <), same length as the input."""
    return "".join(_fold_char(c) for c in text)


_HALFWIDTH = str.maketrans({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)})


def halfwidth(text: str) -> str:
    """Full-width ASCII (１５．３％) to ASCII, nothing else, same length as the input.

    Narrower than `fold`: a statement's figure pattern must not read "①" or "²" as a digit, which
    NFKC would make of them. Only needed to turn a matched figure into a float: the patterns accept
    both widths, so long narrative paragraphs are never rewritten."""
    return text.translate(_HALFWIDTH)


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    text: str


def split(text: str, ends: frozenset[str] = PIECE_ENDS) -> list[Piece]:
    """Pieces between separators, outside brackets and quotes; spans trimmed of whitespace."""
    pieces: list[Piece] = []
    depth: list[str] = []
    start = 0

    def close(end: int) -> None:
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and content_length(text[s:e]):
            pieces.append(Piece(s, e, text[s:e]))

    for i, ch in enumerate(text):
        if ch in OPENERS:
            depth.append(OPENERS[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
        elif ch in ends and (not depth or ch == "\n") and not _thousands_comma(text, i):
            depth.clear()  # an unclosed quote must not swallow the rest of the cell
            close(i + (ch != "\n" and ch not in "，,"))  # keep 。 with its sentence
            start = i + 1
    close(len(text))
    return pieces


def _thousands_comma(text: str, i: int) -> bool:
    """"1,500批次": an ASCII comma between a digit and exactly three digits groups thousands."""
    return (
        text[i] == ","
        and i > 0 and text[i - 1].isdigit()
        and text[i + 1 : i + 4].isdigit() and len(text[i + 1 : i + 4]) == 3
        and not text[i + 4 : i + 5].isdigit()
    )


def sentences(text: str) -> list[Piece]:
    return split(text, SENTENCE_ENDS)


def content_length(text: str) -> int:
    """Characters that carry meaning: not punctuation or whitespace."""
    return sum(1 for c in text if c not in PUNCTUATION)


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def squash(text: str) -> str:
    """Folded, with no whitespace: for comparing labels and marks written with stray spaces."""
    return "".join(c for c in fold(text) if not c.isspace())


def excerpt(text: str, limit: int) -> str:
    """`text` stripped and cut to at most `limit` characters, "…" marking a cut (for messages)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
