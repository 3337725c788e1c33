"""Resuming a batch (reviewer.manifest): the same command again reviews only what is not finished,
a changed file is redone, --fresh redoes everything, and a batch killed with SIGKILL half-way ends,
after a rerun, with the summary an uninterrupted run writes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import SEED_DOCX
from reviewer import batch, manifest, pipeline
from reviewer.memo import build_spec
from reviewer.pipeline import Options
from test_batch_run import OWN_DEPT, altered_copy

RUN_LINE = re.compile(r'<p class="sub run">本次运行审核 (\d+) 份，沿用上次运行的审核结果 (\d+) 份')


def _departments(folder: Path, n: int) -> list[Path]:
    """n reports of n departments (the seed with its department renamed): each one's completions
    are every other's, so the cross-report pass flags every report and needs all of them."""
    folder.mkdir(parents=True, exist_ok=True)
    return [altered_copy(folder / f"d{k:02d}.docx", {OWN_DEPT: f"某县第{k}号局"}) for k in range(n)]


@pytest.fixture()
def counted(monkeypatch):
    """The files pipeline.review_file is asked to review (in this process: jobs=1)."""
    seen: list[str] = []
    real = pipeline.review_file

    def counting(path, options):
        seen.append(Path(path).name)
        return real(path, options)

    monkeypatch.setattr(pipeline, "review_file", counting)
    return seen


def _run(files, out: Path, **kw):
    spec = build_spec("md,json", str(out), batch=True, inputs=files)
    return batch.run_batch(files, Options(llm_enabled=False), spec, jobs=1, **kw)


def test_a_second_run_reuses_every_review_and_memo(tmp_path: Path, counted):
    files = _departments(tmp_path / "in", 3)
    out = tmp_path / "out"
    first = _run(files, out)
    assert sorted(counted) == ["d00.docx", "d01.docx", "d02.docx"] and first.counts.reviewed == 3
    memo = out / "d01.review.md"
    stamp = memo.stat().st_mtime_ns
    csv_before = (out / "summary.csv").read_bytes()

    counted.clear()
    second = _run(files, out)
    assert counted == []
    assert (second.counts.reviewed, second.counts.reused, second.counts.kept) == (0, 3, 3)
    assert memo.stat().st_mtime_ns == stamp  # not rewritten
    assert (out / "summary.csv").read_bytes() == csv_before
    assert RUN_LINE.search((out / "summary.html").read_text(encoding="utf-8")).groups() == ("0", "3")
    assert all(o.reused and o.row is not None for o in second.outcomes)


def test_a_changed_file_is_redone_and_the_others_memos_follow_it(tmp_path: Path, counted):
    files = _departments(tmp_path / "in", 3)
    out = tmp_path / "out"
    _run(files, out)
    assert "d02.docx" in (out / "d00.review.md").read_text(encoding="utf-8")  # named as a copy partner
    # d02 is rewritten in its own words: no longer a copy of the others
    altered_copy(files[2], {OWN_DEPT: "另一个县的卫生健康局"})
    with zipfile.ZipFile(files[2], "a") as z:
        z.comment = b"edited"
    counted.clear()
    result = _run(files, out)
    assert counted == ["d02.docx"]
    assert (result.counts.reviewed, result.counts.reused) == (1, 2)
    assert result.counts.kept == 0  # d00 and d01 name d02 in their copy findings: rewritten too
    assert "另一个县的卫生健康局" in (out / "d00.review.md").read_text(encoding="utf-8")
    # the old review of d02 is gone from the run folder: one stored review per input
    assert len(list((out / manifest.RUN_FOLDER / "reviews").iterdir())) == 3


def test_fresh_ignores_the_manifest(tmp_path: Path, counted):
    files = _departments(tmp_path / "in", 2)
    out = tmp_path / "out"
    _run(files, out)
    counted.clear()
    result = _run(files, out, fresh=True)
    assert sorted(counted) == ["d00.docx", "d01.docx"]
    assert (result.counts.reviewed, result.counts.reused) == (2, 0)


def test_new_versions_redo_the_reviews(tmp_path: Path, counted, monkeypatch):
    files = _departments(tmp_path / "in", 2)
    out = tmp_path / "out"
    _run(files, out)
    real = manifest.versions
    monkeypatch.setattr(batch, "versions", lambda options: {**real(options), "prompts": "edited"})
    counted.clear()
    result = _run(files, out)
    assert sorted(counted) == ["d00.docx", "d01.docx"] and result.counts.reused == 0


def test_other_llm_settings_are_another_version():
    a = manifest.versions(Options(llm_enabled=False))
    b = manifest.versions(Options(llm_enabled=True, model="qwen-plus"))
    assert a["llm"] != b["llm"] and a["code"] == b["code"]


def test_a_decisions_file_rewrites_the_memo_but_not_the_review(tmp_path: Path, counted):
    from reviewer.decisions import decisions_path

    files = _departments(tmp_path / "in", 2)
    out = tmp_path / "out"
    _run(files, out)
    counted.clear()
    subprocess.run([sys.executable, "-m", "reviewer", "decisions", "init", str(files[0])], check=True,
                   capture_output=True, cwd=tmp_path, timeout=120)
    assert decisions_path(files[0]).is_file()
    result = _run(files, out)
    assert counted == []
    assert (result.counts.reused, result.counts.kept, result.counts.written) == (2, 1, 1)


def test_a_deleted_memo_is_written_again(tmp_path: Path, counted):
    files = _departments(tmp_path / "in", 2)
    out = tmp_path / "out"
    _run(files, out)
    (out / "d00.review.md").unlink()
    counted.clear()
    result = _run(files, out)
    assert counted == [] and (out / "d00.review.md").is_file() and result.counts.written == 1


def test_a_failed_file_is_tried_again(tmp_path: Path, counted):
    files = _departments(tmp_path / "in", 2)
    broken = tmp_path / "in" / "broken.docx"
    broken.write_bytes(SEED_DOCX.read_bytes()[:4000])
    out = tmp_path / "out"
    first = _run([*files, broken], out)
    assert first.counts.failed == 1
    counted.clear()
    second = _run([*files, broken], out)
    assert counted == ["broken.docx"] and second.counts.failed == 1 and second.counts.reused == 2


# --- killed for real ---------------------------------------------------------------------------


N_KILL = 16


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "reviewer", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _summary(out: Path) -> tuple[bytes, str]:
    html = (out / "summary.html").read_text(encoding="utf-8")
    return (out / "summary.csv").read_bytes(), re.sub(r'<p class="sub run">[^<]*</p>', "", html)


def test_a_batch_killed_half_way_reviews_only_the_rest_and_ends_with_the_same_summary(tmp_path: Path):
    _departments(tmp_path / "in", N_KILL)
    args = ["in", "-o", "out", "--format", "md,json", "--no-llm", "-j", "2"]

    whole = _start(args, tmp_path)
    assert whole.wait(timeout=600) == 0, whole.stderr.read()
    expected = _summary(tmp_path / "out")
    os.rename(tmp_path / "out", tmp_path / "uninterrupted")

    stored = tmp_path / "out" / manifest.RUN_FOLDER / "reviews"
    for _ in range(3):  # a fast machine could finish before the poll: try again on a clean folder
        proc = _start(args, tmp_path)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if stored.is_dir() and len(list(stored.glob("*.json"))) >= 4:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.005)
        proc.wait(timeout=60)
        if proc.returncode == -signal.SIGKILL:
            break
        subprocess.run(["rm", "-rf", str(tmp_path / "out")], check=True)
    assert proc.returncode == -signal.SIGKILL, "the batch always finished before it could be killed"
    done_before = len(list(stored.glob("*.json")))
    assert 4 <= done_before < N_KILL
    assert not (tmp_path / "out" / "summary.csv").exists()  # killed before the summary

    rerun = _start(args, tmp_path)
    _, stderr = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, stderr
    assert "Traceback" not in stderr
    html = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    reviewed, reused = map(int, RUN_LINE.search(html).groups())
    # Every review the killed run recorded is reused (a worker may have stored one whose record the
    # parent had not yet committed: at most one per worker), the rest is reviewed now, nothing twice.
    assert reused >= done_before - 2 and reviewed + reused == N_KILL and reviewed > 0
    assert f"沿用上次运行的 {reused} 份" in stderr
    assert _summary(tmp_path / "out") == expected
    for k in (0, N_KILL - 1):
        name = f"d{k:02d}.review.md"
        assert (tmp_path / "out" / name).read_text(encoding="utf-8") == (tmp_path / "uninterrupted" / name).read_text(encoding="utf-8")


def test_the_batch_findings_get_the_ids_a_full_pass_gives(seed_report):
    """finish_one ids only the batch's own findings: the same ids as assign_ids over them all."""
    from reviewer.finding_ids import assign_ids
    from reviewer.findings import sort_findings

    a = pipeline.review_report(seed_report, Options(llm_enabled=False))
    other = a.model_copy(deep=True)
    other.report.cover.department.text = "另一个部门"
    found = batch.copied_across_reports([("a.docx", a), ("b.docx", other)])[0]
    dup = batch.duplicate_findings({1: 0}, ["a.docx", "b.docx"])[0]
    extra = [*found, dup]
    assert len(found) >= 3
    quick = batch._with_ids(a, extra)
    full = assign_ids(sort_findings([*a.findings, *extra]), a.report)
    assert [(f.code, f.id) for f in quick] == [(f.code, f.id) for f in full]
    assert len({f.id for f in quick}) == len(quick)


def test_an_unusable_run_folder_costs_the_resume_not_the_batch(tmp_path: Path):
    files = _departments(tmp_path / "in", 2)
    run = tmp_path / "run"
    run.write_text("a file where the run folder should be")
    notes: list[str] = []
    spec = build_spec("md", str(tmp_path / "out"), batch=True, inputs=files)
    result = batch.run_batch(files, Options(llm_enabled=False), spec, jobs=1, run_folder=run, on_note=notes.append)
    assert not result.failed and (tmp_path / "out" / "d00.review.md").is_file()
    assert len(notes) == 1 and "不能续跑" in notes[0] and "\n" not in notes[0]


def test_a_record_is_compact(seed_report):
    import json

    review = pipeline.review_report(seed_report, Options(llm_enabled=False))
    record = batch.compact_record(review)
    assert record["targets"] and record["department"]
    assert len(json.dumps(record, ensure_ascii=False).encode()) < 20_000
    assert len(review.model_dump_json()) > 4 * len(json.dumps(record, ensure_ascii=False))


def test_a_resumed_run_has_the_worst_severity_of_the_run_that_wrote_its_memos(tmp_path: Path, monkeypatch):
    """--fail-on reads BatchResult.worst_rank: a run that reuses every memo must give what the first
    gave, including the tool's own info notes (llm.not_run) that the summary counts leave out. The
    reviews here are made to hold one constructed llm.failed note and nothing else."""
    from reviewer.findings import Finding

    real = pipeline.review_file

    def only_a_tool_note(path, options):
        review = real(path, options)
        note = Finding(code="llm.failed", severity="info", source="llm", message="（测试构造）模型调用失败")
        return review.model_copy(update={"findings": [note]})

    monkeypatch.setattr(pipeline, "review_file", only_a_tool_note)
    files = _departments(tmp_path / "in", 1)
    first, again = _run(files, tmp_path / "out"), _run(files, tmp_path / "out")
    assert first.worst_rank() == 0  # info: the not-run notes
    assert again.counts.reused == 1
    assert [o.worst for o in again.outcomes] == [o.worst for o in first.outcomes]
    assert again.worst_rank() == first.worst_rank()
