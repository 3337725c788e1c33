"""The seed report (岳阳市云溪区委办公室 2021), built by hand as a Report for the checks' tests.

Figures, 评分表 rows, reasons and the narrative of sections 二 and 六 are copied from
/work/shared/seed/yunxi-2021-quweiban.txt; Locations follow the grid the ingest reads (table 0 =
the form, table 1 = the 评分表), so findings point where a reviewer would look. No file is read:
these tests do not depend on ingest.

`seed_report()` returns a fresh Report each call: tests plant one fault and run the checks.
"""

from __future__ import annotations

from reviewer.model import (
    MONEY_COLUMNS,
    Location,
    MoneyRow,
    MoneyTable,
    Number,
    Report,
    ScoreRow,
    ScoreTable,
    Section,
    Staff,
    Text,
)
from reviewer.numbers import parse_number

FORM = 0  # the big form table
SCORES = 1  # the 评分表

ORGS = ("局机关及二级机构汇总", "1、局机关", "2、二级机构1", "3、二级机构2")
MONEY_LABELS = {"income": "年度收入情况", "spending": "年度支出和结余情况", "sangong": "三公经费", "assets": "固定资产"}
# table key → (header row, first data row, figures of the 汇总 row == 局机关 row, in MONEY_COLUMNS order)
MONEY = {
    "income": (8, 10, ["594.97", "0", "594.97", "0", "0", "0"]),
    "spending": (15, 18, ["594.97", "516.14", "415.50", "100.64", "78.83", "0", "0"]),
    "sangong": (22, 24, ["0.53", "0.53", "0", "0", "0"]),
    "assets": (28, 30, ["226.71", "226.71", "0", "0"]),
}

# 一级, 二级, 三级, 分值, 自评得分, 扣分原因 — as printed (the 效益 rows share one merged 分值 cell)
SCORE_ROWS = [
    ("投入（15分）", "预算配置（15分）", "财政供养人员控制率", "5", "5", ""),
    ("投入（15分）", "预算配置（15分）", "“三公经费”变动率", "5", "5", ""),
    ("投入（15分）", "预算配置（15分）", "重点支出安排率", "5", "5", ""),
    ("过程（40分）", "预算执行（15分）", "预算调整率", "3", "3", ""),
    ("过程（40分）", "预算执行（15分）", "支付进度", "3", "3", ""),
    ("过程（40分）", "预算执行（15分）", "资金结余", "3", "3", ""),
    ("过程（40分）", "预算执行（15分）", "“三公经费”控制率", "6", "6", ""),
    ("过程（40分）", "预算管理（15分）", "管理制度健全性", "3", "2", "相关管理制度需进一步健全完善"),
    ("过程（40分）", "预算管理（15分）", "资金使用合规性", "3", "3", ""),
    ("过程（40分）", "预算管理（15分）", "预决算信息公开性和完善性", "3", "3", ""),
    ("过程（40分）", "预算管理（15分）", "政府采购执行率", "3", "3", ""),
    ("过程（40分）", "预算管理（15分）", "公务卡刷卡率", "3", "3", ""),
    ("过程（40分）", "资产管理（10分）", "管理制度健全性", "3", "3", ""),
    ("过程（40分）", "资产管理（10分）", "资产管理安全性", "4", "4", ""),
    ("过程（40分）", "资产管理（10分）", "固定资产利用率", "3", "3", ""),
    ("产出（25分）", "职责履行（25分）", "推进全面小康建设指标任务完成情况", "5", "5", ""),
    ("产出（25分）", "职责履行（25分）", "建设湖南新增极目标任务完成情况", "7", "7", ""),
    ("产出（25分）", "职责履行（25分）", "《政府工作报告》目标任务完成情况", "5", "5", ""),
    ("产出（25分）", "职责履行（25分）", "省市重点民生实事完成情况", "2", "2", ""),
    ("产出（25分）", "职责履行（25分）", "省市重点工程和重大项目建设完成情况", "2", "2", ""),
    ("产出（25分）", "职责履行（25分）", "其他工作实绩指标完成情况", "4", "4", ""),
    ("效果（20分）", "履职效益（20分）", "经济效益", "15", "15", ""),
    ("效果（20分）", "履职效益（20分）", "社会效益", "", "", ""),
    ("效果（20分）", "履职效益（20分）", "生态效益", "", "", ""),
    ("效果（20分）", "履职效益（20分）", "社会公众或服务对象满意度", "5", "5", ""),
]
BENEFIT_GROUP = [21, 22, 23]
# 评分表 grid rows: rows 1-13 on the first page, the header repeated at row 14, rows 15-26, 总分 at 27
SCORE_GRID_ROWS = list(range(1, 14)) + list(range(15, 27))
TOTAL_ROW = 27
COL_POINTS, COL_SCORE, COL_REASON = 4, 5, 6

SECTION_1_STAFF = "2021年本单位年未实有人数36人，其中在职人员31人，离休干部1人和退休干部4人。"

SECTION_2 = [
    '（一）基本支出情况',
    ' 2021年，区委办基本支出516.14万元，比上年增加152.09万元，增长41.78%，变化的主要原因是干部人事调整等人员增加异动和组织完成区第六次党代会等中心工作引起的支出变化。基本支出中人员经费415.50万元，占基本支出80.5%；公用经费100.64万元，占基本支出19.5%。',
    '（二）项目支出情况',
    '2021年，除专项资金以外的其他项目支出为78.83万元，比上年减少51.57万元，下降39.55%；变化的主要原因是本年度无信息网络及软件购置更新项目经费，项目经费减少。',
]

SECTION_6 = [
    '1.担当履职方面。一年来，区委办公室坚持以习近平新时代中国特色社会主义思想为指导，认真落实“五个坚持”的总要求和中央、省、市党委办公室会议精神，紧紧围绕区委决策部署，大力推进规范化建设、精细化管理、高效化服务，有效确保了办公室各项目标任务全面实现，为云溪经济社会高质量发展提供了高水平的服务保障。突出政治引领，党的建设常抓常新。把坚定不移抓好党的全面领导和党的建设作为办公室工作的“航向标”，对党建工作进行全局性谋划、整体性推进，着力抓好政治建设、思想建设和组织建设。坚持把党的政治建设摆在首位，通过理论武装打好思想建设工作的主动仗，教育引导党员干部坚定理想信念。坚持全面从严治党，严格“三会一课”制度和民主评议党员、干部制度及党建目标管理责任制，机关党支部被评为全区先进基层党组织。不断丰富组织生活内涵，组织开展“党员活动日”活动12次、党员干部讲党课2堂，有效引导党员立足岗位作贡献、提质增效当先锋。突出围绕中心，参谋辅政有方有为。坚持“身在兵位，胸为帅谋”，自觉把各项工作放到全区发展大局中去思考、定位，文稿服务谋求长远大局、督查督办敢于动真碰硬、信息服务瞄准重点亮点、深化改革突出难点热点、绩效考核营造奋进氛围，发挥好“智囊团”“千里眼”“顺风耳”作用。突出统筹协调，机关运转高质高效。始终以打造“首善机关”为目标，高标准、严要求，办文办会规范精准、事务协调顺畅高效、后勤保障细致周全，努力做到精心服务无纰漏、上传下达无间隙、内外沟通无死角。突出建强队伍，作风效能从严从实。把队伍建设摆在更加突出的位置来抓，按照“忠诚、干净、担当”的要求，严把政治标准、强化能力建设、兼顾严管厚爱。常学习，能力素质进一步提升；严管理，作风形象进一步优化；勤锤炼，干事活力进一步激活。打造了一支特别能战斗、特别能奉献、特别能吃苦的党办“铁军”。',
    '2.财务管理方面。贯彻落实国家相关财经法律法规，严格执行《区委办财务管理制度》《区委办财务管理实施细则》等内部管理制度，科学编制预算，规范使用财政预算资金，厉行节约，最大限度提高资金使用效率。2021年，“三公”经费5270元，比上年减少6828元，下降56.44%。',
    '3.资产管理方面。贯彻落实中央、省市、区有关行政事业性国有资产管理有关规定，确保本单位资产管理工作规范化、制度化、日常化，固定资产账实相符。',
]


def _money_table(key: str) -> MoneyTable:
    header, first, figures = MONEY[key]
    names = MONEY_COLUMNS[key]
    label = MONEY_LABELS[key]
    rows = []
    for i, org in enumerate(ORGS):
        r = first + i
        blank = i >= 2  # the two 二级机构 rows are empty in the seed
        values = {
            col: parse_number("" if blank else figures[c], Location(table=FORM, row=r, col=c + 1, label=f"{label}表 {org} {names[col]}"), "万元")
            for c, col in enumerate(names)
        }
        rows.append(MoneyRow(name=org, is_summary=i == 0, values=values, location=Location(table=FORM, row=r, col=0, label=f"{label}表 {org}")))
    return MoneyTable(
        key=key, title=label, unit="万元", columns=list(names), rows=rows, location=Location(table=FORM, row=header, label=f"{label}表")
    )


def _score_table() -> ScoreTable:
    rows = []
    for i, (l1, l2, l3, points, score, reason) in enumerate(SCORE_ROWS):
        r = SCORE_GRID_ROWS[i]
        label = f"评分表 {l3}"
        rows.append(
            ScoreRow(
                index=i,
                level1=l1,
                level2=l2,
                level3=l3,
                criteria="",
                points=parse_number(points, Location(table=SCORES, row=r, col=COL_POINTS, label=f"{label} 分值"), "分"),
                self_score=parse_number(score, Location(table=SCORES, row=r, col=COL_SCORE, label=f"{label} 自评得分"), "分"),
                reason=Text(text=reason, location=Location(table=SCORES, row=r, col=COL_REASON, label=f"{label} 扣分原因")),
                shared_with=list(BENEFIT_GROUP) if i in BENEFIT_GROUP else [],
                location=Location(table=SCORES, row=r, label=label),
            )
        )
    return ScoreTable(
        rows=rows,
        total_points=parse_number("100", Location(table=SCORES, row=TOTAL_ROW, col=COL_POINTS, label="评分表 总分 分值"), "分"),
        total_self_score=parse_number("99", Location(table=SCORES, row=TOTAL_ROW, col=COL_SCORE, label="评分表 总分 自评得分"), "分"),
        location=Location(table=SCORES, row=0, label="评分表"),
    )


def _section(number: str, heading: str, first_paragraph: int, paragraphs: list[str]) -> Section:
    label = f"{number}、{heading}"
    cell = dict(table=FORM, row=57, col=0)
    return Section(
        number=number,
        heading=heading,
        paragraphs=[
            Text(text=p, location=Location(**cell, paragraph=first_paragraph + 1 + i, label=label)) for i, p in enumerate(paragraphs)
        ],
        location=Location(**cell, paragraph=first_paragraph, label=label),
    )


def seed_report() -> Report:
    staff_loc = Location(table=FORM, row=57, col=0, paragraph=19, label="在职人员（评价报告综述）")
    return Report(
        source="yunxi-2021-quweiban (hand-built)",
        staff=Staff(
            quota=parse_number("34", Location(table=FORM, row=2, col=1, label="人员编制"), "人"),
            actual=parse_number("36", Location(table=FORM, row=2, col=6, label="实有人数"), "人"),
            in_service=parse_number("31", staff_loc.with_span(20, 27), "人"),
            retired=parse_number("5", staff_loc.with_span(28, 41).model_copy(update={"label": "离退休人员（评价报告综述）"}), "人"),
        ),
        tables={key: _money_table(key) for key in MONEY},
        total_score=parse_number("99分", Location(table=FORM, row=46, col=4, label="绩效自评综合得分"), "分"),
        grade=Text(text="优秀", location=Location(table=FORM, row=47, col=4, label="评价等次")),
        sections=[
            _section("一", "部门（单位）概况", 1, ["（三）人员情况", SECTION_1_STAFF]),
            _section("二", "一般公共预算支出情况", 20, SECTION_2),
            _section("六", "部门整体支出绩效情况", 31, SECTION_6),
        ],
        score_table=_score_table(),
    )


# ---------------------------------------------------------------- for planting faults


def cell(report: Report, key: str, column: str, org: int = 0) -> Number:
    """A money-table figure; org 0 is the 汇总 row, 1 the 局机关 row."""
    return report.tables[key].rows[org].values[column]


def set_cell(report: Report, key: str, column: str, raw: str, org: int = 0) -> Number:
    old = cell(report, key, column, org)
    new = parse_number(raw, old.location, old.unit)
    report.tables[key].rows[org].values[column] = new
    return new


def score_row(report: Report, level3: str, level2: str = "") -> ScoreRow:
    assert report.score_table is not None
    return next(r for r in report.score_table.rows if r.level3 == level3 and level2 in r.level2)


def set_score(row: ScoreRow, raw: str, field: str = "self_score") -> Number:
    old = getattr(row, field)
    new = parse_number(raw, old.location, "分")
    setattr(row, field, new)
    return new


def paragraph(report: Report, number: str, containing: str) -> Text:
    section = report.section(number)
    assert section is not None
    return next(p for p in section.paragraphs if containing in p.text)
