"""Forms built from the header-role vocabulary (reviewer/data/header_roles.yaml), read with no layout
file of their own: shuffled and renamed columns, a two-row header under a title row, the total at the
top, the funding block in both orientations, 指标性质 and 度量单位 columns; an unfamiliar title read by
the generic reader; a table with no indicator header refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from national_forms import LEFT, UP, build_docx
from reviewer.errors import InputError
from reviewer.ingest import load_report
from reviewer.ingest.header_roles import classify, norm, strip_numbering, vocabulary
from reviewer.pipeline import Options, review_report

# A title no layout knows: a 市 form of a 局's own making.
TITLE = ["某某市交通运输局专项资金绩效自评情况表", "（2024年度）"]
ROLES = vocabulary().roles("indicators")


def _review(path: Path):
    return review_report(load_report(path), Options(llm_enabled=False))


# ---------------------------------------------------------------- the vocabulary itself


@pytest.mark.parametrize("text,role", [
    ("指标得分（分）", "score"),  # exact after the bracket: a score, not a name
    ("得分系数（%）", "coefficient"),  # exact coefficient before the prefix 得分
    ("年度\n指标值", "target"),
    ("全年实际值（B）", "actual"),
    ("调整后指标值", "adjusted_target"),
    ("年初指标值", "initial_target"),  # exact, not the target it contains
    ("计量单位", "unit"),
    ("指标权重（分）", "points"),
    ("未完成原因分析及改进措施", "reason"),
    ("三级指标名称", "level3"),  # prefix
    ("本年度实际完成值", "actual"),  # contains
])
def test_a_header_cell_gets_its_role(text, role):
    assert classify(text, ROLES).role == role


def test_normalising_drops_whitespace_brackets_numbering_and_full_width_forms():
    assert norm(" 1.项目 年度目标（盖章）：") == "项目年度目标"
    assert norm("指标１：ＡＢ值（Ａ）") == "AB值"
    assert strip_numbering("指标1：中型泵站改造数") == "中型泵站改造数"
    assert strip_numbering("2、 公交线网优化") == "公交线网优化"
    assert classify("本单位情况说明", ROLES) is None


# ---------------------------------------------------------------- forms with no layout of their own


SHUFFLED = [
    ["项目名称", "城乡公交一体化补助", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["主管部门", "某某市交通运输局", LEFT, LEFT, "实施单位", "某某市公交发展中心", LEFT, LEFT],
    ["资金情况（万元）", "年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "得分", ""],
    [UP, "320.00", "300.00", "285.00", "95.00%", "10", "9.5", ""],
    ["绩效目标", "预期目标", LEFT, LEFT, "实际完成情况", LEFT, LEFT, LEFT],
    [UP, "新开城乡公交线路6条，公交站台改造40个。", LEFT, LEFT, "新开线路6条，改造站台42个。", LEFT, LEFT, LEFT],
    # columns in an order of the department's own, and named its own way
    ["得分", "指标内容", "二级指标", "一级指标", "权重", "全年完成值", "目标值", "偏差原因"],
    ["20", "新开公交线路", "数量指标", "产出指标", "20", "6条", "≥6条", ""],
    ["15", "站台改造数量", "数量指标", "产出指标", "20", "42个", "≥40个", ""],
    ["10", "单条线路运营补贴", "成本指标", "产出指标", "10", "54万元", "≤50万元", "燃油价格上涨"],
    ["30", "群众出行时间缩短", "社会效益指标", "效益指标", "30", "12分钟", "≥10分钟", ""],
    ["9.6", "乘客满意度", "满意度指标", "满意度指标", "10", "96%", "≥90%", ""],
    ["合计", LEFT, LEFT, LEFT, "100", "", "", ""],
]


def test_shuffled_and_renamed_columns_are_read_by_role(tmp_path: Path):
    report = load_report(build_docx(tmp_path / "a.docx", TITLE, SHUFFLED))
    assert report.layout == "generic"
    rows = {r.name: r for r in report.indicators}
    assert list(rows) == ["新开公交线路", "站台改造数量", "单条线路运营补贴", "群众出行时间缩短", "乘客满意度"]
    stop = rows["站台改造数量"]
    assert (stop.level1, stop.level2, stop.target.text, stop.actual.text, stop.points.value, stop.score.value) == (
        "产出指标", "数量指标", "≥40个", "42个", 20, 15)
    assert rows["单条线路运营补贴"].reason.text == "燃油价格上涨"
    assert report.funding.total.values["spent"].value == 285 and report.funding.score.value == 9.5
    (goal,) = report.goals
    assert goal.expected.text.startswith("新开城乡公交线路6条") and goal.actual.text == "新开线路6条，改造站台42个。"
    assert report.cover.department.text == "某某市交通运输局" and report.cover.year == 2024
    roles = {h.text: h.role for h in report.header_roles if h.block == "绩效指标"}
    assert roles == {"得分": "score", "指标内容": "level3", "二级指标": "level2", "一级指标": "level1", "权重": "points",
                     "全年完成值": "actual", "目标值": "target", "偏差原因": "reason"}


def test_a_generic_form_is_reviewed_like_any_other(tmp_path: Path):
    review = _review(build_docx(tmp_path / "a.docx", TITLE, SHUFFLED))
    assert review.rubric.startswith("generic.yaml")
    by_code = {(f.code, f.location.label) for f in review.findings if f.severity != "info"}
    # 15 claimed for 42 of 40 站台: a deduction with no reason
    assert ("score.deduction_without_reason", "绩效指标 站台改造数量 偏差原因") in by_code
    # the cost ceiling missed: 54 > 50万元; scored 10 of 10 where 50/54 × 10 = 9.26
    assert ("target.not_met", "绩效指标 单条线路运营补贴 全年完成值") in by_code
    differs = next(f for f in review.findings if f.code == "score.recomputed_differs" and "单条线路运营补贴" in f.location.label)
    assert differs.expected == pytest.approx(9.26, abs=0.01)
    assert not [f for f in review.findings if f.code == "input.unreadable"]
    assert "按通用自评表读取" in review.report.read_as and "“目标值”→指标值" in review.report.read_as


TWO_ROW = [
    ["项目名称", "农村公路养护工程", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["主管部门", "某某县交通运输局", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["自评总分（分）", "97.5", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    # the funding block printed as label | value pairs, one a row
    ["预算执行情况（10分）", "年初预算数", "150.00", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    [UP, "全年预算数", "160.00", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    [UP, "全年执行数", "160.00", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    [UP, "执行率得分", "10", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["绩效指标（90分）", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    # a header split over two rows: 指标值 over 年初 | 调整
    ["一级指标", "二级指标", "指标名称", "指标性质", "指标值", LEFT, "计量单位", "完成值", "分值"],
    [UP, UP, UP, UP, "年初", "调整", UP, UP, UP],
    ["产出指标", "数量指标", "养护里程", "≥", "120", "110", "公里", "112", "40"],
    [UP, "质量指标", "路面优良率", "≥", "85", "", "%", "88", "30"],
    ["效益指标", "社会效益指标", "因路况引发交通事故", "≤", "2", "", "起", "1", "20"],
]


def test_a_two_row_header_under_a_title_row_and_the_total_at_the_top(tmp_path: Path):
    report = load_report(build_docx(tmp_path / "b.docx", TITLE, TWO_ROW))
    assert report.layout == "generic"
    rows = {r.name: r for r in report.indicators}
    assert list(rows) == ["养护里程", "路面优良率", "因路况引发交通事故"]
    road = rows["养护里程"]
    assert road.target.text == "110" and road.initial_target.text == "120"  # 调整 wins where filled
    # 指标性质 and 计量单位 folded into the parsed target
    assert (road.target_parsed.comparator, road.target_parsed.value, road.target_parsed.unit) == (">=", 110, "公里")
    assert rows["路面优良率"].target.text == "85"  # no 调整: the 年初
    crash = rows["因路况引发交通事故"].target_parsed
    assert (crash.comparator, crash.value, crash.unit) == ("<=", 2, "起")
    assert report.indicator_total.value == 97.5 and report.total_score.value == 97.5
    f = report.funding
    assert [f.total.values[k].value for k in ("initial", "budget", "spent")] == [150, 160, 160]
    assert (f.points.value, f.score.value) == (10, 10)  # the points from the label's "（10分）"
    assert not [u for u in report.unread if u.part.startswith("绩效指标")]


ROW_FUNDING = [
    ["部门名称", "某某区城市管理局", LEFT, LEFT, LEFT, LEFT],
    # the funding block's label on the header row, its values on the next (重庆-style)
    ["部门预算执行情况（万元）", "年初预算数", "全年（调整）预算数", "全年执行数", "执行率（%）", "执行率得分（分）"],
    [UP, "880.00", "900.00", "810.00", "90%", "9"],
    ["三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析"],
    ["道路清扫保洁面积", "≥300万平方米", "310万平方米", "45", "45", ""],
    ["市容投诉办结率", "100%", "97%", "45", "43.65", "3件转入下年"],
    ["总分", "", "", "90", "97.65", ""],
]


def test_funding_values_on_the_row_below_the_label(tmp_path: Path):
    report = load_report(build_docx(tmp_path / "c.docx", TITLE, ROW_FUNDING))
    f = report.funding
    assert [f.total.values[k].value for k in ("initial", "budget", "spent")] == [880, 900, 810]
    assert (f.rate.value, f.score.value) == (90, 9)
    assert [r.name for r in report.indicators] == ["道路清扫保洁面积", "市容投诉办结率"]
    assert report.indicator_total.value == 97.65 and report.indicator_points.value == 90


def test_direction_from_the_name_when_the_form_gives_none(tmp_path: Path):
    """"控制率" with a bare 100%: a ceiling (reviewer/data/lexicon.yaml lower_is_better), so 93% meets it."""
    grid = [
        ["部门名称", "某某区机关事务管理局", LEFT, LEFT, LEFT],
        ["指标名称", "指标值", "完成值", "分值", "得分"],
        ["车辆运行费用控制率", "100%", "93%", "50", "50"],
        ["公务用车保障及时率", "100%", "93%", "50", "50"],
        ["合计", "", "", "100", "100"],
    ]
    review = _review(build_docx(tmp_path / "d.docx", TITLE, grid))
    not_met = [f.location.label for f in review.findings if f.code == "target.not_met"]
    assert not_met == ["绩效指标 公务用车保障及时率 完成值"]


def test_a_missing_column_names_the_roles_and_the_cells_seen(tmp_path: Path):
    grid = [
        ["项目名称", "档案数字化", LEFT, LEFT, LEFT],
        ["主管部门", "某某区档案馆", "实施单位", "某某区档案馆", LEFT],
        ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "执行率"],
        [UP, "60", "60", "58", "96.67%"],
        ["年度总体目标", "预期目标", LEFT, "实际完成情况", LEFT],
        [UP, "完成馆藏档案数字化2万卷。", LEFT, "完成2.1万卷。", LEFT],
        ["一级指标", "三级指标", "年度指标值", "完成进度", "分值"],  # no actual column the vocabulary knows
        ["产出指标", "档案数字化数量", "≥2万卷", "2.1万卷", "100"],
    ]
    path = build_docx(tmp_path / "e.docx", ["项目支出绩效自评表", "（2024年度）"], grid)
    report = load_report(path)
    assert report.layout == "mof-2020-project"
    (u,) = [u for u in report.unread if u.part == "绩效指标"]
    assert "缺少：完成值" in u.reason and "“完成进度”" in u.reason and "“年度指标值”→指标值" in u.reason


def test_a_table_with_no_indicator_header_is_refused_in_one_line(tmp_path: Path):
    build_docx(tmp_path / "list.docx", ["物资采购清单"], [["品名", "数量", "单价"], ["打印纸", "20箱", "150元"]])
    with pytest.raises(InputError):
        load_report(tmp_path / "list.docx")
    proc = subprocess.run([sys.executable, "-m", "reviewer", "list.docx", "--no-llm"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "不是已知格式的绩效自评表" in lines[0] and "Traceback" not in proc.stderr


def test_extract_says_first_how_the_form_was_read_and_shows_every_role(tmp_path: Path):
    build_docx(tmp_path / "a.docx", TITLE, SHUFFLED)
    proc = subprocess.run([sys.executable, "-m", "reviewer", "extract", "a.docx"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert list(data)[:3] == ["source", "layout", "read_as"] and data["layout"] == "generic"
    assert {"text": "权重", "role": "points"} in [{"text": h["text"], "role": h["role"]} for h in data["header_roles"]]


def test_the_memo_says_first_that_the_form_was_read_as_generic(tmp_path: Path):
    from reviewer.memo.render import render_markdown

    review = _review(build_docx(tmp_path / "a.docx", TITLE, SHUFFLED))
    text = render_markdown(review)
    head = text.split("## 审核结论")[0]
    assert "| 表式 | 按通用自评表读取" in head and "“全年完成值”→完成值" in head


def test_an_unknown_word_is_one_line_of_a_layout_file(tmp_path: Path):
    """The README's "Adding a layout": the word added to the layout's role, nothing else."""
    from reviewer.ingest import load_body
    from reviewer.ingest.layouts import IndicatorSpec, layout_named
    from reviewer.ingest.table_form import read_table_form

    grid = [
        ["项目名称", "档案数字化", LEFT, LEFT],
        ["主管部门", "某某区档案馆", LEFT, LEFT],
        ["三级指标", "年度指标值", "完成进度", "分值"],
        ["档案数字化数量", "≥2万卷", "2.1万卷", "100"],
    ]
    body = load_body(build_docx(tmp_path / "f.docx", ["项目支出绩效自评表"], grid))
    layout = layout_named("mof-2020-project")
    assert not read_table_form(body, layout, "f.docx").indicators
    extended = layout.model_copy(update={"indicators": IndicatorSpec(columns={"actual": ["完成进度"]})})
    (row,) = read_table_form(body, extended, "f.docx").indicators
    assert (row.name, row.actual.text, row.actual_parsed.value) == ("档案数字化数量", "2.1万卷", 21000)


def test_a_form_without_a_total_row_ends_its_table_at_the_prose_below(tmp_path: Path):
    grid = [
        ["部门名称", "某某县林业局", LEFT, LEFT, LEFT],
        ["指标名称", "指标值", "实际完成情况", "分值", "得分"],
        ["新增造林面积", "≥500亩", "520亩", "50", "50"],
        ["森林火灾受害率", "≤0.8‰", "0.3‰", "50", "50"],
        ["评价结论", "全年任务完成，自评100分。", LEFT, LEFT, LEFT],
    ]
    report = load_report(build_docx(tmp_path / "g.docx", ["2024年某某县林业局绩效自评表"], grid))
    assert [r.name for r in report.indicators] == ["新增造林面积", "森林火灾受害率"]
    assert report.indicators[0].actual.text == "520亩"  # 实际完成情况 as the actual column
    assert report.cover.year == 2024  # from the title, written without 年度
    assert [s.heading for s in report.sections] == ["评价结论"]


def test_an_unread_funding_block_names_the_cells_it_saw(tmp_path: Path):
    grid = [
        ["项目名称", "档案数字化", LEFT, LEFT, LEFT],
        ["主管部门", "某某区档案馆", "实施单位", "某某区档案馆", LEFT],
        ["项目资金（万元）", "年初数", "调整数", "支付数", "比例"],  # words no role knows
        [UP, "60", "60", "58", "96.67%"],
        ["年度总体目标", "预期目标", LEFT, "实际完成情况", LEFT],
        [UP, "完成馆藏档案数字化2万卷。", LEFT, "完成2.1万卷。", LEFT],
        ["一级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
        ["产出指标", "档案数字化数量", "≥2万卷", "2.1万卷", "100"],
        ["总分", LEFT, LEFT, LEFT, "100"],
    ]
    review = _review(build_docx(tmp_path / "h.docx", ["项目支出绩效自评表", "（2024年度）"], grid))
    (f,) = [f for f in review.findings if f.code == "input.unreadable"]
    assert f.severity == "info" and "项目资金（万元）" in f.message
    assert "缺少：年初预算数/全年预算数/全年执行数" in f.message and "“支付数”、“比例”" in f.message
    assert review.report.funding is None and len(review.report.indicators) == 1


def test_a_form_with_no_goal_block_takes_no_indicator_row_for_its_goal(tmp_path: Path):
    grid = [
        ["部门名称", "某某县水务局", LEFT, LEFT],
        ["三级指标", "年度目标值", "实际完成情况", "分值"],
        ["供水管网改造长度", "≥12公里", "12.5公里", "100"],
        ["总分", LEFT, LEFT, "100"],
    ]
    report = load_report(build_docx(tmp_path / "i.docx", ["某某县水务局绩效自评表（2024年度）"], grid))
    assert report.goals == [] and [u.part for u in report.unread] == ["年度总体目标", "预算执行情况"]
    assert [r.name for r in report.indicators] == ["供水管网改造长度"]
