"""Form layouts as data (reviewer/data/layouts/*.yaml) and detection by their labels.

A layout names the labels that recognise it (`markers`), the locator that reads it (`reader`), the
rubric file that scores it, where its total is, and — only where its variant prints a word the shared
role vocabulary (reviewer/data/header_roles.yaml) lacks — extra words for a role. Detection scores
every known layout on the labels a file contains (the share of its markers found): a layout of the
form's own above its threshold wins, then the generic 自评表 when the file has an indicator table,
then the Hunan form; a file with none of these is refused with one line naming the layouts the tool
knows.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.errors import ConfigError
from reviewer.ingest.docx_grid import Body
from reviewer.numbers import squash
from reviewer.yamlio import load_yaml

LAYOUT_DIR = Path(__file__).resolve().parent.parent / "data" / "layouts"

# How much of a file is read for detection: a form's labels sit in its first tables and
# paragraphs; a 10,000-row table must not be scanned to find them.
SCAN_PARAGRAPHS = 50
SCAN_GRIDS = 5
SCAN_ROWS = 80
SCAN_CHARS = 200_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


FundingRole = Literal["initial", "budget", "spent", "points", "rate", "score", "reason"]


class FundingSpec(_Strict):
    """Words this variant adds to the shared vocabulary (reviewer/data/header_roles.yaml)."""

    anchor: list[str] = Field(default_factory=list)
    total_row: list[str] = Field(default_factory=list)
    columns: dict[FundingRole, list[str]] = Field(default_factory=dict)


class PairSpec(_Strict):
    anchor: list[str] = Field(default_factory=list)
    name: list[str] = Field(default_factory=list)
    expected: list[str] = Field(default_factory=list)
    actual: list[str] = Field(default_factory=list)


IndicatorColumn = Literal[
    "level1", "level2", "level3", "target", "initial_target", "adjusted_target", "actual", "points", "score",
    "coefficient", "comparator", "unit", "reason", "core",
]


class IndicatorSpec(_Strict):
    columns: dict[IndicatorColumn, list[str]] = Field(default_factory=dict)
    total_row: list[str] = Field(default_factory=list)


FieldName = Literal[
    "department", "project", "implementer", "contact", "phone", "staff_quota", "staff_actual",
    "staff_in_service", "duties",
]


class Layout(_Strict):
    name: str
    title: str
    reader: Literal["hunan-form", "table-form"]
    rubric: str | None = None  # file name in rubric/
    markers: list[str] = Field(default_factory=list)
    threshold: float = Field(default=0.6, gt=0, le=1)
    # The generic 自评表: taken when no layout's markers pass and the file has an indicator table.
    generic: bool = False
    # Where the form's total is: a 总分/合计 row under the indicators, a label at the top (重庆
    # 自评总分), or whichever is found ("auto").
    total: Literal["auto", "row", "top"] = "auto"
    fields: dict[FieldName, list[str]] = Field(default_factory=dict)
    funding: FundingSpec | None = None
    tasks: PairSpec | None = None
    goals: PairSpec | None = None
    indicators: IndicatorSpec | None = None
    conclusion: list[str] = Field(default_factory=list)


class LayoutError(ConfigError):
    """A layout description is missing, not YAML, or not a valid layout."""


@lru_cache(maxsize=4)
def load_layouts(directory: Path = LAYOUT_DIR) -> tuple[Layout, ...]:
    layouts = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
            layouts.append(Layout.model_validate(data))
        except (OSError, yaml.YAMLError) as exc:
            raise LayoutError(f"{path}: {exc}".splitlines()[0]) from exc
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise LayoutError(f"{path}: {where}: {err['msg']}") from exc
    return tuple(layouts)


def layout_named(name: str) -> Layout | None:
    return next((x for x in load_layouts() if x.name == name), None)


def known_layouts() -> str:
    """One line naming every supported layout, for the refusal message."""
    return "、".join(f"{x.name}（{x.title}）" for x in load_layouts())


def label_texts(body: Body) -> list[str]:
    """The texts a form's labels are looked for in: the first body paragraphs and the cells of the
    first tables, squashed (the same part of a file the Hunan form was always recognised from)."""
    out: list[str] = []
    size = 0
    for p in body.paragraphs[:SCAN_PARAGRAPHS]:
        if s := squash(p.text):
            out.append(s)
            size += len(s)
    for grid in body.grids[:SCAN_GRIDS]:
        for r in range(min(len(grid.rows), SCAN_ROWS)):
            for _, cell in grid.distinct(r):
                if cell.key:
                    out.append(cell.key)
                    size += len(cell.key)
            if size > SCAN_CHARS:
                return out
    return out


def score_layout(layout: Layout, labels: list[str]) -> float:
    """The share of the layout's markers that occur in some label of the file."""
    joined = "\x00".join(labels)  # a marker never spans two cells
    wanted = [squash(m) for m in layout.markers]
    if not wanted:
        return 0.0
    return sum(1 for m in wanted if m in joined) / len(wanted)


def detect(body: Body) -> tuple[Layout | None, list[tuple[Layout, float]]]:
    """The best layout at or above its threshold (None if none is), and every layout's score.

    A layout of the form's own (its markers) wins; then the generic 自评表, whose score is 1 when
    the file has an indicator table (a header row covering name, target, actual and points or
    score) and 0 otherwise; the Hunan form last, unless its own markers are most of what it has."""
    from reviewer.ingest.table_form import has_indicator_table  # the generic reader's own test

    labels = label_texts(body)
    layouts = load_layouts()
    generic = next((x for x in layouts if x.generic), None)
    scores = [(x, score_layout(x, labels)) for x in layouts if not x.generic]
    table = has_indicator_table(body) if generic is not None else False
    if generic is not None:
        scores.append((generic, 1.0 if table else 0.0))
    scores.sort(key=lambda p: -p[1])
    passing = [(x, s) for x, s in scores if not x.generic and s + 1e-9 >= x.threshold]
    own = next((x for x, s in passing if x.reader == "table-form"), None)
    if own is not None:
        return own, scores
    hunan = next(((x, s) for x, s in passing if x.reader == "hunan-form"), None)
    if hunan is not None and (not table or hunan[1] >= HUNAN_OVER_GENERIC):
        return hunan[0], scores
    if table:
        return generic, scores
    return (hunan[0] if hunan else None), scores


# A file with an indicator table is read as the generic 自评表 unless this share of the Hunan
# form's markers is found (the title "…绩效自评表" alone gives two of its six).
HUNAN_OVER_GENERIC = 0.5
