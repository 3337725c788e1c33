"""The seed report, read from its .docx, gives the values a reviewer sees on paper."""

from __future__ import annotations

import pytest

from reviewer.model import Report

KINDS = ["质量指标", "数量指标", "时效指标", "成本指标", "社会效益", "经济效益", "生态效益", "社会公众或服务对象满意度"]


def test_cover(seed_report: Report):
    c = seed_report.cover
    assert c.department.text == "中共岳阳市云溪区委办公室"
    assert c.budget_code.text == "062"
    assert c.method.text.startswith("部门")
    assert c.report_date.text == "2022年7月15日"
    assert c.year == 2021


def test_basics_and_staff(seed_report: Report):
    r = seed_report
    assert r.contact.text == "单颖"
    assert r.phone.text == "07308419088"
    assert r.staff.quota.value == 34 and r.staff.quota.state == "value"
    assert r.staff.actual.value == 36
    # 在职 comes from the narrative, not from 实有 (which includes retirees)
    assert r.staff.in_service.value == 31
    assert r.staff.in_service.location.table is not None and r.staff.in_service.location.span is not None
    assert r.staff.retired.value == 5
    assert r.duties.text.startswith("区委办公室是区委工作机关")
    assert [t.text[:3] for t in r.tasks] == ["任务1", "任务2", "任务3"]
    assert r.overall.text.startswith("今年来，区委办公室") and r.overall.text.endswith("没有发生一起压误、丢失、错办、泄密事件。")


def test_targets(seed_report: Report):
    targets = seed_report.targets
    assert [t.kind for t in targets] == KINDS
    assert [t.category for t in targets] == ["产出目标"] * 4 + ["效益目标"] * 4
    quantity = targets[1]
    assert quantity.target.text == (
        "全年编辑《区委通报》《云溪情况》等办公室内刊15期以上，在市级以上刊物上发表文稿10篇以上，"
        "形成一批有深度、有参考价值的对策建议和调研成果。"
    )
    # multi-paragraph completion keeps both numbered paragraphs, in order
    assert quantity.completion.text.startswith("1.全年共起草了领导讲话")
    assert "\n" in quantity.completion.text and "2.积极推介全区工作先进典型" in quantity.completion.text
    assert quantity.completion.text.endswith("排全市第一。")
    assert targets[2].target.text == "办文办会及时高效"
    assert targets[7].completion.text.endswith("未出现因接访不到位造成的缠访闹访现象。")
    # provenance: each target and completion points at its own cell
    cells = {(t.completion.location.table, t.completion.location.row, t.completion.location.col) for t in targets}
    assert len(cells) == 8
    assert all(t.target.location.col != t.completion.location.col for t in targets)


def test_qualitative(seed_report: Report):
    [q] = seed_report.qualitative
    assert q.expected.text.startswith("目标1：认真贯彻落实区委的总体部署")
    assert "目标3" in q.expected.text
    assert q.actual.text.startswith("今年来，区委办公室坚持")


SUMMARY_AND_BUREAU = {
    "income": {"total": 594.97, "carryover": 0, "general_budget": 594.97, "fund_budget": 0, "special_account": 0, "other": 0},
    "spending": {
        "total": 594.97,
        "basic": 516.14,
        "personnel": 415.50,
        "public": 100.64,
        "project": 78.83,
        "balance_year": 0,
        "balance_cumulative": 0,
    },
    "sangong": {"total": 0.53, "reception": 0.53, "vehicle_running": 0, "vehicle_purchase": 0, "overseas": 0},
    "assets": {"total": 226.71, "in_use": 226.71, "leased": 0, "other": 0},
}


@pytest.mark.parametrize("key", SUMMARY_AND_BUREAU)
def test_money_tables(seed_report: Report, key: str):
    table = seed_report.tables[key]
    assert [r.name for r in table.rows] == ["局机关及二级机构汇总", "1、局机关", "2、二级机构1", "3、二级机构2"]
    assert [r.is_summary for r in table.rows] == [True, False, False, False]
    expected = SUMMARY_AND_BUREAU[key]
    for row in table.rows[:2]:
        assert {k: v.value for k, v in row.values.items()} == expected
        assert all(v.state == "value" and v.unit == "万元" for v in row.values.values())
    # blank organisation rows are "missing", not zero
    for row in table.rows[2:]:
        assert {v.state for v in row.values.values()} == {"missing"}


def test_result_and_evaluators(seed_report: Report):
    assert seed_report.total_score.value == 99 and seed_report.total_score.raw == "99分"
    assert seed_report.grade.text == "优秀"
    assert [e.name for e in seed_report.evaluators] == ["龚舜林", "杨少刚", "单颖"]
    assert seed_report.evaluators[0].title == "常务副主任"


def test_score_table(seed_report: Report):
    table = seed_report.score_table
    assert table is not None
    rows = table.rows
    assert len(rows) == 25
    assert all(r.level3 != "三级指标" for r in rows)  # the header repeated at the page break is skipped
    assert rows[0].level3 == "财政供养人员控制率" and rows[0].level1 == "投入（15分）"
    assert rows[7].self_score.value == 2 and rows[7].reason.text == "相关管理制度需进一步健全完善"
    # the stray full-width space where 预算管理 should continue
    assert rows[10].level3 == "政府采购执行率" and rows[10].level2 == "预算管理（15分）"
    # the header row repeated at the page break does not break the 过程 group
    assert rows[13].level3 == "资产管理安全性" and rows[13].level1.startswith("过程")
    # 分值 15 merged over 经济/社会/生态效益
    eco, soc, env = rows[21:24]
    assert (eco.level3, soc.level3, env.level3) == ("经济效益", "社会效益", "生态效益")
    assert eco.points.value == 15 and eco.self_score.value == 15
    assert soc.points.state == "missing" and env.self_score.state == "missing"
    assert eco.shared_with == soc.shared_with == [21, 22, 23]
    points = sum(r.points.value for r in rows if r.points.known)
    scores = sum(r.self_score.value for r in rows if r.self_score.known)
    assert (points, scores) == (100, 99)
    assert table.total_points.value == 100 and table.total_self_score.value == 99


def test_sections(seed_report: Report):
    numbered = [(s.number, s.heading) for s in seed_report.sections if s.number]
    assert numbered == [
        ("一", "部门（单位）概况"),
        ("二", "一般公共预算支出情况"),
        ("六", "部门整体支出绩效情况"),
        ("七", "存在的问题及原因分析"),
        ("八", "下一步改进措施"),
        ("九", "其他需要说明的情况"),
    ]
    two = seed_report.section("二")
    assert any("基本支出516.14万元" in p.text for p in two.paragraphs)
    six = seed_report.section("六")
    assert any("5270元" in p.text for p in six.paragraphs)
    assert seed_report.section("九").paragraphs[0].text == "无"
    # each paragraph knows its place inside the 综述 cell
    assert len({p.location.paragraph for p in six.paragraphs}) == 3


def test_nothing_unread(seed_report: Report):
    assert seed_report.unread == []
