"""Small national 自评表 documents built with python-docx, for layout tests.

A grid is given row by row: a string is a cell's text, `None` extends the cell on its left
(horizontal merge) and `"^"` the cell above (vertical merge), as Word writes merged cells.
"""

from __future__ import annotations

from pathlib import Path

import docx

LEFT, UP = None, "^"


def build_docx(path: Path, paragraphs: list[str], grid: list[list[str | None]], after: list[str] = ()) -> Path:
    doc = docx.Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    ncols = max(len(r) for r in grid)
    table = doc.add_table(rows=len(grid), cols=ncols)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if isinstance(value, str) and value != UP:
                table.cell(r, c).text = value
    # merge after filling: a merged cell keeps the text of its first part
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value is LEFT:
                start = c
                while start > 0 and grid[r][start] is LEFT:
                    start -= 1
                table.cell(r, start).merge(table.cell(r, c))
            elif value == UP:
                top = r
                while top > 0 and grid[top][c] == UP:
                    top -= 1
                table.cell(top, c).merge(table.cell(r, c))
    for text in after:
        doc.add_paragraph(text)
    doc.save(path)
    return path


# 重庆-style 部门整体支出绩效自评表: 年初指标值 / 调整指标值 / 全年完成值, 得分 = 得分系数 × 指标权重.
CHONGQING_TITLE = ["重庆市某某区部门整体支出绩效自评表", "（2022年度）"]
CHONGQING_GRID = [
    ["部门名称", "重庆市某某区文化和旅游发展委员会", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["预算执行情况（万元）", "", "年初预算数", "全年预算数", "全年执行数", "指标权重", "执行率", "得分", "", ""],
    [UP, "年度资金总额", "500.00", "520.00", "509.60", "10", "98.00%", "9.8", "", ""],
    [UP, "其中：基本支出", "300.00", "300.00", "300.00", "—", "—", "—", "", ""],
    [UP, "项目支出", "200.00", "220.00", "209.60", "—", "—", "—", "", ""],
    ["年度总体目标", "年度目标", LEFT, LEFT, LEFT, "完成情况", LEFT, LEFT, LEFT, LEFT],
    [UP, "全年开展送文化下乡90场以上，公共图书馆年接待读者30万人次以上。", LEFT, LEFT, LEFT,
     "全年送文化下乡95场，图书馆接待读者31.2万人次。", LEFT, LEFT, LEFT, LEFT],
    ["一级指标", "二级指标", "三级指标", "年初指标值", "调整指标值", "全年完成值", "指标权重", "得分系数", "得分", "偏差原因分析"],
    ["产出指标", "数量指标", "送文化下乡场次", "≥100场", "≥90场", "95场", "30", "1", "30", ""],
    [UP, "质量指标", "文物安全事故发生数", "0起", "", "0起", "20", "1", "20", ""],
    ["效益指标", "社会效益指标", "图书馆年接待读者", "≥30万人次", "", "31.2万人次", "20", "0.9", "20", ""],
    [UP, "可持续影响指标", "公共文化服务体系完善程度", "逐步完善", "", "已建成县乡村三级服务网络", "10", "1", "10", ""],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "", "92.5%", "10", "1", "10", "抽样调查400份"],
    ["合计", LEFT, LEFT, LEFT, LEFT, LEFT, "100", "", "99.8", ""],
]


# 四川-style 项目支出绩效自评表: 指标性质 (≥ / ≤ / =) and 度量单位 in columns of their own; a reason is
# required when 执行率 < 90%.
SICHUAN_TITLE = ["四川省省级项目支出绩效自评表", "（2023年度）"]
SICHUAN_GRID = [
    ["项目名称", "2023年基层农技推广体系改革与建设项目", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, LEFT],
    ["主管部门", "四川省某某厅", LEFT, LEFT, LEFT, "实施单位", "四川省某某技术推广中心", LEFT, LEFT, LEFT],
    ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "未完成原因分析", LEFT],
    [UP, "年度资金总额", "800.00", "800.00", "680.00", "10", "85.00%", "8.5", "", LEFT],
    [UP, "其中：财政拨款", "800.00", "800.00", "680.00", "—", "—", "—", "", LEFT],
    ["年度总体目标", "预期目标", LEFT, LEFT, LEFT, "实际完成情况", LEFT, LEFT, LEFT, LEFT],
    [UP, "培训基层农技人员1200人次以上，推广新技术5万亩以上。", LEFT, LEFT, LEFT,
     "培训基层农技人员1100人次，推广新技术5.6万亩。", LEFT, LEFT, LEFT, LEFT],
    ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分", "未完成原因分析及改进措施"],
    ["产出指标", "数量指标", "培训基层农技人员", "≥", "1200", "人次", "1100", "20", "20", ""],
    [UP, "质量指标", "培训合格率", "≥", "95", "%", "97", "20", "20", ""],
    [UP, "成本指标", "人均培训成本", "≤", "1500", "元", "1420", "10", "10", ""],
    ["效益指标", "社会效益指标", "新技术推广面积", "≥", "5", "万亩", "5.6", "30", "30", ""],
    ["满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", "90", "%", "94.5", "10", "10", ""],
    ["总分", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT, "100", "98.5", ""],
]
