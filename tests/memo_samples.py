"""Hand-made Reviews on the real fixture report, for the writer tests (the checks, narrative and
LLM layers are built in parallel; these stand in for their output with the same shapes)."""

from __future__ import annotations

from reviewer.findings import Finding
from reviewer.model import Location, Report
from reviewer.review import Clause, IndicatorResult, LLMRun, Review, TargetVerdict


def sample_findings(report: Report) -> list[Finding]:
    t1 = report.targets[1]  # 数量指标: "全年编辑…内刊15期以上，…发表文稿10篇以上"
    completion = t1.completion.text
    a = completion.index("100多篇")
    st = report.score_table
    shared = st.rows[22]  # 社会效益: its 自评得分 cell is the vertically merged 15 above it
    section = report.section("二")
    return [
        Finding(
            code="score.recomputed_differs",
            severity="error",
            message="管理制度健全性自评2分，按报告数据应得3分。",
            location=st.rows[7].self_score.location,
            expected=3.0,
            found=2.0,
        ),
        Finding(
            code="completion.vague",
            severity="warning",
            message="完成情况以“100多篇”等约数表述，未给出目标要求的期数和篇数。",
            location=t1.completion.location.with_span(a, a + len("100多篇")),
            source="rules",
        ),
        Finding(
            code="score.unsupported",
            severity="warning",
            message="履职效益满分，但报告未提供效益数据。",
            location=shared.self_score.location,
        ),
        Finding(
            code="target.not_measurable",
            severity="warning",
            message="时效指标“办文办会及时高效”没有时限。",
            location=report.targets[2].location,  # a whole row: col None
            source="rules",
        ),
        Finding(
            code="score.unverifiable",
            severity="info",
            message="报告未提供重点项目支出，无法核实重点支出安排率。",
            location=st.rows[2].location.model_copy(update={"col": 5}),
        ),
        Finding(
            code="narrative.figure_mismatch",
            severity="warning",
            message="部门名称段落示例问题。",
            location=report.cover.department.location,  # a body-level paragraph
        ),
        Finding(
            code="narrative.figure_mismatch",
            severity="info",
            message="综述第二部分第一段的示例问题。",
            location=section.paragraphs[0].location,  # a paragraph inside a cell
        ),
        Finding(code="input.unreadable", severity="info", message="全文级的示例问题（无位置）。"),
    ]


def sample_review(report: Report) -> Review:
    t1 = report.targets[1]
    target = t1.target.text
    completion = t1.completion.text
    c1 = target.index("15期以上")
    e1 = completion.index("《区委通报》《云溪情况》编辑工作")
    verdicts = [
        TargetVerdict(
            target_index=1,
            by="rules",
            verdict="partial",
            clauses=[
                Clause(
                    text=target[: c1 + 5],
                    span=(0, c1 + 5),
                    object="办公室内刊",
                    comparator=">=",
                    value=15,
                    unit="期",
                    outcome="not_reported",
                    evidence=completion[e1 : e1 + 17],
                    evidence_span=(e1, e1 + 17),
                    note="完成情况提到内刊编辑，但没有期数。",
                )
            ],
            flags=["completion.vague"],
            reason="目标的数量要求没有对应数字。",
            follow_up="请说明全年实际编辑内刊的期数和在市级以上刊物发表文稿的篇数。",
        ),
        TargetVerdict(target_index=1, by="llm", verdict="not_checked", status_note="未运行 (no endpoint configured)"),
    ]
    indicators = [
        IndicatorResult(row_index=0, indicator="财政供养人员控制率", status="verified", claimed=5, recomputed=5,
                        working="在职31人 / 编制34人 = 91.2% ≤ 100% → 5分"),
        IndicatorResult(row_index=2, indicator="重点支出安排率", status="unverifiable", claimed=5,
                        needs=["重点项目支出", "项目支出"]),
        IndicatorResult(row_index=7, indicator="管理制度健全性", status="wrong", claimed=2, recomputed=3, working="示例"),
        IndicatorResult(row_index=21, indicator="经济效益", status="doubtful", claimed=15),
    ]
    return Review(
        report=report,
        findings=sample_findings(report),
        indicators=indicators,
        verdicts=verdicts,
        llm=LLMRun(),
        tool_version="test",
    )
