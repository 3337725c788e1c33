"""Rubric files for the national 绩效自评表 layouts (rubric/mof-2020-*.yaml, yinchuan-project.yaml …).

These forms print their own 分值 and 得分 per indicator row; what the rubric holds is how a row is
scored from its target and its actual value (财预〔2020〕10号 and the provincial variants): the
partial-credit rule per comparator, what a bare target ("100%", "0次") means, how the 执行率 row
scores, the weights of the 一级指标, the grade bands, and the variant's own rules (四川: a reason
when 执行率 < 90%). It reads no report: `reviewer.checks.indicators` applies it.

    load_indicator_rubric(path) -> IndicatorRubric      RubricError (one line) when the file is bad
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.rubric import RUBRIC_DIR, Grade, RubricError, norm_name
from reviewer.yamlio import load_yaml

Comparator = Literal[">=", "<=", "="]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BareTarget(_Strict):
    """What a target written without ≥/≤ means ("100%", "0次", "5元/生·天")."""

    default: Comparator = ">="
    zero: Comparator = "<="  # "0起": none allowed
    level2: dict[str, Comparator] = Field(default_factory=dict)  # e.g. 成本指标: "<="

    def comparator(self, value: float | None, level2: str) -> str:
        key = norm_name(level2)
        for name, comp in self.level2.items():
            if norm_name(name) in key:
                return comp
        if value is not None and abs(value) < 1e-12:
            return self.zero
        return self.default


class FundingRule(_Strict):
    # 执行率得分 = 执行率 × 分值, capped at 分值 (财预〔2020〕10号)
    rule: Literal["rate_times_points"] = "rate_times_points"
    reason_below_rate: float | None = None  # 四川: a reason is required when 执行率 < this (%)


class IndicatorRubric(_Strict):
    id: str
    version: int | str
    title: str
    layouts: list[str]
    total_points: float = 100
    # 一级指标 → points (the funding 执行率 row is named by `funding_weight_name`); a form whose
    # rows add up to other weights is flagged, and a printed "（10分）" is checked too.
    weights: dict[str, float] = Field(default_factory=dict)
    funding_weight_name: str = "预算执行率"
    grades: list[Grade]
    bare_target: BareTarget = Field(default_factory=BareTarget)
    # comparator → how a shortfall scores: actual_over_target = B/A × 分值, target_over_actual = A/B × 分值,
    # none = no rule (a person decides)
    partial_credit: dict[Comparator, Literal["actual_over_target", "target_over_actual", "none"]] = Field(
        default_factory=lambda: {">=": "actual_over_target", "<=": "target_over_actual", "=": "none"}
    )
    score_tolerance: float = 0.01  # scores are printed to 0.01
    funding: FundingRule = Field(default_factory=FundingRule)
    # rows whose names contain one of these measure satisfaction: full marks need a surveyed figure
    satisfaction_words: list[str] = Field(default_factory=lambda: ["满意度", "满意率"])
    unverified: list[str] = Field(default_factory=list)
    note: str = ""
    path: str = ""

    @property
    def label(self) -> str:
        return f"{Path(self.path).name} (v{self.version})" if self.path else self.id

    def grade_for(self, score: float) -> Grade | None:
        return next((g for g in self.grades if g.contains(score)), None)

    def grade_named(self, text: str) -> Grade | None:
        key = norm_name(text)
        return next((g for g in self.grades if key in g.names()), None)


@lru_cache(maxsize=16)
def _load(path: str, stamp: float) -> IndicatorRubric:
    p = Path(path)
    try:
        data = load_yaml(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricError(f"{p}: cannot read the rubric file ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise RubricError(f"{p}: not valid YAML: " + " ".join(str(exc).split())) from exc
    try:
        rubric = IndicatorRubric.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "(top level)"
        raise RubricError(f"{p}: {where}: {err['msg']}") from exc
    return rubric.model_copy(update={"path": str(p)})


def load_indicator_rubric(path: str | Path) -> IndicatorRubric:
    p = Path(path)
    if not p.is_absolute() and not p.exists():
        p = RUBRIC_DIR / p
    try:
        stamp = p.stat().st_mtime
    except OSError:
        stamp = -1.0
    return _load(str(p), stamp)
