"""The rubric file's rules one at a time: each mistake a finance officer can make gives its own one-line
message (the key path and the problem), each bound is tested on both sides, and the formula language
evaluates what it accepts. Models and small YAML files built in tmp_path; no report is read."""

from __future__ import annotations

import ast
import os

import pytest
from pydantic import ValidationError

from reviewer.rubric import (
    MAX_FORMULA_CHARS,
    MAX_NESTING,
    MAX_NUMBER,
    MAX_RUBRIC_BYTES,
    Band,
    Fact,
    Grade,
    Indicator,
    Input,
    RubricError,
    _check_values,
    _key_path,
    check_source,
    evaluate,
    formula_names,
    load_rubric,
    norm_name,
    strip_points,
)
from reviewer.rubric import DEFAULT_RUBRIC

from test_rubric import _broken  # noqa: E402  (one line naming the file, the file prefix removed)

TEXT = DEFAULT_RUBRIC.read_text(encoding="utf-8")


def problem(model, **data) -> str:
    with pytest.raises(ValidationError) as err:
        model.model_validate(data)
    return str(err.value.errors()[0]["msg"]).removeprefix("Value error, ")


# ---------------------------------------------------------------- names


def test_strip_points_only_a_trailing_points_suffix():
    assert strip_points("预算配置（15分）") == "预算配置"
    assert strip_points("预算配置(15.5 分)") == "预算配置"
    assert strip_points("（15分）预算配置") == "(15分)预算配置"
    assert strip_points("预算配置（十五分）") == "预算配置(十五分)"


def test_norm_name_drops_quotes_and_spaces_only():
    assert norm_name(" 「三公」 经费\n") == "三公经费" and norm_name("A-1") == "A-1"


# ---------------------------------------------------------------- formula language


def test_formula_messages():
    with pytest.raises(ValueError, match=rf"^formula is longer than {MAX_FORMULA_CHARS} characters: 'a {{56}}…'$"):
        formula_names("a" + " " * MAX_FORMULA_CHARS)
    assert formula_names("a" + " " * (MAX_FORMULA_CHARS - 1)) == {"a"}  # at the limit: fine
    with pytest.raises(ValueError, match=r"^formula has a number longer than 20 digits: '1{21}'$"):
        formula_names("1" * 21)
    assert formula_names("0" * 20 + " * a") == {"a"}  # 20 digits: not too long
    with pytest.raises(ValueError, match=r"^formula is not arithmetic: 'a \+'$"):
        formula_names("a +")
    with pytest.raises(ValueError, match=r"^formula is nested more than 20 levels deep"):
        formula_names("-" * 20 + "a")
    assert formula_names("-" * 17 + "a") == {"a"}
    with pytest.raises(ValueError, match=r"^formula may only use \+ - \* / : 'a \*\* 2'$"):
        formula_names("a ** 2")
    with pytest.raises(ValueError, match=r"^formula may only use \+ - \* / : '~a'$"):
        formula_names("~a")
    with pytest.raises(ValueError, match=r"^formula may only contain numbers and input names: 'a \+ True'$"):
        formula_names("a + True")
    with pytest.raises(ValueError, match=r"^formula may only contain numbers and input names: \"a \+ 'x'\"$"):
        formula_names("a + 'x'")
    with pytest.raises(ValueError, match=r"^formula constant 2e\+09 is not a number between -1e\+09 and 1e\+09$"):
        formula_names("a + 2e9")
    assert formula_names(f"a + {MAX_NUMBER:.0f}") == {"a"}
    with pytest.raises(ValueError, match=r"^formula may only use \+ - \* / and parentheses: 'f\(a\)'$"):
        formula_names("f(a)")


def test_formula_names_and_evaluation():
    formula = "(now - +last) / -last * 100 + 2.5"
    assert formula_names(formula) == {"now", "last"}
    assert evaluate(ast.parse(formula, mode="eval"), {"now": 90, "last": 100}) == pytest.approx(12.5)
    assert evaluate(ast.parse("a * b - c / d", mode="eval"), {"a": 2, "b": 3, "c": 8, "d": 4}) == 4
    with pytest.raises(ZeroDivisionError):
        evaluate(ast.parse("a / b", mode="eval"), {"a": 1, "b": 0})
    with pytest.raises(ValueError, match="unexpected formula node Call"):
        evaluate(ast.parse("f(a)", mode="eval"), {"a": 1})


# ---------------------------------------------------------------- sources


@pytest.mark.parametrize("source", ["staff.in_service", "staff.quota", "staff.actual", "staff.retired", "table.spending.project",
                                    "narrative.sangong.current", "narrative.satisfaction_rate", "fact.key_spending", "not_in_form"])
def test_known_sources(source):
    assert check_source(source) == source


@pytest.mark.parametrize("source,message", [
    ("staff.in_servce", "unknown source 'staff.in_servce': staff.* is one of staff.actual, staff.in_service, staff.quota, staff.retired"),
    ("table.spend.total", "unknown table 'spend' in 'table.spend.total': one of income, spending, sangong, assets"),
    ("report.x", "unknown source 'report.x' (staff.*, table.<table>.<column>, narrative.*, fact.<name>, not_in_form)"),
    ("Staff.quota", "unknown source 'Staff.quota' (staff.*, table.<table>.<column>, narrative.*, fact.<name>, not_in_form)"),
])
def test_unknown_sources(source, message):
    with pytest.raises(ValueError) as err:
        check_source(source)
    assert str(err.value) == message


def test_input_source_one_or_many():
    assert Input(source="staff.quota", label="编制").source == ["staff.quota"]
    assert Input(source=["fact.a", "staff.quota"], label="x").source == ["fact.a", "staff.quota"]
    assert problem(Input, source=[], label="x") == "at least one source is needed"


# ---------------------------------------------------------------- bands, indicators, grades


def test_band_messages():
    assert problem(Band, score=1, min=1, min_ref="a") == "give min or min_ref, not both"
    assert problem(Band, score=1, max=1, max_ref="a") == "give max or max_ref, not both"
    assert problem(Band, score=1, min=2, max=1) == "min 2.0 is above max 1.0"
    assert Band(score=1, min=1, max=1).min == 1  # an empty-looking band [1, 1] is allowed (include_max makes it a point)


COMPUTED = dict(id="x", name="x", points=5, kind="computed", inputs={"a": {"source": "fact.a", "label": "a"}}, formula="a")


def test_indicator_messages():
    assert problem(Indicator, **{**COMPUTED, "formula": None, "bands": [{"score": 1}]}) == "a computed indicator needs a formula"
    assert problem(Indicator, **COMPUTED) == "a computed indicator needs exactly one of bands or deduct"
    both = {**COMPUTED, "bands": [{"score": 1}], "deduct": {"full_if": "<=", "threshold": 0, "per_unit": 1}}
    assert problem(Indicator, **both) == "a computed indicator needs exactly one of bands or deduct"
    assert problem(Indicator, **{**COMPUTED, "formula": "a + b + c", "bands": [{"score": 1}]}) == "formula uses b, c, not listed in inputs"
    assert problem(Indicator, **{**COMPUTED, "bands": [{"score": 1, "max_ref": "q"}]}) == "band refers to 'q', not listed in inputs"
    assert problem(Indicator, **{**COMPUTED, "bands": [{"score": 1, "min_ref": "q"}]}) == "band refers to 'q', not listed in inputs"
    assert problem(Indicator, **{**COMPUTED, "bands": [{"score": 6}]}) == "band score 6.0 is above the indicator's points 5.0"
    assert Indicator.model_validate({**COMPUTED, "bands": [{"score": 5, "min_ref": "a"}]}).points == 5  # at the points: fine
    assert problem(Indicator, id="x", name="x", points=5, kind="judgement") == "a judgement indicator needs a `needs` list (the evidence to look at)"
    bad = dict(id="x", name="x", points=5, kind="checklist", needs=["y"], evidence=[["ok", "(unclosed"]])
    assert problem(Indicator, **bad).startswith("evidence pattern '(unclosed' is not a valid regular expression: missing ), unterminated")
    assert problem(Indicator, **{**COMPUTED, "deduct": {"full_if": "<=", "threshold": 0, "per_unit": 0}}).startswith("Input should be greater than 0")


def test_indicator_keys_and_tree():
    ind = Indicator.model_validate({**COMPUTED, "name": "“三公经费”变动率", "aliases": ["三公 变动"], "bands": [{"score": 1}]})
    assert ind.keys == {"三公经费变动率", "三公变动"}
    assert isinstance(ind.tree, ast.Expression)
    assert Indicator(id="j", name="j", points=1, kind="judgement", needs=["n"]).tree is None


@pytest.mark.parametrize("score,inside", [(80, True), (89.99, True), (90, False), (79.99, False)])
def test_grade_half_open(score, inside):
    assert Grade(name="良", min=80, max=90).contains(score) is inside


def test_grade_closed_at_the_top():
    top = Grade(name="优", min=90, max=100, include_max=True)
    assert top.contains(100) and top.contains(90) and not top.contains(100.01)
    assert top.names() == {"优"} and Grade(name="良", synonyms=["良 好"], min=0, max=1).names() == {"良", "良好"}


def test_fact_patterns_must_compile():
    assert problem(Fact, label="x", patterns=["{NUM}(万元"]).startswith("pattern '{NUM}(万元' is not a valid regular expression: ")
    assert problem(Fact, label="x", zero=["(无"]).startswith("pattern '(无' is not a valid regular expression: ")
    fact = Fact(label="x", patterns=["支出{NUM}{UNIT}"], zero=["无支出"])
    m = fact.compiled()[0].search("支出1,552.36亿元")
    assert (m.group("value"), m.group("unit")) == ("1,552.36", "亿元")
    assert fact.compiled_zero()[0].search("本年无支出") is not None


# ---------------------------------------------------------------- the whole file




def test_repeated_ids(tmp_path):
    assert _broken(tmp_path, "id: sangong_change", "id: staff_control") == "(top level): indicator ids repeat: staff_control"


def test_fact_source_must_be_defined(tmp_path):
    message = _broken(tmp_path, "source: fact.key_spending", "source: fact.key_spend")
    assert message == "(top level): indicator key_spending: input key: fact.key_spend is not defined under facts"


def test_points_within_float_noise_add_up(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(TEXT.replace("total_points: 100", "total_points: 100.0000001"), encoding="utf-8")
    assert load_rubric(path).total_points == pytest.approx(100)


def test_top_level_not_a_mapping(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(err.value) == f"{path}: (top level): should be a mapping (key: value)"


def test_file_too_large(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("note: " + "x" * MAX_RUBRIC_BYTES, encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(err.value) == f"{path}: rubric file is larger than 2 MB"
    path.write_text(TEXT + "note: " + "x" * (MAX_RUBRIC_BYTES - len(TEXT.encode()) - 20) + "\n", encoding="utf-8")
    assert load_rubric(path).note.startswith("xxx")  # just under the limit: read


def test_not_utf8_or_a_directory(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(err.value).startswith(f"{path}: cannot read the rubric (")
    with pytest.raises(RubricError) as err:
        load_rubric(tmp_path)
    assert str(err.value).startswith(f"{tmp_path}: cannot read the rubric (")


def test_yaml_error_names_the_line(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\nb: x: y\n", encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(err.value) == f"{path}: line 2: mapping values are not allowed in this context"


def test_path_shown_relative_to_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RubricError) as err:
        load_rubric(tmp_path / "sub" / "nope.yaml")
    assert str(err.value) == f"sub{os.sep}nope.yaml: rubric file not found"


def test_wrong_types_get_short_messages(tmp_path):
    assert _broken(tmp_path, "    decimals: 1\n", "    decimals: one\n") == "indicators[0].decimals: value is not a whole number"
    assert _broken(tmp_path, "    unverified: true\n", "    unverified: maybe\n") == "indicators[11].unverified: should be true or false"
    assert _broken(tmp_path, "    needs: [", "    needs: {a: 1}\n    x: [", 1).startswith("indicators[7].")


# ---------------------------------------------------------------- bounds walked without recursion


def test_key_path():
    assert _key_path(("indicators", 3, "function-after[_x()]", "bands", 0, "min")) == "indicators[3].bands[0].min"
    assert _key_path(()) == "(top level)"
    assert _key_path((0, "a")) == "[0].a"


def test_check_values_bounds():
    _check_values({"a": [1, 2.5, True, MAX_NUMBER, -MAX_NUMBER, {"b": "text"}]})
    for bad, message in (
        ({"a": {"b": 10 ** 9 + 1}}, ("a.b", "number out of range (at most 1e+09 in absolute value)")),
        ({"a": [-(10 ** 10)]}, ("a[0]", "number out of range (at most 1e+09 in absolute value)")),
        ({"a": float("nan")}, ("a", "nan is not a finite number of at most 1e+09")),
        ({"a": -2e9}, ("a", "-2e+09 is not a finite number of at most 1e+09")),
    ):
        with pytest.raises(ValueError) as err:
            _check_values(bad)
        assert err.value.args == message


def test_check_values_nesting():
    deep: object = 1
    for _ in range(MAX_NESTING):
        deep = [deep]
    _check_values({"a": deep[0]})  # exactly MAX_NESTING levels under the top
    with pytest.raises(ValueError) as err:
        _check_values({"a": deep})
    assert err.value.args[1] == "nested more than 20 levels deep"
    shared = [1, 2]
    _check_values({"a": shared, "b": shared})  # an alias is walked once


# ---------------------------------------------------------------- more edges (from the mutation run)


def test_formulas_are_shown_whole_up_to_60_characters():
    with pytest.raises(ValueError) as err:
        formula_names("a +" + " " * 57)  # 60 characters
    assert str(err.value) == f"formula is not arithmetic: {'a +' + ' ' * 57!r}"
    with pytest.raises(ValueError) as err:
        formula_names("a +" + " " * 58)  # 61: cut to 57 and an ellipsis
    assert str(err.value) == f"formula is not arithmetic: {'a +' + ' ' * 54 + '…'!r}"


def test_unknown_column_message():
    with pytest.raises(ValueError) as err:
        check_source("table.assets.in_used")
    assert str(err.value) == "unknown column 'in_used' in 'table.assets.in_used': one of total, in_use, leased, other"


def test_no_grade_for_a_score_outside_every_band():
    rubric = load_rubric()
    assert rubric.grade_for(150) is None and rubric.grade_named("甲等") is None


def test_check_values_keeps_walking_after_an_alias_or_a_flag():
    shared = [1]
    with pytest.raises(ValueError) as err:
        _check_values({"c": 2e9, "a": shared, "b": shared})  # the second sight of `shared` must not end the walk
    assert err.value.args[0] == "c"
    with pytest.raises(ValueError) as err:
        _check_values({"z": 2e9, "flag": True})
    assert err.value.args[0] == "z"
    _check_values({"n": 10 ** 9, "m": -(10 ** 9)})  # whole numbers at the bound are fine


def test_check_values_shared_nodes_in_linear_time():
    """A YAML alias bomb: 3^18 paths through 18 shared lists. Walked once per node it is instant;
    walked per path it never ends (the mutation run counts that as a timeout)."""
    node: object = [1]
    for _ in range(18):
        node = [node, node, node]
    _check_values({"bomb": node})  # 20 levels under the top: allowed
    with pytest.raises(ValueError) as err:
        _check_values({"bomb": [node]})  # one more: the depth rule still applies
    assert err.value.args[0].startswith("bomb[0][") and err.value.args[1] == "nested more than 20 levels deep"


def test_file_of_exactly_the_size_limit_is_read(tmp_path):
    path = tmp_path / "x.yaml"
    pad = MAX_RUBRIC_BYTES - len(TEXT.encode()) - len("note: \n")
    path.write_text(TEXT + "note: " + "x" * pad + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_RUBRIC_BYTES
    assert load_rubric(path).note.startswith("xxx")


def test_a_number_too_long_for_python(tmp_path):
    message = _broken(tmp_path, "total_points: 100", "total_points: " + "9" * 5000)
    assert message == "a number is too long (Exceeds the limit (4300 digits) for integer string conversion: value has 5000 di)"


def test_yaml_error_without_a_position(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: \x07\n", encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(err.value) == f"{path}: not valid YAML"


def test_values_nested_too_deep_in_the_file(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(TEXT + "\nnote: " + "[" * 30 + "1" + "]" * 30 + "\n", encoding="utf-8")
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(err.value) == f"{path}: note{'[0]' * 20}: nested more than 20 levels deep"
