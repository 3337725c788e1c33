"""`--format xlsx` and summary.xlsx, read back with openpyxl: sheets, the 决定 drop-down, values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from conftest import SEED_DOCX


def run_review(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_memo_workbook_sheets_validation_and_values(tmp_path: Path):
    (tmp_path / "r.docx").write_bytes(SEED_DOCX.read_bytes())
    proc = run_review("r.docx", "--no-llm", "-f", "xlsx,json", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    memo = json.loads((tmp_path / "out" / "r.review.json").read_text(encoding="utf-8"))
    wb = load_workbook(tmp_path / "out" / "r.review.xlsx")
    assert wb.sheetnames == ["问题清单", "评分表"]

    ws = wb["问题清单"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("编号", "严重程度", "代码", "指标", "问题", "位置", "决定", "备注")
    body = rows[1:]
    assert [r[0] for r in body] == [f["id"] for f in memo["findings"]]
    assert [r[2] for r in body] == [f["code"] for f in memo["findings"]]
    assert {r[6] for r in body} == {"待定"}
    assert {r[1] for r in body} <= {"错误", "存疑", "无法核实"}
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"采纳,不采纳,待定"'
    assert str(validation.sqref) == f"G2:G{len(body) + 1}"

    ws = wb["评分表"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("一级指标", "二级指标", "三级指标", "分值", "自评", "重算", "状态", "说明", "核定分")
    score_rows = rows[1:]
    assert len(score_rows) == len(memo["report"]["score_table"]["rows"])
    assert all(r[8] is None for r in score_rows)  # 核定分 is the reviewer's to fill
    first = memo["report"]["score_table"]["rows"][0]
    assert score_rows[0][2] == first["level3"] and score_rows[0][3] == first["points"]["value"]
    assert isinstance(score_rows[0][4], (int, float))  # figures stay numbers Excel can add up
    assert {r[6] for r in score_rows} <= {"核实", "无法核实", "存疑", "错误", "未检查"}


def test_the_workbook_reads_back_as_a_decisions_file(tmp_path: Path):
    (tmp_path / "r.docx").write_bytes(SEED_DOCX.read_bytes())
    assert run_review("r.docx", "--no-llm", "-o", "memo.xlsx", cwd=tmp_path).returncode == 0
    wb = load_workbook(tmp_path / "memo.xlsx")
    ws = wb["问题清单"]
    chosen = ws["A3"].value
    ws["G3"], ws["H3"] = "不采纳", "=已与部门核实"  # a note that looks like a formula stays text
    wb.save(tmp_path / "memo.xlsx")
    proc = run_review("r.docx", "--no-llm", "--decisions", "memo.xlsx", "-o", "-", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    decided = json.loads(proc.stdout)["decisions"]["by_id"][chosen]
    assert decided["decision"] == "不采纳"


def test_batch_summary_workbook(tmp_path: Path):
    (tmp_path / "a.docx").write_bytes(SEED_DOCX.read_bytes())
    (tmp_path / "=cmd.docx").write_bytes(b"not a report")
    proc = run_review("a.docx", "=cmd.docx", "--no-llm", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2
    wb = load_workbook(tmp_path / "out" / "summary.xlsx")
    ws = wb["汇总"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("文件", "状态", "部门") and "涉及分值" in header and "表式" in header
    by_file = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert by_file["a.docx"]["自评得分"] == 99 and by_file["a.docx"]["状态"] == "已审核"
    assert by_file["a.docx"]["涉及分值"] == by_file["a.docx"]["自评得分"] - by_file["a.docx"]["有据得分"]
    assert by_file["'=cmd.docx"]["状态"] == "无法审核"  # a file name never becomes a formula
    assert [r[0] for r in rows[1:]] == ["a.docx", "'=cmd.docx"]  # reviewed first, by points at stake


def test_a_national_form_has_its_score_rows_in_the_scores_sheet():
    """The 评分表 sheet of a national 自评表 lists its 执行率 row and every indicator row, each with a status."""
    import io

    from reviewer.ingest import load_report
    from reviewer.memo.xlsx import review_workbook
    from reviewer.pipeline import Options, review_report

    corpus = Path(__file__).resolve().parent.parent / "examples" / "corpus"
    report = load_report(corpus / "mof-2022-huoshan-water-careful.docx")
    review = review_report(report, Options(llm_enabled=False))
    ws = load_workbook(io.BytesIO(review_workbook(review)))["评分表"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(report.indicators) + 1
    assert rows[0][2] == "预算执行率"
    assert {r[2] for r in rows[1:]} == {i.name for i in report.indicators}
    assert all(r[6] in ("核实", "无法核实", "存疑", "错误", "未检查") for r in rows)
    assert any(r[6] == "核实" for r in rows)
