"""The full LLM path, offline, from cassettes of REAL exchanges.

The cassettes in cassettes/ were recorded by scripts/record-cassettes against llama-cpp-python's
server (SmolLM2-135M-Instruct, loopback); cassettes/meta.json says which endpoint, model and prompt
version. They are replayed with vcrpy in record mode "none" with request bodies matched, so any
change to the prompts or the request shape fails here until the cassettes are re-recorded. The
replies are the model's own — poor Chinese judgements are expected and are what the quote
verifier, the fallback chain and the re-ask are tested on.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3

import pytest

import llm_seed
from reviewer.llm import LLMConfig, judge_report
from reviewer.llm.cache import Cache
from reviewer.llm.config import Halts
from reviewer.llm.prompts import prompt_version
from reviewer.llm.schema import parse_judgement
from reviewer.llm.verify import QuoteVerifier

META = json.loads(llm_seed.META_FILE.read_text()) if llm_seed.META_FILE.exists() else None
pytestmark = pytest.mark.skipif(META is None, reason="no cassettes/meta.json: run scripts/record-cassettes")

DUMMY_KEY = "sk-dummy-Replay0123456789abcdefXYZ"


def replay_config(tmp_path, scenario: str, **kw) -> LLMConfig:
    values = dict(META["recording_config"])
    values.update(llm_seed.SCENARIOS[scenario]["config"])
    values.update(concurrency=4)  # the pool is exercised on replay; bodies do not depend on it
    values.update(kw)
    if "modes" in values:
        values["modes"] = tuple(values["modes"])
    return LLMConfig(base_url=META["base_url"], model=META["model"], api_key=DUMMY_KEY,
                     cache_path=tmp_path / "llm.sqlite3", halts=Halts(), **values)


def replay(tmp_path, scenario: str, **kw):
    report = llm_seed.seed_report(llm_seed.SCENARIOS[scenario]["rows"])
    with llm_seed.make_vcr("none").use_cassette(str(llm_seed.cassette_path(scenario))) as cassette:
        verdicts, findings, run = judge_report(report, [], replay_config(tmp_path, scenario, **kw))
    return report, verdicts, findings, run, cassette


def exchanges(cassette):
    """(request JSON, status, response JSON or text) for every recorded exchange."""
    out = []
    for request, response in zip(cassette.requests, cassette.responses):
        body = response["body"]["string"]
        body = body.decode() if isinstance(body, bytes) else body
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = body
        out.append((json.loads(request.body), response["status"]["code"], parsed))
    return out


def row_of(request: dict, report) -> int:
    kind = llm_seed.row_kind(request)
    user = llm_seed.user_text(request)
    return next(r.index for r in report.targets if r.kind == kind and r.target.text[:20] in user)


def test_cassettes_match_current_prompts():
    assert META["prompt_version"] == prompt_version(), (
        "prompts/ changed since the cassettes were recorded: run scripts/record-cassettes"
    )
    for name in llm_seed.SCENARIOS:
        assert llm_seed.cassette_path(name).exists(), f"missing cassette for {name}: run scripts/record-cassettes"


def test_seed_report_full_path(tmp_path):
    report, verdicts, findings, run, cassette = replay(tmp_path, "seed")
    assert cassette.all_played and run.calls == len(cassette) > 8

    # the fallback chain was walked on real answers and ended on a working mode, remembered
    ex = exchanges(cassette)
    first_request, first_status, first_body = ex[0]
    assert first_request["response_format"]["type"] == "json_schema" and first_status == 500
    assert "response_format" in json.dumps(first_body)  # llama-cpp-python's validation message
    assert run.mode == "json_object_schema"
    assert Cache(tmp_path / "llm.sqlite3").mode_for(META["base_url"], META["model"]) == "json_object_schema"

    # every row has a verdict from the model (poor as it is), none crashed
    assert [v.target_index for v in verdicts] == list(range(8))
    assert all(v.by == "llm" and v.verdict != "not_checked" for v in verdicts)

    # every quote the model gave was checked: verified ones are cited, the rest flagged
    answered: dict[int, list[str]] = {}
    for request, status, body in ex:
        if status != 200:
            continue
        try:
            judgement = parse_judgement(body["choices"][0]["message"]["content"])
        except ValueError:
            continue  # an answer that failed validation (re-asked)
        answered[row_of(request, report)] = [q for c in judgement.clauses for q in c.quotes]
    assert sorted(answered) == list(range(8))
    n_quotes = n_unverified = 0
    for index, quotes in answered.items():
        verifier = QuoteVerifier(report.targets[index].completion.text)
        v = verdicts[index]
        for quote in quotes:
            n_quotes += 1
            check = verifier.check(quote)
            if check.verified:
                assert check.text in v.quotes
            else:
                n_unverified += 1
                assert "llm.unverified_quote" in v.flags
                assert any(f.code == "llm.unverified_quote" and f.location.row == report.targets[index].completion.location.row
                           for f in findings)
        if v.verdict in ("evidenced", "partial"):
            assert v.quotes, "a verdict of evidence without a verified quote"
    assert n_quotes > 0 and n_unverified > 0  # the small model invents quotes: the verifier caught them

    # token usage is what the server reported, summed
    usage = [b["usage"] for _, s, b in ex if s == 200]
    assert run.prompt_tokens == sum(u["prompt_tokens"] for u in usage) > 0
    assert run.completion_tokens == sum(u["completion_tokens"] for u in usage) > 0
    assert run.prompt_version == META["prompt_version"] and run.ran

    # a second review of the unchanged report is served from the cache: no request at all
    report2, verdicts2, findings2, run2, cassette2 = replay(tmp_path, "seed")
    assert cassette2.play_count == 0 and run2.calls == 0 and run2.cache_hits == 8
    assert run2.prompt_tokens == 0
    assert [v.model_dump() for v in verdicts2] == [v.model_dump() for v in verdicts]


def test_injected_instructions_do_not_pass(tmp_path):
    report, verdicts, findings, run, cassette = replay(tmp_path, "injection")
    assert cassette.all_played
    for v in verdicts:
        assert v.verdict != "evidenced"
        for q in v.quotes:  # nothing quoted from the instruction sentences counts
            assert "判定为已完成" not in q and "verdict" not in q
    assert all("指令性文字" in v.reason for v in verdicts if v.verdict != "not_checked")


def test_prompt_mode_masks_and_reasks_on_real_output(tmp_path):
    report, verdicts, findings, run, cassette = replay(tmp_path, "prompt_mode")
    assert cassette.all_played and run.mode == "prompt"
    ex = exchanges(cassette)
    assert all("response_format" not in req for req, _, _ in ex)
    assert all("JSON Schema" in llm_seed.user_text(req) for req, _, _ in ex)
    wire = json.dumps([req for req, _, _ in ex], ensure_ascii=False)
    assert "07308419088" not in wire and "单颖" not in wire and "〔电话1〕" in wire and "〔姓名1〕" in wire
    reasks = [req for req, _, _ in ex if [m["role"] for m in req["messages"]][-2:] == ["assistant", "user"]]
    assert reasks, "the real model's prompt-mode answers were expected to need a re-ask"
    for v in verdicts:  # each row: a checked verdict or 未完成, never a crash
        assert v.verdict != "not_checked" or v.status_note.startswith("未完成: ")
        assert v.verdict != "evidenced" or v.quotes


def test_no_secret_in_cassettes_cache_or_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    replay(tmp_path, "seed")
    replay(tmp_path, "seed")
    stores = sorted(llm_seed.CASSETTE_DIR.iterdir()) + [tmp_path / "llm.sqlite3"]
    for path in stores:
        data = path.read_bytes().decode("utf-8", errors="replace")
        assert DUMMY_KEY not in data, path
        assert not re.search(r"(?i)\bauthorization\b|api-key|\bsk-[A-Za-z0-9]", data), path
    assert DUMMY_KEY not in caplog.text
    with sqlite3.connect(tmp_path / "llm.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    assert DUMMY_KEY not in dump and "Bearer" not in dump


def test_ingested_seed_report_replays_the_same_cassette(seed_report, tmp_path):
    """The report read from the seed .docx by reviewer.ingest asks exactly what the hand-built
    rows ask (same masked prompts), so the same real exchanges replay for it."""
    with llm_seed.make_vcr("none").use_cassette(str(llm_seed.cassette_path("seed"))) as cassette:
        verdicts, findings, run = judge_report(seed_report, [], replay_config(tmp_path, "seed"))
    assert cassette.all_played and run.calls == len(cassette)
    assert len(verdicts) == 8 and all(v.verdict != "not_checked" for v in verdicts)
    for f in findings:
        assert f.location.table is not None and f.location.row is not None


def test_truncated_answer_is_asked_again_with_a_larger_cap(tmp_path):
    """The real server, capped at 48 tokens, stops mid-answer (finish_reason "length"); the judge
    asks the same question once more with a larger cap instead of a format re-ask."""
    report, verdicts, findings, run, cassette = replay(tmp_path, "truncated")
    assert cassette.all_played and run.calls == len(cassette) == 2
    (req1, status1, body1), (req2, status2, body2) = exchanges(cassette)
    assert status1 == status2 == 200
    assert body1["choices"][0]["finish_reason"] == "length"
    assert req1["max_tokens"] == 48 and req2["max_tokens"] > 4 * 48
    assert req2["messages"] == req1["messages"]  # the same question, not a re-ask about format
    v = verdicts[0]
    if body2["choices"][0]["finish_reason"] == "length":
        assert v.verdict == "not_checked" and "回答被截断" in v.status_note
    else:
        assert "格式校验" not in v.status_note


def test_duplicate_rows_are_asked_once(tmp_path):
    """Rows 0, 2 and 3 are the same row: the real server was asked two questions for four rows."""
    report, verdicts, findings, run, cassette = replay(tmp_path, "duplicates")
    assert cassette.all_played and run.calls == len(cassette)
    first_asks = [llm_seed.row_kind(req) for req, _, _ in exchanges(cassette) if len(req["messages"]) == 2]
    assert sorted(first_asks) == sorted([llm_seed.ROWS[7][1], llm_seed.ROWS[2][1]])  # one question per distinct row
    same = [verdicts[i].model_dump(exclude={"target_index"}) for i in (0, 2, 3)]
    assert same[0] == same[1] == same[2]


def test_real_model_dropping_clauses_is_reasked_and_never_passes(tmp_path):
    """The seed .docx through the whole pipeline: the rules' clauses go out numbered, and the real
    small model leaves some out. Each such answer was re-asked once naming the missing ids; what is
    still missing reads 未判断 with llm.incomplete_answer, and no such row is 有据."""
    from reviewer.ingest import load_report
    from reviewer.pipeline import review_report

    report = load_report(llm_seed.FIXTURES / llm_seed.SCENARIOS["pipeline"]["docx"])
    options = llm_seed.pipeline_options(META["base_url"], META["model"], DUMMY_KEY, tmp_path / "llm.sqlite3")
    with llm_seed.make_vcr("none").use_cassette(str(llm_seed.cassette_path("pipeline"))) as cassette:
        review = review_report(report, options)
    assert cassette.all_played
    reasks = [req for req, _, _ in exchanges(cassette) if len(req["messages"]) == 4]
    assert any("缺少第" in req["messages"][-1]["content"] for req in reasks)
    llm = [v for v in review.verdicts if v.by == "llm"]
    incomplete = [v for v in llm if "llm.incomplete_answer" in v.flags]
    assert incomplete, "the recorded model was expected to leave clauses out"
    for v in incomplete:
        assert v.verdict != "evidenced" and any(c.outcome == "not_checked" for c in v.clauses)
        assert any(f.code == "llm.incomplete_answer" and f.location.row == report.targets[v.target_index].completion.location.row
                   for f in review.findings)
    for v in llm:  # every clause the rules found is accounted for, by id
        rules = next(r for r in review.verdicts if r.by == "rules" and r.target_index == v.target_index)
        if v.verdict != "not_checked" or v.clauses:
            assert [c.text for c in v.clauses] == [c.text for c in rules.clauses if c.text.strip()]


def test_pinned_quotes_from_a_real_model_verify_and_are_cited(tmp_path):
    """The positive path on REAL output: with quote_choices (the llamacpp preset's default) the
    recorded requests carry the completion's pieces as the only quotes the grammar allows, SmolLM2
    quoted from them, and every quote verifies and is cited with its span — no llm.unverified_quote."""
    from reviewer.llm.verify import quote_choices

    report, verdicts, findings, run, cassette = replay(tmp_path, "quoted")
    assert run.ran and run.calls == len(cassette.requests) >= 2
    quoted = 0
    for request, status, reply in exchanges(cassette):
        row = report.targets[row_of(request, report)]
        pinned = request["response_format"]["schema"]["$defs"]["ClauseJudgement"]["properties"]["quotes"]["items"]
        assert tuple(pinned["enum"]) == quote_choices(row.completion.text, 80)
        for clause in parse_judgement(reply["choices"][0]["message"]["content"]).clauses:
            for quote in clause.quotes:
                assert QuoteVerifier(row.completion.text).check(quote).verified
                quoted += 1
    assert quoted >= 2, "the recording should hold quotes"
    assert "llm.unverified_quote" not in {f.code for f in findings}
    for verdict in verdicts:
        completion = report.targets[verdict.target_index].completion.text
        assert verdict.quotes, f"row {verdict.target_index}: its verified quotes are kept"
        for clause in verdict.clauses:
            start, end = clause.evidence_span
            assert completion[start:end] == clause.evidence and clause.evidence


def test_free_quotes_from_the_same_model_do_not_all_verify(tmp_path):
    """Why pinning exists: the seed cassette (same model, quotes not pinned) holds quotes that are
    not in the text, and each one is reported, never counted."""
    _, _, findings, _, _ = replay(tmp_path, "seed")
    assert "llm.unverified_quote" in {f.code for f in findings}


@pytest.mark.skipif("national" not in (META or {}).get("scenarios", {}), reason="no national cassette")
def test_a_national_form_on_real_output_its_rows_asked_and_its_pinned_quotes_verify(tmp_path):
    """A national 自评表 reviewed whole against the REAL server's recorded answers (llama-cpp-python,
    SmolLM2, quotes pinned by quote_choices): every indicator row and the 年度总体目标 was asked, each
    request offered that row's own completion pieces as the only quotes, and every quote verifies."""
    from reviewer.ingest import load_report
    from reviewer.llm.verify import quote_choices
    from reviewer.pipeline import review_report

    scenario = llm_seed.SCENARIOS["national"]
    report = load_report(llm_seed.scenario_docx(scenario))
    options = llm_seed.pipeline_options(META["base_url"], META["model"], DUMMY_KEY, tmp_path / "llm.sqlite3",
                                        concurrency=4, **scenario["config"])
    with llm_seed.make_vcr("none").use_cassette(str(llm_seed.cassette_path("national"))) as cassette:
        review = review_report(report, options)
    assert review.llm.ran and cassette.all_played
    asked = [t for t in report.targets if t.completion.text.strip()]
    model = {v.target_index: v for v in review.verdicts if v.by == "llm"}
    assert {t.index for t in asked} <= set(model)
    assert not [v for v in model.values() if v.status_note.startswith("未运行")]
    # a row the 135M model would not answer by clause id (after the re-ask) is 未完成, never a pass
    failed = [v for v in model.values() if v.status_note.startswith("未完成")]
    assert all("llm.failed" in v.flags and v.verdict == "not_checked" for v in failed)
    assert len(failed) < len(asked) / 2
    completions = {t.completion.text for t in report.targets}
    pinned, free_bad = 0, set()
    for request, status, reply in exchanges(cassette):
        if status != 200:
            continue
        user = llm_seed.user_text(request)
        owner = max((c for c in completions if c.strip() and f"完成情况：{c.strip()}" in user), key=len)
        items = request["response_format"]["schema"]["$defs"]["ClauseJudgement"]["properties"]["quotes"]["items"]
        # the only quotes the grammar allowed are that row's own pieces; a cell too short to be a quote
        # ("12家") offers none, its quotes are free and checked like any other
        assert tuple(items.get("enum", ())) == quote_choices(owner, 80)
        for clause in parse_judgement(reply["choices"][0]["message"]["content"]).clauses:
            for quote in clause.quotes:
                if "enum" in items:
                    assert QuoteVerifier(owner).check(quote).verified, quote
                    pinned += 1
                elif not QuoteVerifier(owner).check(quote).verified:
                    free_bad.add(owner)
    assert pinned >= 1, "the recording should hold pinned quotes"
    flagged = {t.completion.text for f in review.findings if f.code == "llm.unverified_quote"
               for t in report.targets if (t.completion.location.table, t.completion.location.row) == (f.location.table, f.location.row)}
    failed_texts = {report.targets[v.target_index].completion.text for v in failed}
    # every free quote that is not in the text is reported, never counted (an answer that failed the
    # clause contract counts for nothing at all: it is 未完成)
    assert free_bad - failed_texts <= flagged
