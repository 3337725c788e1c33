"""The answer contract's text handling: finding the JSON object in a model's reply, the re-ask's
error list, and the schemas sent to servers (strict, grammar, pinned quotes). Pure functions on
strings; the replies here are CONSTRUCTED to pin each rule, not recorded."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from reviewer.llm.schema import (
    GRAMMAR_LIMITS,
    _objects,
    extract_json,
    grammar_schema,
    json_schema,
    parse_judgement,
    schema_text,
    strip_reasoning,
    validation_message,
)

ANSWER = {"clauses": [{"id": 1, "clause": "发文", "verdict": "evidenced", "quotes": ["发文120件"], "reason": "有数"}],
          "vague": False, "follow_up": "无"}
TEXT = json.dumps(ANSWER, ensure_ascii=False)


def test_objects_are_top_level_and_complete():
    assert _objects('a {"x": {"y": 1}} b {"z": 2} {"open": ') == ['{"x": {"y": 1}}', '{"z": 2}']


def test_braces_and_quotes_inside_strings_do_not_count():
    text = '{"a": "}{ \\" }"} tail'
    assert _objects(text) == ['{"a": "}{ \\" }"}']
    assert _objects('{"a": "x\\\\"}') == ['{"a": "x\\\\"}']  # an escaped backslash ends before the quote


def test_a_quote_outside_any_object_opens_no_string():
    # "it's" and a stray " before the object must not hide the braces that follow
    assert _objects('he said "ok {"a": 1}') == ['{"a": 1}']


def test_a_closing_brace_before_any_opening_is_ignored():
    assert _objects('} {"a": 1}') == ['{"a": 1}']


def test_extract_takes_the_last_object_with_clauses():
    echo = json.dumps({"clauses": [], "note": "example"})
    reply = f"例如：{echo}\n回答：{TEXT}\n附注：{{\"x\": 1}}"
    assert json.loads(extract_json(reply)) == ANSWER


def test_extract_without_clauses_takes_the_last_parsed_object():
    assert json.loads(extract_json('{"a": 1} then {"b": 2} and {bad}')) == {"b": 2}
    assert json.loads(extract_json('{"a": 1} {"b": 2} {"c": 3}')) == {"c": 3}


def test_an_object_that_does_not_parse_does_not_hide_the_ones_after_it():
    assert json.loads(extract_json('{bad} ' + TEXT)) == ANSWER


def test_extract_reads_inside_a_fence():
    reply = "```json\n" + TEXT + "\n```"
    assert json.loads(extract_json(reply)) == ANSWER


def test_an_incomplete_answer_is_returned_from_its_brace_for_the_error_message():
    assert extract_json('好的，结果如下 {"clauses": [') == '{"clauses": ['
    assert extract_json("```json\n{\"clauses\": [\n```") == '{"clauses": ['
    assert extract_json("没有任何对象") == "没有任何对象"


def test_reasoning_blocks_are_removed_whatever_their_tag_or_case():
    assert strip_reasoning("<think>{\"clauses\": []}</think> 答案") == "答案"
    assert strip_reasoning("<Thinking>x</Thinking>\n<reasoning>y</reasoning>z") == "z"
    assert strip_reasoning("前言 <think>想了一半，没有结束") == "前言"  # cut off while thinking


def test_parse_judgement_after_reasoning():
    assert parse_judgement("<think>{\"vague\": true}</think>" + TEXT).clauses[0].quotes == ["发文120件"]


def test_validation_message_lists_where_and_what_at_most_eight():
    with pytest.raises(ValidationError) as exc:
        parse_judgement(json.dumps({"clauses": [{"id": "x"}] * 3, "vague": "?"}))
    lines = validation_message(exc.value).splitlines()
    assert len(lines) == 8 and all(line.startswith("- ") for line in lines)
    assert lines[0].startswith("- clauses.0.id: ") and "integer" in lines[0]
    with pytest.raises(ValidationError) as exc:
        parse_judgement("[1, 2]")
    assert validation_message(exc.value).startswith("- (root): ")


def test_schema_text_is_the_schema_readable():
    assert json.loads(schema_text()) == json_schema()
    assert "完成情况" in schema_text()  # Chinese descriptions, not \\u escapes


def test_grammar_schema_adds_the_limits_only_there():
    free = grammar_schema()
    clause = free["$defs"]["ClauseJudgement"]["properties"]
    assert free["properties"]["clauses"]["maxItems"] == GRAMMAR_LIMITS["clauses"]
    assert clause["quotes"]["items"]["maxLength"] == GRAMMAR_LIMITS["quote"]
    assert clause["reason"]["maxLength"] == GRAMMAR_LIMITS["reason"]
    assert "maxLength" not in json.dumps(json_schema())  # strict mode refuses it


@pytest.mark.parametrize("make", [json_schema, grammar_schema])
def test_pinned_quotes_are_an_enum_in_both_schemas(make):
    schema = make(("全年发文120件", "会议数减少33.33%"))
    items = schema["$defs"]["ClauseJudgement"]["properties"]["quotes"]["items"]
    assert items == {"type": "string", "enum": ["全年发文120件", "会议数减少33.33%"]}
    assert "enum" not in make(())["$defs"]["ClauseJudgement"]["properties"]["quotes"]["items"]


def test_pinned_quotes_come_before_the_verdict_in_the_grammar():
    clause = grammar_schema(("全年发文120件",))["$defs"]["ClauseJudgement"]
    assert list(clause["properties"]) == ["id", "clause", "quotes", "verdict", "reason"]
    assert clause["required"] == list(clause["properties"])
    assert list(grammar_schema()["$defs"]["ClauseJudgement"]["properties"]).index("verdict") == 2
