"""Progress a person can read on a long batch: reports done / reused / failed, model rows, what is
left; the same counts in the summary."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import SEED_DOCX
from reviewer import batch
from reviewer.batch import RunCounts
from reviewer.memo import build_spec
from reviewer.pipeline import Options
from test_batch_run import OWN_DEPT, altered_copy


def test_the_line_names_every_count_and_the_time_left():
    c = RunCounts(reports=120, to_review=100, reviewed=25, reused=20, failed=2, written=30, kept=10,
                  llm_rows=300, llm_unfinished=4, llm_in_job=40)
    c.started = time.monotonic() - 50  # 25 reviews in 50 s: 75 left ≈ 150 s
    line = c.line()
    assert "共 120 份" in line and "本次审核 25/100" in line and "沿用上次 20" in line and "失败 2" in line
    assert "已写出 40" in line
    assert "大模型行 已完成 300，未完成 4，排队 0，批处理任务中 40" in line
    assert "预计还需 2 分钟" in line or "预计还需 3 分钟" in line
    summary = c.summary_line()
    assert "本次运行审核 25 份，沿用上次运行的审核结果 20 份，失败 2 份" in summary
    assert "10 份的审核意见未变" in summary and "批处理任务中 40 行" in summary


def test_no_estimate_before_the_first_review_and_none_when_done():
    c = RunCounts(reports=5, to_review=5)
    assert c.remaining_seconds() is None and "预计" not in c.line()
    c.reviewed = 5
    assert "预计" not in c.line()


class Recorder:
    def __init__(self):
        self.phases, self.seen = [], []

    def phase(self, label, total):
        self.phases.append((label, total))
        return lambda: None

    def counts(self, counts):
        self.seen.append((counts.reviewed, counts.reused, counts.failed, counts.written))


def test_the_batch_reports_its_counts_as_they_change(tmp_path: Path):
    files = [altered_copy(tmp_path / f"p{k}.docx", {OWN_DEPT: f"某区第{k}局"}) for k in range(2)]
    broken = tmp_path / "broken.docx"
    broken.write_bytes(SEED_DOCX.read_bytes()[:3000])
    spec = build_spec("md", str(tmp_path / "out"), batch=True, inputs=files)
    rec = Recorder()
    result = batch.run_batch([*files, broken], Options(llm_enabled=False), spec, jobs=1, progress=rec)
    assert rec.phases == [("审核", 3), ("写出", 2)]
    assert rec.seen[-1] == (2, 0, 1, 2)
    assert [s[0] for s in rec.seen] == sorted(s[0] for s in rec.seen)  # reviews only go up
    assert (result.counts.reports, result.counts.failed) == (3, 1)

    rec = Recorder()
    again = batch.run_batch([*files, broken], Options(llm_enabled=False), build_spec("md", str(tmp_path / "out"), batch=True, inputs=files),
                            jobs=1, progress=rec)
    assert rec.phases == [("审核", 1), ("写出", 0)] and rec.seen[-1] == (0, 2, 1, 0)
    assert again.counts.kept == 2


def test_a_log_gets_plain_progress_lines(tmp_path: Path):
    for k in range(2):
        altered_copy(tmp_path / f"q{k}.docx", {OWN_DEPT: f"某镇第{k}办"})
    env = {**os.environ, "REVIEWER_PROGRESS_SECONDS": "0"}
    proc = subprocess.run([sys.executable, "-m", "reviewer", ".", "-o", "out", "--no-llm"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.startswith("review: 共 2 份")]
    assert lines and "本次审核 2/2" in lines[-1] and "已写出 2" in lines[-1]
    again = subprocess.run([sys.executable, "-m", "reviewer", ".", "-o", "out", "--no-llm"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert "（其中沿用上次运行的 2 份）" in again.stderr
    assert "review: 共" not in again.stderr  # a line a minute by default: none in a 1-second run
