"""`review run`: formats, output places, --fail-on exit codes, option errors as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEED_DOCX
from memo_samples import sample_review
from reviewer.cli import app
from reviewer.review import Review


def run_review(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture()
def seed(tmp_path: Path) -> Path:
    path = tmp_path / "report.docx"
    path.write_bytes(SEED_DOCX.read_bytes())
    return path


def test_all_formats_into_a_folder(seed: Path, tmp_path: Path):
    proc = run_review(seed.name, "--format", "md,html,docx,json", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["report.review.md", "report.review.html", "report.review.docx", "report.review.json"]
    )  # no temp files left behind
    assert json.loads((out / "report.review.json").read_text(encoding="utf-8"))["report"]["source"] == "report.docx"


def test_default_is_markdown_next_to_the_input(seed: Path, tmp_path: Path):
    proc = run_review(seed.name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "report.review.md").read_text(encoding="utf-8").startswith("# 绩效自评报告审核意见")


def test_dash_prints_to_stdout(seed: Path, tmp_path: Path):
    proc = run_review(seed.name, "-o", "-", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["report"]["cover"]["year"] == 2021
    assert not list(tmp_path.glob("*.review.*"))


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--format", "pdf"], "未知的输出格式"),
        (["--format", "docx", "-o", "-"], "只能输出文本格式"),
        (["--templates", "nope"], "模板文件夹不存在"),
        (["--fail-on", "fatal"], "--fail-on"),
        (["--format", "docx", "-o", "report.docx"], "覆盖输入文件"),
    ],
)
def test_option_errors_are_one_line_exit_2(seed: Path, tmp_path: Path, args: list[str], problem: str):
    before = seed.read_bytes()
    proc = run_review(seed.name, *args, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert seed.read_bytes() == before


# --- exit codes: the pipeline is replaced by a fixed Review so the codes do not depend on which
# --- checks have landed (sample_review has one error, warnings and infos).


@pytest.fixture()
def fixed_review(monkeypatch, seed_report):
    state: dict[str, Review] = {"review": sample_review(seed_report.model_copy(deep=True))}
    monkeypatch.setattr("reviewer.pipeline.review_file", lambda path, options: state["review"])
    return state


@pytest.mark.parametrize("fail_on, code", [("none", 0), ("error", 1), ("warning", 1), ("info", 1)])
def test_fail_on(fixed_review, seed: Path, tmp_path: Path, fail_on: str, code: int):
    result = CliRunner().invoke(app, [str(seed), "--fail-on", fail_on, "-o", str(tmp_path / "out")])
    assert result.exit_code == code, result.output


@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on_threshold(fixed_review, seed: Path, tmp_path: Path, fail_on: str, code: int):
    review = fixed_review["review"]
    review.findings = [f for f in review.findings if f.severity != "error"]
    result = CliRunner().invoke(app, [str(seed), "--fail-on", fail_on, "-o", str(tmp_path / "out")])
    assert result.exit_code == code, result.output


def test_fail_on_in_a_batch(fixed_review, seed: Path, tmp_path: Path):
    other = tmp_path / "other.docx"
    other.write_bytes(seed.read_bytes())
    result = CliRunner().invoke(app, [str(seed), str(other), "--fail-on", "error", "--jobs", "1", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert (tmp_path / "out" / "summary.csv").is_file()
