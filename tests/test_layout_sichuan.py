"""The 四川-style 项目支出绩效自评表, added as a layout description + a rubric file + these tests (no code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from national_forms import SICHUAN_GRID, SICHUAN_TITLE, build_docx
from reviewer.ingest import load_report
from reviewer.pipeline import Options, review_report


@pytest.fixture()
def sichuan(tmp_path: Path):
    return load_report(build_docx(tmp_path / "sc.docx", SICHUAN_TITLE, SICHUAN_GRID))


def test_detected_and_read(sichuan):
    assert sichuan.layout == "sichuan-project"  # not the 财政部 form whose labels it mostly shares
    assert sichuan.cover.department.text == "四川省某某厅" and sichuan.cover.year == 2023
    rows = {r.name: r for r in sichuan.indicators}
    assert len(rows) == 5 and not sichuan.unread
    # 指标性质 and 度量单位 are folded into the parsed target: "≥" + "1200" + "人次"
    people = rows["培训基层农技人员"]
    assert (people.target_parsed.comparator, people.target_parsed.value, people.target_parsed.unit) == (">=", 1200, "人次")
    assert (people.actual_parsed.value, people.actual_parsed.unit) == (1100, "人次")
    area = rows["新技术推广面积"]
    assert area.target_parsed.value == 50000 and area.actual_parsed.value == 56000  # 万亩
    assert rows["人均培训成本"].target_parsed.comparator == "<="
    assert sichuan.funding.rate.value == 85 and sichuan.funding.reason is not None


def test_reviewed_with_its_own_rubric(sichuan):
    review = review_report(sichuan, Options(llm_enabled=False))
    assert review.rubric.startswith("sichuan-project.yaml")
    found = sorted((f.code, f.location.label) for f in review.findings if f.severity != "info" and f.source == "checks")
    assert found == [
        ("score.recomputed_differs", "绩效指标 培训基层农技人员 得分"),  # 1100/1200 × 20 = 18.33, not 20
        ("target.not_met", "绩效指标 培训基层农技人员 实际完成值"),
        ("target.shortfall_without_reason", "绩效指标 培训基层农技人员 未完成原因分析及改进措施"),
        ("target.shortfall_without_reason", "项目资金（万元） 预算执行率 未完成原因分析"),  # 85% < 90%, no reason
    ]
    funding = next(i for i in review.indicators if i.indicator == "预算执行率")
    assert funding.status == "verified" and funding.recomputed == 8.5  # 85% × 10
