"""Gold annotations (`<report>.gold.json`): what a careful human reviewer expects of one report.

The format is defined by the corpus README (examples/corpus/README.md). Only the parts the scorer
reads are modelled strictly; everything else (summary, extraction) is kept as loose data.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.errors import ReviewerError


class GoldEntry(BaseModel):
    """An expected / acceptable / must_not entry."""

    model_config = ConfigDict(extra="allow")

    code: str
    also_accept: list[str] = Field(default_factory=list)
    severity: str | None = None  # must_not only: restricts the entry to one severity
    where: list[str] = Field(default_factory=list)
    where_any: list[list[str]] = Field(default_factory=list)
    batch_only: bool = False
    why: str = ""

    def codes(self) -> set[str]:
        return {self.code, *self.also_accept}


class GoldTarget(BaseModel):
    model_config = ConfigDict(extra="allow")

    indicator: str
    target: str = ""
    verdict: str
    why: str = ""


class GoldScore(BaseModel):
    model_config = ConfigDict(extra="allow")

    indicator: str
    points: float | None = None
    claimed: float | None = None
    status: str
    recomputed: float | None = None
    range: tuple[float, float] | None = None
    why: str = ""


class Gold(BaseModel):
    model_config = ConfigDict(extra="allow")

    file: str
    layout: str = ""
    summary: str = ""
    kind: str = ""  # careful / sloppy, from the file name when not given
    targets: list[GoldTarget] = Field(default_factory=list)
    scores: list[GoldScore] = Field(default_factory=list)
    expected: list[GoldEntry] = Field(default_factory=list)
    acceptable: list[GoldEntry] = Field(default_factory=list)
    must_not: list[GoldEntry] = Field(default_factory=list)


# Acceptable on every report whatever its gold says (corpus README, "Scoring a tool run").
ALWAYS_ACCEPTABLE = ("llm.not_run", "score.unverifiable")


def load_gold(path: Path) -> Gold:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        gold = Gold.model_validate(data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReviewerError(f"{path}: 无法读取标注文件：{exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ReviewerError(f"{path}: 标注文件格式不对：{where}: {first['msg']}") from exc
    if not gold.kind:
        stem = path.name.removesuffix(".gold.json")
        gold.kind = "careful" if stem.endswith("careful") else "sloppy" if stem.endswith("sloppy") else ""
    return gold


def gold_path_for(report: Path) -> Path:
    return report.with_name(report.stem + ".gold.json")
