"""The shipped rubric validates; a broken rubric file fails with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

import reviewer
from reviewer.checks.statements import SUBJECTS
from reviewer.errors import ConfigError
from reviewer.rubric import DEFAULT_RUBRIC, RubricError, formula_names, load_rubric, norm_name

TEXT = DEFAULT_RUBRIC.read_text(encoding="utf-8")


def test_default_rubric_is_the_file_in_top_level_rubric():
    assert DEFAULT_RUBRIC == Path(reviewer.__file__).resolve().parent.parent / "rubric" / "hunan-dept-overall-2021.yaml"
    rubric = load_rubric()
    assert rubric.path == str(DEFAULT_RUBRIC)
    assert rubric.label == "hunan-dept-overall-2021.yaml (v1)"


def test_shipped_rubric_content():
    rubric = load_rubric()
    assert rubric.total_points == 100 and sum(i.points for i in rubric.indicators) == 100
    by_id = {i.id: i for i in rubric.indicators}
    assert by_id["staff_control"].deduct.per_unit == 0.5 and by_id["staff_control"].deduct.threshold == 100
    assert by_id["sangong_change"].deduct.threshold == 0
    assert by_id["asset_use"].deduct.full_if == ">=" and by_id["asset_use"].deduct.per_unit == 0.1
    assert [b.score for b in by_id["satisfaction"].bands] == [5, 3, 1, 0]
    assert by_id["satisfaction"].missing_data == "unsupported"
    assert [b.score for b in by_id["balance"].bands] == [3, 2, 0] and by_id["balance"].bands[1].max_ref == "carryover"
    assert by_id["official_card"].unverified
    assert rubric.unverified  # the file says which rules are from secondary sources
    assert {i.level2 for i in rubric.indicators if i.name == "管理制度健全性"} == {"预算管理", "资产管理"}


def test_every_narrative_source_is_one_the_checks_can_read():
    for ind in load_rubric().indicators:
        for spec in ind.inputs.values():
            for source in spec.source:
                if source.startswith("narrative."):
                    subject = source.split(".")[1]
                    assert subject in SUBJECTS or source == "narrative.satisfaction_rate", source


@pytest.mark.parametrize(
    "score,grade",
    [(100, "优秀"), (90, "优秀"), (89.99, "良好"), (80, "良好"), (79.5, "中"), (60, "中"), (59.9, "差"), (0, "差")],
)
def test_grade_bands(score, grade):
    assert load_rubric().grade_for(score).name == grade


@pytest.mark.parametrize("word,grade", [("优", "优秀"), ("良", "良好"), ("中等", "中"), ("较差", "差"), (" 优 秀 ", "优秀")])
def test_grade_synonyms(word, grade):
    assert load_rubric().grade_named(word).name == grade


def test_names_are_normalised():
    assert norm_name("“三公经费”\n变动率") == norm_name("三公经费变动率")
    assert norm_name("《政府工作报告》目标任务完成情况") == "政府工作报告目标任务完成情况"


def _broken(tmp_path, old, new, count=1):
    assert old in TEXT, old
    path = tmp_path / "x.yaml"
    path.write_text(TEXT.replace(old, new, count), encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


def test_band_bound_not_a_number(tmp_path):
    assert _broken(tmp_path, "      - {min: 90, score: 5}\n      - {min: 80,", "      - {min: ninety, score: 5}\n      - {min: 80,") == (
        "indicators[2].bands[0].min: value is not a number"
    )


def test_formula_uses_an_unknown_name(tmp_path):
    assert _broken(tmp_path, "formula: in_service / quota * 100", "formula: in_servce / quota * 100") == (
        "indicators[0]: formula uses in_servce, not listed in inputs"
    )


def test_formula_must_be_arithmetic(tmp_path):
    assert "formula may only use" in _broken(tmp_path, "formula: late\n", "formula: __import__('os')\n")


def test_misspelt_key(tmp_path):
    assert _broken(tmp_path, "    decimals: 1\n", "    decimal: 1\n") == "indicators[0].decimal: unknown key (misspelt?)"


def test_unknown_source(tmp_path):
    message = _broken(tmp_path, "source: table.assets.in_use", "source: table.assets.in_used")
    assert message.startswith("indicators[14].inputs.in_use.source: unknown column 'in_used'")


def test_points_must_add_up(tmp_path):
    message = _broken(tmp_path, "    points: 7\n", "    points: 8\n")
    assert message == "(top level): indicator points add up to 101, not total_points 100"


def test_computed_needs_a_rule(tmp_path):
    message = _broken(tmp_path, "    deduct: {full_if: \">=\", threshold: 100, per_unit: 0.1}\n", "")
    assert message == "indicators[14]: a computed indicator needs exactly one of bands or deduct"


def test_missing_required_key(tmp_path):
    assert _broken(tmp_path, "total_points: 100\n", "") == "total_points: required key is missing"


def test_yaml_syntax_error(tmp_path):
    assert _broken(tmp_path, "total_points: 100", "total_points: [100").startswith("line ")


def test_missing_file(tmp_path):
    with pytest.raises(RubricError, match="rubric file not found"):
        load_rubric(tmp_path / "nope.yaml")


def test_rubric_error_is_a_config_error():
    assert issubclass(RubricError, ConfigError)


def test_formula_language():
    assert formula_names("(current - previous) / previous * 100") == {"current", "previous"}
    for bad in ("a ** 2", "f(a)", "a.b", "'x'", "a if b else c", "a[0]"):
        with pytest.raises(ValueError):
            formula_names(bad)
