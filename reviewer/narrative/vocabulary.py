"""The word lists the narrative rules read (reviewer/data/*.yaml), loaded once per process.

Lists live in data files so reviewers can extend them without touching code; this module only
turns them into compiled patterns and lookup tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from reviewer.yamlio import load_yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PHRASES_FILE = DATA_DIR / "stock_phrases.yaml"
SCORE_MAP_FILE = DATA_DIR / "score_evidence.yaml"


@dataclass(frozen=True)
class ScoreRule:
    score: dict[str, str]  # ScoreRow field (level1/level2/level3) → text it must contain
    targets: dict[str, str]  # TargetRow field (category/kind) → text it must contain


@dataclass(frozen=True)
class Vocabulary:
    stock_phrases: tuple[str, ...]
    stock_patterns: tuple[re.Pattern[str], ...]
    approximate_words: tuple[str, ...]  # longest first, so "一大批" wins over "一批"
    approximate_suffixes: tuple[str, ...]
    approximate_prefixes: tuple[str, ...]
    template_markers: tuple[str, ...]
    template_max_chars: int
    empty_marks: frozenset[str]
    time_words_vague: tuple[str, ...]
    deadline_words: dict[str, int]
    action_groups: dict[str, str]  # verb → group
    stop_chars: frozenset[str]
    unit_of_alias: dict[str, str]  # spelling → canonical unit
    unit_aliases: tuple[str, ...]  # every spelling, longest first (for the figure regex)
    specific_units: frozenset[str]
    money_units: dict[str, float]  # canonical unit → how many 元
    scaled_units: dict[str, tuple[str, float]]  # unit → (base unit, how many of it)
    score_rules: tuple[ScoreRule, ...]


def base_unit(unit: str) -> tuple[str, float]:
    """(the unit figures in `unit` compare in, the factor to it): 万元 → (元, 10000), 场 → (场, 1)."""
    return vocabulary().scaled_units.get(unit, (unit, 1.0))


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


def _load_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        data = load_yaml(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping at the top level")
    return data


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    phrases = _load_yaml(PHRASES_FILE)
    score_map = _load_yaml(SCORE_MAP_FILE)
    unit_of_alias = {
        alias: canonical for canonical, aliases in phrases["units"].items() for alias in [canonical, *aliases]
    }
    actions = {verb: group for group, verbs in phrases["action_groups"].items() for verb in verbs}
    return Vocabulary(
        stock_phrases=_longest_first(phrases["stock_phrases"]),
        stock_patterns=tuple(re.compile(p) for p in phrases["stock_patterns"]),
        approximate_words=_longest_first(phrases["approximate_words"]),
        approximate_suffixes=tuple(phrases["approximate_suffixes"]),
        approximate_prefixes=_longest_first(phrases["approximate_prefixes"]),
        template_markers=_longest_first(phrases["template_markers"]),
        template_max_chars=int(phrases["template_max_chars"]),
        empty_marks=frozenset(phrases["empty_marks"]),
        time_words_vague=_longest_first(phrases["time_words_vague"]),
        deadline_words={str(k): int(v) for k, v in phrases["deadline_words"].items()},
        action_groups=actions,
        stop_chars=frozenset(phrases["stop_chars"]),
        unit_of_alias=unit_of_alias,
        unit_aliases=_longest_first(unit_of_alias),
        specific_units=frozenset(phrases["specific_units"]),
        money_units={str(k): float(v) for k, v in phrases["money_units"].items()},
        scaled_units={str(k): (str(v[0]), float(v[1])) for k, v in phrases.get("scaled_units", {}).items()},
        score_rules=tuple(ScoreRule(score=dict(r["score"]), targets=dict(r["targets"])) for r in score_map["rules"]),
    )
