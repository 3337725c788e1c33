"""The shared lexicon (reviewer/data/lexicon.yaml), loaded once per process.

Every reader that needs a word list asks here, so the Hunan narrative rules and the national-form
readers cannot drift apart on what a word means.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reviewer.yamlio import load_yaml

LEXICON_FILE = Path(__file__).resolve().parent / "data" / "lexicon.yaml"


@lru_cache(maxsize=1)
def lexicon() -> dict:
    with LEXICON_FILE.open(encoding="utf-8") as fh:
        return load_yaml(fh) or {}


def words(key: str) -> tuple[str, ...]:
    """One list of the lexicon, longest word first (so a longer word wins a match)."""
    return tuple(sorted(set(lexicon().get(key) or ()), key=lambda w: (-len(w), w)))


def lower_is_better(name: str) -> bool:
    """Whether what `name` counts is better kept down (costs, failures, control rates)."""
    return any(w in name for w in words("lower_is_better"))
