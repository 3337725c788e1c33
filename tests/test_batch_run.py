"""Batch: several copies of the fixture (some altered), one corrupt file, through `review DIR`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import SEED_DOCX
from memo_samples import sample_review
from reviewer.batch import MIN_COPY_CHARS, copied_across_reports, expand_inputs, output_names
from reviewer.memo import OutputSpec

OWN_DEPT = "中共岳阳市云溪区委办公室"


def altered_copy(dst: Path, replacements: dict[str, str]) -> Path:
    """The fixture with text replaced inside word/document.xml (a new zip; the fixture untouched)."""
    with zipfile.ZipFile(SEED_DOCX) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                for old, new in replacements.items():
                    assert old in text, old
                    text = text.replace(old, new)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return dst


def run_review(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture()
def batch_dir(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    d.mkdir()
    (d / "quweiban.docx").write_bytes(SEED_DOCX.read_bytes())
    # Another department, one figure changed (99分 → 95分): its completions are the same text.
    altered_copy(d / "zhengfuban.docx", {OWN_DEPT: "岳阳市云溪区人民政府办公室", "99分": "95分"})
    # Same department again (say a resubmission): shared text is not copying between departments.
    (d / "quweiban-v2.docx").write_bytes(SEED_DOCX.read_bytes())
    (d / "corrupt.docx").write_bytes(SEED_DOCX.read_bytes()[:5000])
    (d / "~$lock.docx").write_bytes(b"word lock file")  # skipped
    return d


def test_batch_dir_memos_errors_summary_and_copy_flags(batch_dir: Path, tmp_path: Path):
    out = tmp_path / "out"
    proc = run_review(str(batch_dir), "--format", "md,json", "-o", str(out), "--jobs", "2", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "错误" in line and "corrupt.docx" in line]
    assert len(errors) == 1 and "不是有效的 .docx" in errors[0]

    good = ["quweiban", "quweiban-v2", "zhengfuban"]
    for stem in good:
        assert (out / f"{stem}.review.md").is_file()
        assert (out / f"{stem}.review.json").is_file()
    assert not list(out.glob("corrupt.review.*")) and not list(out.glob("~$*"))

    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["文件"] for r in rows) == sorted(["corrupt.docx", *(s + ".docx" for s in good)])
    by_file = {r["文件"]: r for r in rows}
    assert by_file["corrupt.docx"]["状态"] == "无法审核"
    assert by_file["zhengfuban.docx"]["自评得分"] == "95"
    assert by_file["quweiban.docx"]["自评得分"] == "99"
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert all(name in html for name in by_file)
    # What a 科长 reads: a chart per reviewed report, grade counts, links to the HTML memos, the
    # reports with most points at stake first and the unreadable file last.
    assert html.count('<svg class="bar"') == 3 and "<script" not in html.split("<table class=\"batch\"")[0]
    assert '<table class="grades">' in html and "按有据得分" in html
    assert all(f'href="{stem}.review.html"' in html for stem in good)
    stakes = [float(r["涉及分值"] or 0) for r in rows]
    assert [r["文件"] for r in rows][-1] == "corrupt.docx" and stakes[:-1] == sorted(stakes[:-1], reverse=True)
    assert by_file["quweiban.docx"]["表式"] == "hunan-dept-overall"
    worst = by_file["quweiban.docx"]["主要问题"]
    assert worst.startswith("【存疑】评分表“经济效益”")  # 15 points at stake before 5-point rows

    flags = {}
    for stem in good:
        data = json.loads((out / f"{stem}.review.json").read_text(encoding="utf-8"))
        flags[stem] = [f for f in data["findings"] if f["code"] == "completion.copied_across_reports"]
    # Different departments: flagged on both sides, each naming both files.
    assert flags["zhengfuban"] and flags["quweiban"] and flags["quweiban-v2"]
    f = flags["zhengfuban"][0]
    assert "zhengfuban.docx" in f["message"] and "quweiban.docx" in f["message"]
    assert f["location"]["table"] == 0 and f["location"]["col"] == 5
    # The two 区委办 copies are the same department: neither names the other.
    assert not any("quweiban-v2.docx" in f["message"] for f in flags["quweiban"])
    assert "copied_across_reports" in (out / "zhengfuban.review.md").read_text(encoding="utf-8")


def test_batch_of_files_default_writes_next_to_inputs(batch_dir: Path, tmp_path: Path):
    files = [str(batch_dir / "quweiban.docx"), str(batch_dir / "zhengfuban.docx")]
    proc = run_review(*files, "--jobs", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (batch_dir / "quweiban.review.md").is_file() and (batch_dir / "zhengfuban.review.md").is_file()
    assert (batch_dir / "quweiban.review.html").is_file()  # a batch writes html too: the summary links to it
    # The summary goes to the current folder, never to a folder worked out from the inputs.
    assert (tmp_path / "summary.csv").is_file() and (tmp_path / "summary.html").is_file()
    assert not (batch_dir / "summary.csv").exists()
    assert 'href="reports/quweiban.review.html"' in (tmp_path / "summary.html").read_text(encoding="utf-8")


def test_missing_file_in_a_batch_is_one_line_and_others_still_written(tmp_path: Path):
    (tmp_path / "a.docx").write_bytes(SEED_DOCX.read_bytes())
    proc = run_review("a.docx", "nothere.docx", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if "nothere.docx" in line]
    assert len(lines) == 1 and "文件不存在" in lines[0]
    assert (tmp_path / "out" / "a.review.md").is_file()


# --- pure parts -----------------------------------------------------------------------------------


def test_copy_flags_ignore_short_texts_and_same_department(seed_report):
    a = sample_review(seed_report.model_copy(deep=True))
    b = sample_review(seed_report.model_copy(deep=True))
    same = sample_review(seed_report.model_copy(deep=True))
    b.report.cover.department.text = "另一个部门"
    for review in (a, b, same):
        review.report.targets[3].completion.text = "按预算合理开支。"  # short stock phrase: never evidence
    found = copied_across_reports([("a.docx", a), ("b.docx", b), ("same.docx", same)])
    assert set(found) == {0, 1, 2}
    flagged_rows = {f.location.row for f in found[0]}
    assert seed_report.targets[3].location.row not in flagged_rows
    assert all("b.docx" in f.message for f in found[0])  # a is flagged against b only, never `same`
    assert all("same.docx" not in f.message for f in found[0])
    assert all("b.docx" in f.message and "a.docx" in f.message and "same.docx" in f.message for f in found[1])
    long_enough = [t for t in b.report.targets if len("".join(t.completion.text.split())) >= MIN_COPY_CHARS]
    assert len(found[1]) == len(long_enough) < len(b.report.targets)


def test_copy_flags_catch_near_copies(seed_report):
    a = sample_review(seed_report.model_copy(deep=True))
    b = sample_review(seed_report.model_copy(deep=True))
    b.report.cover.department.text = "另一个部门"
    text = a.report.targets[7].completion.text
    b.report.targets[7].completion.text = text.replace("360", "412").replace("54", "61")
    found = copied_across_reports([("a.docx", a), ("b.docx", b)])
    near = [f for f in found[1] if f.location.row == seed_report.targets[7].location.row]
    assert len(near) == 1 and "相似度" in near[0].message


def test_expand_inputs_skips_outputs_and_lock_files(batch_dir: Path):
    (batch_dir / "quweiban.review.docx").write_bytes(b"x")
    (batch_dir / "notes.txt").write_text("x")
    names = [p.name for p in expand_inputs([batch_dir])]
    assert names == ["corrupt.docx", "quweiban-v2.docx", "quweiban.docx", "zhengfuban.docx"]


def test_output_names_never_collide(tmp_path: Path):
    files = [tmp_path / "a" / "x.docx", tmp_path / "b" / "x.docx", tmp_path / "a" / "x.doc"]
    spec = OutputSpec(formats=["md"], output=str(tmp_path / "out"), multiple=True)
    names = output_names(files, spec)
    assert len(set(names)) == 3 and names[0] == "x"
    assert output_names(files, OutputSpec(formats=["md"])) == ["x", "x", "x-doc"]  # next to inputs: a/ and b/ differ


def test_identical_files_are_flagged_and_reviewed_once(tmp_path: Path, monkeypatch):
    from reviewer import pipeline
    from reviewer.batch import run_batch
    from reviewer.memo import build_spec

    for name in ("a.docx", "b.docx", "c.docx"):
        (tmp_path / name).write_bytes(SEED_DOCX.read_bytes())
    other = altered_copy(tmp_path / "d.docx", {"99分": "95分"})  # same department, different bytes
    reviewed: list[str] = []
    real = pipeline.review_file

    def counting(path, options):
        reviewed.append(Path(path).name)
        return real(path, options)

    monkeypatch.setattr(pipeline, "review_file", counting)
    files = [tmp_path / n for n in ("a.docx", "b.docx", "c.docx")] + [other]
    spec = build_spec("json", str(tmp_path / "out"), batch=True, inputs=files)
    result = run_batch(files, pipeline.Options(llm_enabled=False), spec, jobs=1)
    assert not result.failed
    assert sorted(reviewed) == ["a.docx", "d.docx"]

    dup = {}
    for stem in ("a", "b", "c", "d"):
        data = json.loads((tmp_path / "out" / f"{stem}.review.json").read_text(encoding="utf-8"))
        assert data["report"]["source"] == f"{stem}.docx"
        dup[stem] = [f for f in data["findings"] if f["code"] == "input.duplicate_file"]
    assert dup["d"] == []
    for stem, others in (("a", "b.docx、c.docx"), ("b", "a.docx、c.docx"), ("c", "a.docx、b.docx")):
        (f,) = dup[stem]
        assert f"本文件（{stem}.docx）" in f["message"] and others in f["message"]
    summary = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig")
    assert summary.count("重复提交") == 3
