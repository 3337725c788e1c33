"""A row's verdict from its clauses: evidenced only when EVERY applicable clause is evidenced.

FAKE SERVER: the answers are constructed (llm_seed.FakeServer, an httpx2.MockTransport), with quotes
that are really in the completion, so that only the combining of clause verdicts is under test.
"""

from __future__ import annotations

import pytest

import llm_seed
from llm_seed import FakeServer, answer, config, ok
from reviewer.llm import judge_report

ROW = llm_seed.ROWS[1]  # 数量指标: 内刊15期以上 / 发表文稿10篇以上 / 对策建议和调研成果
DRAFTS = "全年共起草了领导讲话、情况汇报等各类文稿100多篇"
RESEARCH = "石化产业延链补链等一批调研成果纳入区委决策程序"


def row_verdict(tmp_path, *clauses):
    report = llm_seed.seed_report([ROW])
    assert DRAFTS in ROW[3] and RESEARCH in ROW[3]
    verdicts, findings, _ = judge_report(report, [], config(FakeServer(lambda body, n: ok(answer(*clauses))), tmp_path))
    (v,) = verdicts
    assert not [f for f in findings if f.code == "llm.unverified_quote"]
    return v


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (("对策建议和调研成果", "evidenced", [RESEARCH]), "evidenced"),
        (("对策建议和调研成果", "not_evidenced", []), "partial"),
        (("对策建议和调研成果", "partial", [RESEARCH]), "partial"),
        (("对策建议和调研成果", "not_applicable", []), "evidenced"),
    ],
)
def test_one_evidenced_clause_and_another(tmp_path, second, expected):
    v = row_verdict(tmp_path, ("发表文稿10篇以上", "evidenced", [DRAFTS]), second)
    assert v.verdict == expected
    assert len(v.clauses) == 2


def test_no_clause_evidenced_is_not_evidenced(tmp_path):
    v = row_verdict(tmp_path, ("发表文稿10篇以上", "not_evidenced", []), ("对策建议和调研成果", "not_evidenced", []))
    assert v.verdict == "not_evidenced"


def test_a_partial_clause_among_unevidenced_ones_is_partial(tmp_path):
    v = row_verdict(tmp_path, ("发表文稿10篇以上", "partial", [DRAFTS]), ("对策建议和调研成果", "not_evidenced", []))
    assert v.verdict == "partial"


def test_mixed_verdicts_in_three_clauses_are_never_evidenced(tmp_path):
    v = row_verdict(
        tmp_path,
        ("编辑内刊15期以上", "not_evidenced", []),
        ("发表文稿10篇以上", "evidenced", [DRAFTS]),
        ("对策建议和调研成果", "evidenced", [RESEARCH]),
    )
    assert v.verdict == "partial"
