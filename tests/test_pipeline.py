"""The whole review of the seed report: ingest → checks → narrative rules → LLM judge → Review.

Without an endpoint the LLM rows say 未运行 and nothing counts as passed; with the recorded
`pipeline` cassette (a real llama-cpp-python server, see cassettes/meta.json) the judge runs on
all 8 rows with the rules' clauses in its prompts, offline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import llm_seed
from conftest import SEED_DOCX
from reviewer.findings import Finding
from reviewer.ingest import load_report
from reviewer.memo import render
from reviewer.pipeline import Options, merge_same_place, review_report
from reviewer.review import Review

LLM_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "REVIEWER_MODEL")
META = json.loads(llm_seed.META_FILE.read_text()) if llm_seed.META_FILE.exists() else None
DUMMY_KEY = "sk-dummy-Pipeline0123456789abcdef"


@pytest.fixture
def no_endpoint(monkeypatch, tmp_path):
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path / "cache"))


def by(review: Review, judge: str):
    return [v for v in review.verdicts if v.by == judge]


def test_without_an_endpoint_every_layer_but_the_llm_runs(seed_report, no_endpoint):
    review = review_report(seed_report, Options())
    sources = {f.source for f in review.findings}
    assert {"checks", "rules"} <= sources, sources
    assert review.rubric.startswith("hunan-dept-overall-2021.yaml")
    assert len(review.indicators) == 25
    assert [v.target_index for v in by(review, "rules")] == list(range(8))

    # the LLM is reported as not run on every row, never as passed
    assert not review.llm.ran and "未运行" in review.llm.note
    llm = by(review, "llm")
    assert [v.target_index for v in llm] == list(range(8))
    assert all(v.verdict == "not_checked" and v.status_note.startswith("未运行") for v in llm)
    assert not any(f.code.startswith("llm.") and f.code != "llm.not_run" for f in review.findings)


def test_one_finding_per_cell_when_two_layers_agree(seed_report, no_endpoint):
    review = review_report(seed_report, Options())
    satisfaction = [f for f in review.findings if f.code == "score.unsupported" and "满意度" in f.location.label]
    assert len(satisfaction) == 1
    message = satisfaction[0].message
    assert "满意度调查" in message and "目标不可衡量" in message  # the rubric's reason and the rules' reason
    doubtful = {i.indicator for i in review.indicators if i.status == "doubtful"}
    assert "社会公众或服务对象满意度" in doubtful and "经济效益" in doubtful
    assert "财政供养人员控制率" not in doubtful  # verified by arithmetic, no rule against it


def test_merge_same_place_keeps_findings_without_a_place_apart():
    a = Finding(code="input.unreadable", severity="info", message="甲", source="ingest")
    b = Finding(code="input.unreadable", severity="info", message="乙", source="ingest")
    assert [f.message for f in merge_same_place([a, b])] == ["甲", "乙"]


def test_cli_on_the_bundled_example_without_an_endpoint(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if k not in LLM_ENV}
    env["REVIEWER_CACHE_DIR"] = str(tmp_path / "cache")
    example = Path(__file__).resolve().parent.parent / "examples" / "yunxi-2021-quweiban.docx"
    out = tmp_path / "memo.md"
    proc = subprocess.run([sys.executable, "-m", "reviewer", str(example), "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    memo = out.read_text(encoding="utf-8")
    assert "未运行（未配置模型服务）" in memo
    assert "15期以上" in memo  # the rules' verdict on the 数量指标 row is in the memo


def test_a_broken_rubric_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "rubric.yaml"
    bad.write_text("id: x\nversion: 1\n  title: [unclosed\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "reviewer", str(SEED_DOCX), "--rubric", str(bad), "-o", str(tmp_path / "m.md")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "rubric.yaml" in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert not (tmp_path / "m.md").exists()


@pytest.mark.skipif(META is None or "pipeline" not in META.get("scenarios", {}), reason="no pipeline cassette")
def test_full_review_replays_the_pipeline_cassette(tmp_path):
    report = load_report(llm_seed.FIXTURES / llm_seed.SCENARIOS["pipeline"]["docx"])
    options = llm_seed.pipeline_options(META["base_url"], META["model"], DUMMY_KEY, tmp_path / "llm.sqlite3", concurrency=4)
    with llm_seed.make_vcr("none").use_cassette(str(llm_seed.cassette_path("pipeline"))) as cassette:
        review = review_report(report, options)
    assert cassette.all_played and review.llm.ran and review.llm.calls == len(cassette)

    # the judge was given the rules' clauses, so both judges speak of the same parts of a target
    rules = {v.target_index: v for v in by(review, "rules")}
    sent = "\n".join(llm_seed.user_text(json.loads(r.body)) for r in cassette.requests)
    for clause in rules[1].clauses:
        assert clause.text in sent, clause.text

    usage = [json.loads(r["body"]["string"])["usage"] for r in cassette.responses if r["status"]["code"] == 200]
    assert review.llm.prompt_tokens == sum(u["prompt_tokens"] for u in usage) > 0

    llm = by(review, "llm")
    assert [v.target_index for v in llm] == list(range(8))
    failed_rows = {f.location.row for f in review.findings if f.code in ("llm.failed", "llm.incomplete_answer")}
    for v in llm:
        row = report.targets[v.target_index]
        if v.verdict == "not_checked":  # a row the model never answered (in shape, or clause by clause) is 未完成, and says so
            assert v.status_note.startswith("未完成") and row.location.row in failed_rows, v
        for quote in v.quotes:  # every quote kept as evidence is verbatim in the completion
            assert quote in row.completion.text, quote
        assert v.verdict not in ("evidenced", "partial") or v.quotes
    assert any(v.verdict != "not_checked" for v in llm)

    memo = render(review, "md")
    assert META["model"] in memo and "未运行" not in memo.split("LLM", 1)[-1][:200]

    # reviewing the unchanged report again asks only about the rows that had no answer (an answer
    # that left clauses out after its re-ask is an answer: it is cached)
    answered = [v for v in llm if "llm.failed" not in v.flags]
    failed_kinds = {report.targets[v.target_index].kind for v in llm if "llm.failed" in v.flags}
    with llm_seed.make_vcr("none").use_cassette(str(llm_seed.cassette_path("pipeline"))) as cassette2:
        again = review_report(load_report(llm_seed.FIXTURES / "yunxi-2021-quweiban.docx"), options)
    asked = {llm_seed.row_kind(json.loads(r.body)) for i, r in enumerate(cassette2.requests) if cassette2.play_counts[i]}
    assert again.llm.cache_hits == len(answered) and asked == failed_kinds
    assert cassette2.play_count == again.llm.calls and (again.llm.calls > 0) == bool(failed_kinds)


def test_two_clauses_of_one_target_stay_two_findings(seed_report, no_endpoint):
    review = review_report(seed_report, Options())
    row = seed_report.targets[1].completion.location.row
    not_evidenced = [f for f in review.findings if f.code == "target.not_evidenced" and f.location.row == row]
    assert len(not_evidenced) == 2
    assert not any("另：" in f.message for f in not_evidenced)


def test_one_question_per_cause_for_the_department(seed_report, no_endpoint):
    """Seven unmeasurable targets are one question naming seven rows; a row is named once per cause."""
    from reviewer.memo.model import build_memo

    memo = build_memo(review_report(seed_report, Options()))
    assert len(memo.problems) <= 10
    keys = [p.key for p in memo.problems]
    assert len(keys) == len(set(keys))
    unmeasurable = next(p for p in memo.problems if p.key == "target_not_measurable")
    assert [i.name for i in unmeasurable.items] == ["质量指标", "时效指标", "成本指标", "社会效益", "经济效益", "生态效益", "社会公众或服务对象满意度"]
    for p in memo.problems:
        rows = [(i.score_row, i.target_row) for i in p.items]
        assert len(rows) == len(set(rows)), p.key
    asked = [i.score_row for p in memo.problems for i in p.items if i.score_row is not None]
    assert len(asked) == len(set(asked))  # a 评分表 row is asked about under one cause only
    assert any("满意度" in i.name for p in memo.problems if p.key == "score_unsupported" for i in p.items)
