"""Decisions: stable finding ids, `review decisions init`, edits in "Excel", and the carry-over to a
resubmitted report (one finding resolved, one new, one kept with its decision)."""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import SEED_DOCX
from reviewer.finding_ids import assign_ids
from reviewer.pipeline import Options, review_file

SATISFACTION_TARGET = "接待来访对象满意，无因接访不到位造成的缠访闹访现象。"
QUANTIFIED_TARGET = "来访群众满意度达到95%以上。"


def run_review(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def resubmitted(dst: Path) -> Path:
    """The seed as a department would resubmit it: the 满意度 target quantified (its 'not
    measurable' finding goes; the completion gives no rate, so a 'not evidenced' one comes)."""
    with zipfile.ZipFile(SEED_DOCX) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert text.count(SATISFACTION_TARGET) == 1
                data = text.replace(SATISFACTION_TARGET, QUANTIFIED_TARGET).encode("utf-8")
            zout.writestr(item, data)
    return dst


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def memo_json(folder: Path, stem: str = "r") -> dict:
    return json.loads((folder / f"{stem}.review.json").read_text(encoding="utf-8"))


def test_ids_do_not_depend_on_order_or_spacing():
    review = review_file(SEED_DOCX, Options(llm_enabled=False))
    ids = {(f.code, f.message): f.id for f in review.findings}
    assert len(set(ids.values())) == len(review.findings) and all(len(i) == 8 for i in ids.values())
    shuffled = [f.model_copy(update={"id": ""}) for f in review.findings]
    random.Random(7).shuffle(shuffled)
    again = assign_ids(shuffled, review.report)
    assert {(f.code, f.message): f.id for f in again} == ids
    # Re-typed spacing in the cited text is the same evidence.
    report = review.report.model_copy(deep=True)
    for row in report.targets:
        row.target.text = row.target.text.replace("，", "， ")
    spaced = [f.model_copy(update={"found": f.found.replace("，", "，  ") if isinstance(f.found, str) else f.found}) for f in review.findings]
    assert [f.id for f in assign_ids(spaced, report)] == [f.id for f in review.findings]


def test_decisions_round_trip_init_edit_resubmit(tmp_path: Path):
    report = tmp_path / "r.docx"
    report.write_bytes(SEED_DOCX.read_bytes())

    proc = run_review("decisions", "init", "r.docx", "--no-llm", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "r.review.decisions.csv"
    rows = read_csv(path)
    assert list(rows[0]) == ["编号", "严重程度", "指标", "问题", "决定", "备注"]
    assert {r["决定"] for r in rows} == {"待定"}

    # The reviewer's edits (in Excel): accept the 满意度 target finding, reject one on 质量指标.
    accepted = next(r for r in rows if r["指标"].endswith("满意度") and "没有数值" in r["问题"])
    rejected = next(r for r in rows if r["指标"].endswith("质量指标") and r["问题"].startswith("质量指标：绩效目标"))
    accepted.update({"决定": "采纳", "备注": "请量化满意度目标"})
    rejected.update({"决定": "不采纳", "备注": "定性表述可接受"})
    write_csv(path, rows)

    # The same report again: decisions shown to the reviewer, nothing new or resolved; the
    # department's 反馈函 and commented copy carry only the accepted finding.
    proc = run_review("r.docx", "--no-llm", "-f", "json,md,docx,letter", "-o", "before", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    before = memo_json(tmp_path / "before")
    assert before["decisions"]["new"] == [] and before["decisions"]["resolved"] == []
    assert before["decisions"]["by_id"][accepted["编号"]]["decision"] == "采纳"
    md = (tmp_path / "before" / "r.review.md").read_text(encoding="utf-8")
    assert "决定：**不采纳**（定性表述可接受）" in md and f"编号 {accepted['编号']} · 决定：**采纳**" in md
    letter = [p.text for p in docx.Document(str(tmp_path / "before" / "r.反馈函.docx")).paragraphs]
    problems = letter[letter.index("二、主要问题") + 1 : letter.index("三、整改要求")]
    assert len(problems) == 1 and "满意度" in problems[0] and "质量指标" not in problems[0]
    with zipfile.ZipFile(tmp_path / "before" / "r.review.docx") as z:
        assert z.read("word/comments.xml").decode("utf-8").count("<w:comment ") == 1

    # The department resubmits: the accepted point is fixed, a new one appears, the rest stays.
    resubmitted(report)
    proc = run_review("r.docx", "--no-llm", "-f", "json,md", "-o", "after", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    after = memo_json(tmp_path / "after")
    decisions = after["decisions"]
    assert [d["id"] for d in decisions["resolved"]] == [accepted["编号"]]
    assert decisions["resolved"][0]["decision"] == "采纳" and "没有数值" in decisions["resolved"][0]["message"]
    (new,) = [f for f in after["findings"] if f["id"] in decisions["new"]]
    assert new["code"] == "target.not_evidenced" and "满意度" in new["message"]
    kept = decisions["by_id"][rejected["编号"]]
    assert kept["decision"] == "不采纳" and kept["note"] == "定性表述可接受"
    assert len(decisions["by_id"]) == len(after["findings"]) - 1
    md = (tmp_path / "after" / "r.review.md").read_text(encoding="utf-8")
    assert "已解决的问题" in md and accepted["编号"] in md and "新出现的问题" in md and new["id"] in md

    # init again keeps every decision, adds the new finding as 待定, keeps the resolved row last.
    proc = run_review("decisions", "init", "r.docx", "--no-llm", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    merged = {r["编号"]: r for r in read_csv(path)}
    assert merged[rejected["编号"]]["决定"] == "不采纳" and merged[new["id"]]["决定"] == "待定"
    assert list(merged)[-1] == accepted["编号"] and merged[accepted["编号"]]["决定"] == "采纳"


def test_explicit_decisions_file_and_bad_values(tmp_path: Path):
    (tmp_path / "r.docx").write_bytes(SEED_DOCX.read_bytes())
    proc = run_review("decisions", "init", "r.docx", "--no-llm", "-o", "mine.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = read_csv(tmp_path / "mine.csv")
    rows[0]["决定"] = "也许"
    write_csv(tmp_path / "mine.csv", rows)
    proc = run_review("r.docx", "--no-llm", "--decisions", "mine.csv", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "mine.csv 第2行" in lines[0] and "也许" in lines[0]
    proc = run_review("r.docx", "--no-llm", "--decisions", "nope.csv", cwd=tmp_path)
    assert proc.returncode == 2 and "决定文件不存在" in proc.stderr


@pytest.mark.parametrize("text, expected", [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("-3", "-3"), ("+1+cmd|", "'+1+cmd|"), ("@SUM(A1)", "'@SUM(A1)"), ("正常", "正常")])
def test_cells_cannot_become_formulas(text: str, expected: str):
    from reviewer.memo.cells import read_cell, safe_cell

    assert safe_cell(text) == expected
    assert read_cell(safe_cell(text)) == text
