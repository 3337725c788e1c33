"""The report as read from the form: plain pydantic data, every value carrying where it came from.

Nothing here reads files; `reviewer.ingest` builds these objects and every later stage
(checks, narrative rules, LLM judge, memo writers) only reads them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Location(BaseModel):
    """Where a value sits in the submitted document.

    Tables and rows are 0-based indexes into the document's tables as the grid reader saw them
    (merged cells resolved); `paragraph` is the index among the body paragraphs (outside tables)
    or, when `table` is set, among the paragraphs of that cell. `span` is a character range in
    the cell or paragraph text, for citations. `page` is set for a PDF input only: the page the
    row (or body paragraph) was printed on; `table` and `row` are still grid indexes.
    """

    table: int | None = None
    row: int | None = None
    col: int | None = None
    paragraph: int | None = None
    span: tuple[int, int] | None = None
    label: str = ""  # human words: "评分表 第3行 自评得分"
    page: int | None = None  # 1-based page, for a PDF input (where the row or paragraph was printed)

    def with_span(self, start: int, end: int) -> Location:
        return self.model_copy(update={"span": (start, end)})

    def describe(self) -> str:
        parts: list[str] = []
        if self.label:
            parts.append(self.label)
        coords: list[str] = []
        if self.page is not None:
            coords.append(f"第{self.page}页")
        if self.table is not None:
            coords.append(f"表{self.table + 1}")
        if self.row is not None:
            coords.append(f"第{self.row + 1}行")
        if self.col is not None:
            coords.append(f"第{self.col + 1}列")
        if self.paragraph is not None:
            coords.append(f"第{self.paragraph + 1}段")
        if self.span is not None:
            coords.append(f"字符{self.span[0]}–{self.span[1]}")
        if coords:
            parts.append("（" + "，".join(coords) + "）")
        return "".join(parts) or "全文"


NumberState = Literal["value", "none", "missing", "unparsed"]


class Number(BaseModel):
    """A figure read from a cell or a sentence.

    state: `value` a number was given; `none` the form says explicitly there is none
    ("无", "—", "-", "/"); `missing` the cell is blank; `unparsed` there is text we could not
    read as a number (kept in `raw`).
    """

    raw: str = ""
    state: NumberState = "missing"
    value: float | None = None
    unit: str | None = None
    location: Location = Field(default_factory=Location)

    @property
    def known(self) -> bool:
        return self.state == "value" and self.value is not None


class Text(BaseModel):
    text: str = ""
    location: Location = Field(default_factory=Location)

    @property
    def blank(self) -> bool:
        return not self.text.strip()


class MoneyRow(BaseModel):
    name: str
    is_summary: bool  # the 局机关及二级机构汇总 row
    values: dict[str, Number]  # column key (see MONEY_COLUMNS) → figure
    location: Location


class MoneyTable(BaseModel):
    key: Literal["income", "spending", "sangong", "assets"]
    title: str
    unit: str = "万元"
    columns: list[str]
    rows: list[MoneyRow]
    location: Location

    @property
    def summary(self) -> MoneyRow | None:
        return next((r for r in self.rows if r.is_summary), None)

    @property
    def organisations(self) -> list[MoneyRow]:
        return [r for r in self.rows if not r.is_summary]


# Canonical column keys per money table, in form order. Labels are how the form names them.
MONEY_COLUMNS: dict[str, dict[str, str]] = {
    "income": {
        "total": "收入合计",
        "carryover": "上年结转",
        "general_budget": "公共财政拨款",
        "fund_budget": "政府基金拨款",
        "special_account": "纳入专户管理的非税收入拨款",
        "other": "其他收入",
    },
    "spending": {
        "total": "支出合计",
        "basic": "基本支出",
        "personnel": "人员支出",
        "public": "公用支出",
        "project": "项目支出",
        "balance_year": "当年结余",
        "balance_cumulative": "累计结余",
    },
    "sangong": {
        "total": "三公经费合计",
        "reception": "公务接待费",
        "vehicle_running": "公务用车运维费",
        "vehicle_purchase": "公务用车购置费",
        "overseas": "因公出国费",
    },
    "assets": {
        "total": "固定资产合计",
        "in_use": "在用固定资产",
        "leased": "出租固定资产",
        "other": "其他",
    },
}


class QualitativeTarget(BaseModel):
    expected: Text
    actual: Text


class TargetRow(BaseModel):
    """One 定量目标 row: 评价内容 | indicator kind | 绩效目标 | 完成情况."""

    index: int
    category: str  # 产出目标 / 效益目标 (first line of the merged cell)
    kind: str  # 质量指标, 数量指标, … 社会公众或服务对象满意度
    target: Text
    completion: Text
    location: Location
    indicator: int | None = None  # IndicatorRow.index when the row is a national form's 绩效指标 row


class Evaluator(BaseModel):
    name: str
    title: str = ""
    unit: str = ""
    location: Location


class Section(BaseModel):
    """A numbered part of 评价报告综述 ("二、一般公共预算支出情况")."""

    number: str  # "二", or "" for an unnumbered heading
    heading: str
    paragraphs: list[Text]
    location: Location


class ScoreRow(BaseModel):
    """One 三级指标 row of the 评分表."""

    index: int
    level1: str  # 一级指标, e.g. "投入（15分）"
    level2: str
    level3: str
    criteria: str
    points: Number  # 分值
    self_score: Number  # 自评得分
    reason: Text  # 扣分原因和其他说明
    # Rows whose 分值/自评得分 cell is one merged cell share it: the figure belongs to the group.
    shared_with: list[int] = Field(default_factory=list)
    location: Location


class ScoreTable(BaseModel):
    rows: list[ScoreRow]
    total_points: Number = Field(default_factory=Number)
    total_self_score: Number = Field(default_factory=Number)
    location: Location


class Unread(BaseModel):
    """A part of the form that could not be found or read — reported, never fatal."""

    part: str
    reason: str
    location: Location = Field(default_factory=Location)
    code: str = "input.unreadable"  # input.pdf_join: read, but joined across a PDF page break


class Staff(BaseModel):
    quota: Number = Field(default_factory=Number)  # 人员编制
    actual: Number = Field(default_factory=Number)  # 实有人数 (includes retirees)
    in_service: Number = Field(default_factory=Number)  # 在职人员, from the narrative
    retired: Number = Field(default_factory=Number)  # 离休 + 退休, from the narrative


class Cover(BaseModel):
    title: Text = Field(default_factory=Text)
    department: Text = Field(default_factory=Text)
    budget_code: Text = Field(default_factory=Text)
    method: Text = Field(default_factory=Text)
    evaluator: Text = Field(default_factory=Text)
    report_date: Text = Field(default_factory=Text)
    year: int | None = None


Comparator = Literal[">=", "<=", "=", ""]
ValueKind = Literal["number", "date", "text", "blank", "none"]


class ParsedValue(BaseModel):
    """What an indicator cell says, read once at ingest: "≥120公里", "2022年11月30日前", "健全".

    `value` is in base units (万 and 千 multiplied out: "1.47万人" → 14700, unit "人"); a date is
    its proleptic ordinal (unit "日期"). `comparator` is what the text says ("" when it states a
    bare value: the rubric decides what a bare target means). Checks compare these, never text.
    """

    raw: str = ""
    kind: ValueKind = "blank"
    comparator: Comparator = ""
    value: float | None = None
    unit: str = ""
    shown: str = ""  # the figure as printed, for messages ("120公里")

    @property
    def known(self) -> bool:
        return self.kind in ("number", "date") and self.value is not None


class IndicatorRow(BaseModel):
    """One 绩效指标 row of a national 自评表 (一级 | 二级 | 三级 | 指标值 | 实际值 | 分值 | 得分 | 原因).

    Variants add columns (四川 指标性质/度量单位, 重庆 年初指标值/得分系数): the locator folds them
    into these fields, so checks never see the layout.
    """

    index: int
    level1: str
    level2: str
    level3: str
    target: Text  # 年度指标值 (重庆: 调整指标值 when filled, else 年初指标值)
    target_parsed: ParsedValue = Field(default_factory=ParsedValue)
    initial_target: Text | None = None  # 重庆 年初指标值 when a 调整指标值 replaced it
    actual: Text  # 实际完成值 / 全年实际值 / 全年完成值
    actual_parsed: ParsedValue = Field(default_factory=ParsedValue)
    points: Number  # 分值 / 指标权重
    score: Number  # 得分
    coefficient: Number | None = None  # 重庆 得分系数 (得分 = 系数 × 权重)
    reason: Text  # 偏差原因分析及改进措施 / 未完成原因分析及改进措施
    location: Location

    @property
    def name(self) -> str:
        return self.level3 or self.level2 or f"第{self.index + 1}项指标"

    def as_score_row(self) -> ScoreRow:
        """The row as a 评分表 line, for writers that list score rows of any layout."""
        return ScoreRow(
            index=self.index, level1=self.level1, level2=self.level2, level3=self.name,
            criteria=f"指标值：{self.target.text or '（空）'}；实际：{self.actual.text or '（空）'}",
            points=self.points, self_score=self.score, reason=self.reason, location=self.location,
        )


class FundingRow(BaseModel):
    name: str  # 年度资金总额, 其中：当年财政拨款, 基本支出 …
    is_total: bool
    values: dict[str, Number]  # column key (initial / budget / spent) → figure
    location: Location


FUNDING_COLUMNS = {"initial": "年初预算数", "budget": "全年预算数", "spent": "全年执行数"}


class Funding(BaseModel):
    """The 项目资金 / 部门预算执行情况 block: amounts by source, and the 执行率 row's 分值 / 得分."""

    title: str
    unit: str = "万元"
    rows: list[FundingRow]
    points: Number = Field(default_factory=Number)  # 分值 (absent on the 银川 form)
    rate: Number = Field(default_factory=Number)  # 执行率 as printed (%)
    score: Number = Field(default_factory=Number)  # 得分
    reason: Text | None = None  # 四川: 执行率 < 90% needs a reason
    location: Location

    @property
    def total(self) -> FundingRow | None:
        return next((r for r in self.rows if r.is_total), None)


class GoalPair(BaseModel):
    """A target / completion pair in words: the 年度总体目标, or one 年度主要任务."""

    kind: Literal["goal", "task"] = "goal"
    name: str  # "年度总体目标", "年度主要任务：公共文化服务"
    expected: Text
    actual: Text
    location: Location


class HeaderRole(BaseModel):
    """One header cell of a national 自评表 and the role it was given (reviewer/data/header_roles.yaml)."""

    block: str  # 绩效指标 / 预算执行 / 年度总体目标
    text: str  # as printed, whitespace removed
    role: str = ""  # level3, target, actual, points …; "" = no role (the column is not read)
    location: Location = Field(default_factory=Location)


class Report(BaseModel):
    source: str  # file name as given
    layout: str = "hunan-dept-overall"
    # How the form was read: "" for a layout of its own, else a note ("按通用自评表读取 …") the memo and
    # `review extract` show first.
    read_as: str = ""
    cover: Cover = Field(default_factory=Cover)
    contact: Text = Field(default_factory=Text)
    phone: Text = Field(default_factory=Text)
    staff: Staff = Field(default_factory=Staff)
    duties: Text = Field(default_factory=Text)
    tasks: list[Text] = Field(default_factory=list)
    overall: Text = Field(default_factory=Text)  # 年度总体运行情况及取得的成绩
    tables: dict[str, MoneyTable] = Field(default_factory=dict)
    qualitative: list[QualitativeTarget] = Field(default_factory=list)
    targets: list[TargetRow] = Field(default_factory=list)
    total_score: Number = Field(default_factory=Number)  # 绩效自评综合得分
    grade: Text = Field(default_factory=Text)  # 评价等次
    evaluators: list[Evaluator] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    score_table: ScoreTable | None = None
    # National 自评表 layouts (mof-2020-*, 银川, 四川, 重庆); empty for the Hunan form.
    project: Text = Field(default_factory=Text)  # 项目名称
    implementer: Text = Field(default_factory=Text)  # 实施单位
    funding: Funding | None = None
    goals: list[GoalPair] = Field(default_factory=list)  # 年度总体目标, 年度主要任务
    indicators: list[IndicatorRow] = Field(default_factory=list)
    indicator_points: Number = Field(default_factory=Number)  # 总分/合计 row: 分值
    indicator_total: Number = Field(default_factory=Number)  # 总分/合计 row: 得分
    conclusion: Text = Field(default_factory=Text)  # 自评结论
    # every header cell of a national form with the role it was given
    header_roles: list[HeaderRole] = Field(default_factory=list)
    unread: list[Unread] = Field(default_factory=list)

    def section(self, number: str) -> Section | None:
        return next((s for s in self.sections if s.number == number), None)

    def score_view(self) -> ScoreTable | None:
        """The 评分表 of any layout: the Hunan 评分表 as read, or a national form's 执行率 row
        (index -1) and indicator rows with its 总分 row — for writers that list score rows."""
        if self.score_table is not None or not (self.indicators or self.funding):
            return self.score_table
        rows = [i.as_score_row() for i in self.indicators]
        f = self.funding
        if f is not None and f.points.known:
            rows.insert(0, ScoreRow(
                index=-1, level1=f.title, level2="", level3="预算执行率", criteria="执行率 × 分值（以分值为上限）",
                points=f.points, self_score=f.score, reason=f.reason or Text(), location=f.score.location,
            ))
        first = rows[0].location if rows else Location()
        return ScoreTable(rows=rows, total_points=self.indicator_points, total_self_score=self.indicator_total,
                          location=first.model_copy(update={"label": "绩效指标"}))
