"""Rubric files: the indicator system of a form, as data a finance officer can edit.

A rubric (rubric/*.yaml) lists every 三级指标 with its points, the figures it needs (`inputs`,
each read from a named `source` in the report), a `formula` over those figures, and how the
result scores (`bands` or a `deduct` rule). Indicators without a formula are scored by a person
from evidence (`checklist` / `judgement`); the rubric says what evidence (`needs`).

This module validates the file and owns the tiny formula language (+ − × ÷, parentheses,
numbers, input names) so that a bad formula fails at load time, not in the middle of a review.
It reads no report: `reviewer.checks` applies the rubric.

    load_rubric(path=None) -> Rubric        default: rubric/hunan-dept-overall-2021.yaml
    RubricError(ConfigError)                 one line: "<file>: <key path>: <problem>"
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from functools import lru_cache
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reviewer.errors import ConfigError
from reviewer.model import MONEY_COLUMNS
from reviewer.resources import bundled
from reviewer.yamlio import load_yaml

RUBRIC_DIR = bundled("rubric")  # top-level rubric/ in a checkout, package data in a wheel
DEFAULT_RUBRIC = RUBRIC_DIR / "hunan-dept-overall-2021.yaml"


class RubricError(ConfigError):
    """The rubric file is missing, not YAML, or does not describe a valid rubric."""


# ---------------------------------------------------------------- names


_QUOTES = re.compile(r"[\s“”\"'‘’「」『』《》〈〉]+")


def norm_name(text: str) -> str:
    """Matching form of an indicator label: NFKC, no whitespace, no quotes or title marks.

    The report writes "“三公经费”变动率" or "《政府工作报告》目标…", with line breaks where the
    cell wrapped; the rubric may write it plainly.
    """
    return _QUOTES.sub("", unicodedata.normalize("NFKC", text))


_POINTS_SUFFIX = re.compile(r"[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]$")


def strip_points(label: str) -> str:
    """"预算配置（15分）" → "预算配置"."""
    return _POINTS_SUFFIX.sub("", norm_name(label))


# ---------------------------------------------------------------- formula language


_ALLOWED_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
# Bounds on what a hand-edited file may hold: the real formulas are ~40 characters, a few levels
# deep, with numbers like 100. Past these a formula is a mistake (or an attack on the parser).
MAX_FORMULA_CHARS = 300
MAX_FORMULA_DEPTH = 20
MAX_NUMBER = 1e9  # any number in the rubric, and any constant in a formula, in absolute value
MAX_NUMBER_DIGITS = 20
MAX_RUBRIC_BYTES = 2_000_000
MAX_NESTING = 20  # YAML mappings/lists inside each other (the real file: 5)
_LONG_NUMBER = re.compile(r"\d{%d,}" % (MAX_NUMBER_DIGITS + 1))


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def formula_names(formula: str) -> set[str]:
    """Parse a formula and return the input names it uses; ValueError if it is not plain arithmetic."""
    shown = formula if len(formula) <= 60 else formula[:57] + "…"
    if len(formula) > MAX_FORMULA_CHARS:
        raise ValueError(f"formula is longer than {MAX_FORMULA_CHARS} characters: {shown!r}")
    if _LONG_NUMBER.search(formula):
        raise ValueError(f"formula has a number longer than {MAX_NUMBER_DIGITS} digits: {shown!r}")
    try:
        tree = ast.parse(formula, mode="eval")
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise ValueError(f"formula is not arithmetic: {shown!r}") from exc
    if _depth(tree) > MAX_FORMULA_DEPTH:
        raise ValueError(f"formula is nested more than {MAX_FORMULA_DEPTH} levels deep: {shown!r}")
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, _ALLOWED_OPS):
                raise ValueError(f"formula may only use + - * / : {formula!r}")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ValueError(f"formula may only use + - * / : {formula!r}")
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float)) or isinstance(node.value, bool):
                raise ValueError(f"formula may only contain numbers and input names: {formula!r}")
            if not math.isfinite(node.value) or abs(node.value) > MAX_NUMBER:
                raise ValueError(f"formula constant {node.value:g} is not a number between -{MAX_NUMBER:g} and {MAX_NUMBER:g}")
        elif not isinstance(node, (ast.Expression, ast.Load, ast.operator, ast.unaryop)):
            raise ValueError(f"formula may only use + - * / and parentheses: {formula!r}")
    return names


def evaluate(tree: ast.Expression, values: dict[str, float]) -> float:
    """Evaluate a validated formula. ZeroDivisionError propagates: the caller explains it."""

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            return a / b
        raise ValueError(f"unexpected formula node {type(node).__name__}")  # load_rubric rules this out

    return ev(tree)


# ---------------------------------------------------------------- sources


_STAFF_SOURCES = {"staff.in_service", "staff.quota", "staff.actual", "staff.retired"}
_SOURCE = re.compile(r"^(?:staff\.[a-z_]+|table\.[a-z_]+\.[a-z_]+|narrative\.[a-z_]+(?:\.[a-z_]+)?|fact\.[a-z_]+|not_in_form)$")


def check_source(source: str) -> str:
    """Sources name where a figure is read: staff.*, table.<table>.<column> (the 汇总 row),
    narrative.<subject>.<field> (a sentence of the 综述), or not_in_form (the form has no place
    for it: the department must supply it)."""
    if not _SOURCE.match(source):
        raise ValueError(f"unknown source {source!r} (staff.*, table.<table>.<column>, narrative.*, fact.<name>, not_in_form)")
    if source.startswith("staff.") and source not in _STAFF_SOURCES:
        raise ValueError(f"unknown source {source!r}: staff.* is one of {', '.join(sorted(_STAFF_SOURCES))}")
    if source.startswith("table."):
        _, table, column = source.split(".")
        if table not in MONEY_COLUMNS:
            raise ValueError(f"unknown table {table!r} in {source!r}: one of {', '.join(MONEY_COLUMNS)}")
        if column not in MONEY_COLUMNS[table]:
            raise ValueError(f"unknown column {column!r} in {source!r}: one of {', '.join(MONEY_COLUMNS[table])}")
    return source


# ---------------------------------------------------------------- models


class _Strict(BaseModel):
    # A misspelt key in a hand-edited file must fail loudly, not be ignored.
    model_config = ConfigDict(extra="forbid")


class Input(_Strict):
    """One figure an indicator needs. `source` may list fallbacks, first found wins."""

    source: list[str]
    label: str  # what the department would have to give, in Chinese ("在职人数")
    unit: str = ""

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, str) else v

    @field_validator("source")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one source is needed")
        return [check_source(s) for s in v]


class Band(_Strict):
    """value in [min, max) by default; `min_ref`/`max_ref` name an input instead of a number."""

    score: float
    min: float | None = None
    max: float | None = None
    min_ref: str | None = None
    max_ref: str | None = None
    include_min: bool = True
    include_max: bool = False
    label: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.min is not None and self.min_ref is not None:
            raise ValueError("give min or min_ref, not both")
        if self.max is not None and self.max_ref is not None:
            raise ValueError("give max or max_ref, not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Deduct(_Strict):
    """Full marks while the value is on the right side of `threshold`; `per_unit` off for every
    unit (percentage point, case) beyond it; never below 0.

    How fractions of a unit count is not written down ("每超过一个百分点扣0.5分"): the checks
    accept any score between the linear deduction and the one rounded up to whole units."""

    full_if: Literal["<=", ">="]
    threshold: float
    per_unit: float = Field(gt=0)


class Indicator(_Strict):
    id: str
    name: str  # 三级指标 as the form prints it
    aliases: list[str] = Field(default_factory=list)
    level1: str = ""
    level2: str = ""  # 二级指标: tells apart the two 管理制度健全性 rows
    points: float = Field(gt=0)
    kind: Literal["computed", "checklist", "judgement"]
    criteria: str = ""  # the 评分标准, shortened
    inputs: dict[str, Input] = Field(default_factory=dict)
    formula: str | None = None
    unit: str = "%"
    decimals: int = Field(default=2, ge=0, le=6)
    bands: list[Band] | None = None
    deduct: Deduct | None = None
    needs: list[str] = Field(default_factory=list)  # evidence a person must see (checklist/judgement)
    # Checklist rows: what the 综述 must say for the score to count as evidenced — every group must be
    # found (each group a list of alternative regular expressions, searched sentence by sentence).
    evidence: list[list[str]] = Field(default_factory=list)
    # When the figure is missing: "unverifiable" (info) — or "unsupported" (warning) for full marks
    # on a figure the department itself should have measured (满意度).
    missing_data: Literal["unverifiable", "unsupported"] = "unverifiable"
    unverified: bool = False  # the rule comes from a secondary source: findings stay at warning
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.kind == "computed":
            if not self.formula:
                raise ValueError("a computed indicator needs a formula")
            if (self.bands is None) == (self.deduct is None):
                raise ValueError("a computed indicator needs exactly one of bands or deduct")
            unknown = formula_names(self.formula) - set(self.inputs)
            if unknown:
                raise ValueError(f"formula uses {', '.join(sorted(unknown))}, not listed in inputs")
            for band in self.bands or []:
                for ref in (band.min_ref, band.max_ref):
                    if ref is not None and ref not in self.inputs:
                        raise ValueError(f"band refers to {ref!r}, not listed in inputs")
                if band.score > self.points:
                    raise ValueError(f"band score {band.score} is above the indicator's points {self.points}")
        elif not self.needs:
            raise ValueError(f"a {self.kind} indicator needs a `needs` list (the evidence to look at)")
        for group in self.evidence:
            for pattern in group:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"evidence pattern {pattern!r} is not a valid regular expression: {exc}") from None
        return self

    @cached_property
    def tree(self) -> ast.Expression | None:
        return ast.parse(self.formula, mode="eval") if self.formula else None

    @cached_property
    def keys(self) -> set[str]:
        return {norm_name(n) for n in [self.name, *self.aliases]}


class Grade(_Strict):
    name: str
    synonyms: list[str] = Field(default_factory=list)
    min: float
    max: float
    include_max: bool = False

    def contains(self, score: float) -> bool:
        return self.min <= score and (score <= self.max if self.include_max else score < self.max)

    def names(self) -> set[str]:
        return {norm_name(n) for n in [self.name, *self.synonyms]}


# A figure in a fact pattern: "1,552.36", "２５４８．３６" (the text is NFKC-folded first).
FACT_NUMBER = r"(?P<value>\d+(?:,\d{3})*(?:\.\d+)?)"
FACT_UNITS = {"万元": 1.0, "元": 0.0001, "亿元": 10000.0, "%": 1.0, "个": 1.0, "项": 1.0}


@lru_cache(maxsize=512)
def _fact_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("{NUM}", FACT_NUMBER).replace("{UNIT}", "(?P<unit>万元|亿元|元|%)"))


class Fact(_Strict):
    """A figure the 综述 states in words ("重点支出1,552.36万元"), read by patterns kept as data.

    Each pattern is a regular expression in which `{NUM}` stands for the figure and `{UNIT}` for its
    unit (万元/元/亿元, or %); the first sentence (up to 。) that matches, contains one of `require`
    (if given) and none of `exclude` gives the value. `zero` patterns state the figure is nil
    ("未出现延迟下达" → 0)."""

    label: str
    unit: Literal["万元", "%", "个"] = "万元"
    patterns: list[str] = Field(default_factory=list)
    zero: list[str] = Field(default_factory=list)
    require: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)

    @field_validator("patterns", "zero")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p.replace("{NUM}", FACT_NUMBER).replace("{UNIT}", "(?P<unit>万元|亿元|元|%)"))
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a valid regular expression: {exc}") from None
        return v

    def compiled(self) -> list[re.Pattern[str]]:
        return [_fact_pattern(p) for p in self.patterns]

    def compiled_zero(self) -> list[re.Pattern[str]]:
        return [_fact_pattern(p) for p in self.zero]


class Rubric(_Strict):
    id: str
    version: int | str
    title: str
    layout: str
    total_points: float
    grades: list[Grade]
    indicators: list[Indicator]
    unverified: list[str] = Field(default_factory=list)  # rules from secondary sources, in words
    facts: dict[str, Fact] = Field(default_factory=dict)  # figures read from the 综述 (source fact.<name>)
    note: str = ""
    path: str = ""  # set by load_rubric

    @model_validator(mode="after")
    def _whole(self) -> Rubric:
        ids = [i.id for i in self.indicators]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"indicator ids repeat: {', '.join(dupes)}")
        for ind in self.indicators:
            for name, inp in (ind.inputs or {}).items():
                for source in inp.source:
                    if source.startswith("fact.") and source[5:] not in self.facts:
                        raise ValueError(f"indicator {ind.id}: input {name}: {source} is not defined under facts")
        total = sum(i.points for i in self.indicators)
        if not math.isclose(total, self.total_points, abs_tol=1e-6):
            raise ValueError(f"indicator points add up to {total:g}, not total_points {self.total_points:g}")
        return self

    @property
    def label(self) -> str:
        return f"{Path(self.path).name or self.id} (v{self.version})"

    def grade_for(self, score: float) -> Grade | None:
        return next((g for g in self.grades if g.contains(score)), None)

    def grade_named(self, text: str) -> Grade | None:
        key = norm_name(text)
        return next((g for g in self.grades if key in g.names()), None)


# ---------------------------------------------------------------- loading


_SHORT_MESSAGES = {
    "float_parsing": "value is not a number",
    "float_type": "value is not a number",
    "int_parsing": "value is not a whole number",
    "missing": "required key is missing",
    "extra_forbidden": "unknown key (misspelt?)",
    "list_type": "should be a list",
    "dict_type": "should be a mapping (key: value)",
    "bool_parsing": "should be true or false",
    "bool_type": "should be true or false",
    "string_type": "should be text",
}


def _key_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith("function-"):
            continue  # pydantic's validator frames, not keys of the file
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _check_values(data: object) -> None:
    """Every number finite and bounded, nesting shallow: a rubric is a small hand-edited file, and
    1e308, a 4,000-digit number or 10,000 nested lists would otherwise end in an overflow or a
    RecursionError deep in a review. Walked without recursion; RubricError-ready ValueError
    carries the key path."""
    stack: list[tuple[object, tuple, int]] = [(data, (), 0)]
    seen: set[int] = set()  # YAML aliases share nodes: each is checked once (no billion laughs)
    while stack:
        value, loc, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ValueError(_key_path(loc), f"nested more than {MAX_NESTING} levels deep")
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                continue
            seen.add(id(value))
        if isinstance(value, dict):
            stack.extend((v, (*loc, str(k)), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*loc, i), depth + 1) for i, v in enumerate(value))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and abs(value) > MAX_NUMBER:
            raise ValueError(_key_path(loc), f"number out of range (at most {MAX_NUMBER:g} in absolute value)")
        elif isinstance(value, float) and (not math.isfinite(value) or abs(value) > MAX_NUMBER):
            raise ValueError(_key_path(loc), f"{value:g} is not a finite number of at most {MAX_NUMBER:g}")


def load_rubric(path: Path | None = None) -> Rubric:
    path = Path(path) if path is not None else DEFAULT_RUBRIC
    shown = _display(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_RUBRIC_BYTES:
            raise RubricError(f"{shown}: rubric file is larger than {MAX_RUBRIC_BYTES // 1_000_000} MB")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RubricError(f"{shown}: rubric file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"{shown}: cannot read the rubric ({exc})") from exc
    try:
        data = load_yaml(text)
    except RecursionError as exc:
        raise RubricError(f"{shown}: (top level): nested more than {MAX_NESTING} levels deep") from exc
    except ValueError as exc:  # int() of a number past Python's 4,300-digit limit
        raise RubricError(f"{shown}: a number is too long ({' '.join(str(exc).split())[:80]})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise RubricError(f"{shown}: {where}{problem}") from exc
    if not isinstance(data, dict):
        raise RubricError(f"{shown}: (top level): should be a mapping (key: value)")
    try:
        _check_values(data)
    except ValueError as exc:
        where, problem = exc.args
        raise RubricError(f"{shown}: {where}: {problem}") from exc
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        message = _SHORT_MESSAGES.get(err["type"]) or str(err["msg"]).removeprefix("Value error, ")
        raise RubricError(f"{shown}: {_key_path(err['loc'])}: {message}") from exc
    rubric.path = str(path)
    return rubric
