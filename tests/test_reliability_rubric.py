"""A rubric is a hand-edited file: values out of bounds, numbers too long, nesting too deep all end
in one line naming the file and the key, exit 2 — never an overflow or a RecursionError."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED_DOCX
from reviewer.rubric import DEFAULT_RUBRIC, RubricError, load_rubric

SOURCE = DEFAULT_RUBRIC.read_text(encoding="utf-8")
FIRST_FORMULA = "formula: in_service / quota * 100"


def _first_points(value: str) -> str:
    return re.sub(r"(?m)^(    points: )\d+", lambda m: m.group(1) + value, SOURCE, count=1)


CASES = {
    "formula 1e308": (SOURCE.replace(FIRST_FORMULA, FIRST_FORMULA + " + 1e308 * 10"), "1e+308"),
    "formula 1e309 (inf)": (SOURCE.replace(FIRST_FORMULA, FIRST_FORMULA + " + 1e309"), "inf"),
    "formula with a 4,000-digit number": (SOURCE.replace(FIRST_FORMULA, FIRST_FORMULA + " + " + "9" * 4000), "formula"),
    "formula with a 25-digit number": (SOURCE.replace(FIRST_FORMULA, FIRST_FORMULA + " + " + "9" * 25), "digits"),
    "formula nested deep": (SOURCE.replace(FIRST_FORMULA, "formula: " + "-" * 60 + "in_service / quota * 100"), "nested"),
    "formula of 100,000 terms": (SOURCE.replace(FIRST_FORMULA, "formula: " + "1+" * 100_000 + "in_service"), "formula"),
    "points 4,000 digits": (_first_points("9" * 4000), "indicators[0].points"),
    "points 5,000 digits": (_first_points("9" * 5000), "too long"),
    "points 1e308": (_first_points("1.0e+308"), "indicators[0].points"),
    "points .inf": (_first_points(".inf"), "indicators[0].points"),
    "points .nan": (_first_points(".nan"), "indicators[0].points"),
    # PyYAML's C parser stops these itself ("exceeded maximum nesting depth"), the Python one recurses
    "deep lists": (SOURCE + "\nnote: " + "[" * 50_000 + "]" * 50_000 + "\n", "nest"),
    "deep mappings": (SOURCE + "\nnote: " + "{a: " * 3_000 + "1" + "}" * 3_000 + "\n", "nest"),
    "nested 30 levels": (SOURCE + "\nnote: " + "[" * 30 + "1" + "]" * 30 + "\n", "nested more than 20"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_out_of_bounds_rubric_values_are_one_line_errors(tmp_path: Path, name: str):
    text, expected = CASES[name]
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    line = str(err.value)
    assert "\n" not in line and "rubric.yaml" in line and expected in line, line
    assert len(line) < 400


def test_aliases_are_checked_once_each(tmp_path: Path):
    """A billion-laughs of YAML aliases: 9^8 references, a few dozen distinct nodes."""
    laughs = "\nx1: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"x{i + 2}: &{b} [{', '.join(['*' + a] * 9)}]\n" for i, (a, b) in enumerate(zip("abcdefg", "bcdefgh")))
    path = tmp_path / "rubric.yaml"
    path.write_text(SOURCE + laughs, encoding="utf-8")
    with pytest.raises(RubricError, match="x1: unknown key"):
        load_rubric(path)


def test_the_cli_exits_2_with_one_line(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_text(CASES["formula 1e308"][0], encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "reviewer", str(SEED_DOCX), "--no-llm", "--rubric", str(path), "-o", str(tmp_path / "m.md")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "big.yaml" in proc.stderr


def test_scientific_constants_in_range_still_work(tmp_path: Path):
    """1e2 is a number, not a name: the working shown in the memo substitutes inputs only."""
    from reviewer.checks.rescore import _substitute

    assert _substitute("in_service / quota * 1e2", {"in_service": 8, "quota": 10}) == "8 ÷ 10 × 1e2"
