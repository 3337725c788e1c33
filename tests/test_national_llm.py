"""The LLM judge takes a national form's rows: the 年度总体目标 and every indicator row.

FAKE SERVER: the replies are constructed verdicts through httpx2.MockTransport (llm_seed.FakeServer);
the test checks what reaches the judge and what it does with an answer, not what a model says.
"""

from __future__ import annotations

from pathlib import Path

from llm_seed import FakeServer, answer, config, ok, row_kind, user_text
from reviewer.ingest import load_report
from reviewer.llm import judge_report
from reviewer.national_targets import narrative_rules
from reviewer.pipeline import indicator_rubric_for

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"


def test_every_indicator_row_is_judged_with_the_rules_verdict(tmp_path: Path):
    report = load_report(CORPUS / "mof-2023-zhuxi-nutrition-sloppy.docx")
    rules, _ = narrative_rules(report, indicator_rubric_for(report))

    def reply(body, n):
        if row_kind(body) == "供餐天数":
            return ok(answer(("≥200天", "evidenced", ["186天"])))  # a model that misses the shortfall
        return ok(answer(*[("目标", "not_evidenced", [])] * 6))  # every clause id the rules send (up to 5 here)

    server = FakeServer(reply)
    verdicts, findings, run = judge_report(report, rules, config(server, tmp_path))
    asked = {row_kind(b) for b in server.requests}
    assert asked == {t.kind for t in report.targets}  # 年度总体目标 + 11 indicator rows
    assert len(server.requests) == 12
    meals = next(b for b in server.requests if row_kind(b) == "供餐天数")
    assert "≥200天" in user_text(meals) and "186天" in user_text(meals)
    row = next(t for t in report.targets if t.kind == "供餐天数")
    assert next(v for v in verdicts if v.target_index == row.index).verdict == "evidenced"
    # the rules read 186 < 200 from the cells: a person must decide between them
    disagree = [f for f in findings if f.code == "llm.disagrees_with_rules"]
    assert any(f.location.row == row.location.row for f in disagree)
