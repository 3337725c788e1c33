"""Where memos go (`-o`), with what mode, and what is never overwritten.

Most cases run the CLI in-process on a fixed Review (the pipeline replaced: these tests are about
paths, not findings); the file-mode, long-name and input-protection cases run the real command.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEED_DOCX
from memo_samples import sample_review
from reviewer.cli import app
from reviewer.memo.outputs import MAX_NAME_BYTES, build_spec, fit_name


@pytest.fixture()
def here(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "report.docx").write_bytes(SEED_DOCX.read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture()
def fixed(monkeypatch, seed_report):
    review = sample_review(seed_report.model_copy(deep=True))
    monkeypatch.setattr("reviewer.pipeline.review_file", lambda path, options: review)
    return review


def invoke(*args: str):
    return CliRunner().invoke(app, ["report.docx", "--no-llm", *args])


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    "target, starts",
    [("memo.html", "<!DOCTYPE html>"), ("memo.json", "{"), ("memo.md", "# 绩效自评报告审核意见"), ("memo.markdown", "# ")],
)
def test_one_file_takes_its_format_from_the_extension(here: Path, fixed, target: str, starts: str):
    result = invoke("-o", target)
    assert result.exit_code == 0, result.output
    assert (here / target).read_text(encoding="utf-8").startswith(starts)
    assert files(here) == sorted(["report.docx", target])


def test_xlsx_extension_writes_a_workbook(here: Path, fixed):
    result = invoke("-o", "memo.xlsx")
    assert result.exit_code == 0, result.output
    assert (here / "memo.xlsx").read_bytes()[:2] == b"PK"


def test_an_extension_without_a_memo_meaning_keeps_the_format_asked(here: Path, fixed):
    result = invoke("-o", "memo.txt", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads((here / "memo.txt").read_text(encoding="utf-8"))["report"]


@pytest.mark.parametrize("target", ["newdir", "newdir/", "deep/er/"])
def test_a_path_without_extension_or_ending_in_a_slash_is_a_folder(here: Path, fixed, target: str):
    result = invoke("-o", target)
    assert result.exit_code == 0, result.output
    folder = here / target.rstrip("/")
    assert folder.is_dir() and files(folder) == ["report.review.md"]


def test_an_existing_folder_receives_the_memo(here: Path, fixed):
    (here / "memos.v2").mkdir()  # a dot in the name: still a folder because it exists
    result = invoke("-o", "memos.v2")
    assert result.exit_code == 0, result.output
    assert files(here / "memos.v2") == ["report.review.md"]


def test_several_formats_make_a_folder(here: Path, fixed):
    result = invoke("-o", "out", "-f", "md,html,json")
    assert result.exit_code == 0, result.output
    assert files(here / "out") == ["report.review.html", "report.review.json", "report.review.md"]


@pytest.mark.parametrize(
    "args, problem",
    [
        (["-o", "x.md", "-f", "md,html"], "是文件名"),  # was: a folder named x.md
        (["-o", "memo.html", "-f", "md"], "扩展名 .html 与输出格式 md 不符"),  # was: Markdown in a .html file
        (["-o", "-", "-f", "md,json"], "一次只能输出一种格式"),  # was: both printed back to back
        (["-o", "-", "-f", "docx"], "只能输出文本格式"),
        (["-o", "-", "-f", "xlsx"], "只能输出文本格式"),
    ],
)
def test_impossible_outputs_are_refused_with_one_line(here: Path, fixed, args: list[str], problem: str):
    result = invoke(*args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0], result.output
    assert files(here) == ["report.docx"]  # nothing written, no folder made


def test_stdout_gets_exactly_one_memo(here: Path, fixed):
    result = CliRunner().invoke(app, ["report.docx", "--no-llm", "-o", "-", "-f", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["report"]["source"]
    assert files(here) == ["report.docx"]


def test_a_batch_refuses_a_file_name_and_stdout(here: Path, fixed):
    (here / "b.docx").write_bytes(SEED_DOCX.read_bytes())
    for args, problem in ((["-o", "all.md"], "是文件名"), (["-o", "-"], "只能用于一份报告")):
        result = CliRunner().invoke(app, ["report.docx", "b.docx", "--no-llm", *args])
        assert result.exit_code == 2 and problem in result.output, result.output


def test_a_batch_writes_html_beside_the_chosen_formats():
    spec = build_spec("json", "out/", batch=True)
    assert spec.formats == ["json", "html"]
    assert build_spec(None, None, batch=True).formats == ["md", "html"]
    assert build_spec(None, None).formats == ["md"]


# --- names -------------------------------------------------------------------------------------


def test_long_names_are_cut_with_a_hash():
    stem = "某某县" + "财政局部门整体支出绩效自评报告" * 10
    name = fit_name(stem, ".review.html")
    assert len(name.encode()) <= MAX_NAME_BYTES and name.endswith(".review.html")
    other = fit_name(stem + "（修订）", ".review.html")
    assert other != name and other[:40] == name[:40]  # same prefix, told apart by the hash
    assert fit_name("short", ".review.md") == "short.review.md"


def run_review(*args: str, cwd: Path, umask: int | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd, timeout=300,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


def test_a_report_with_a_very_long_name_gets_its_memos(tmp_path: Path):
    name = "岳阳市云溪区" + "部门整体支出绩效自评报告" * 6 + ".docx"  # 240 bytes: fits, its memo names would not
    assert len(name.encode()) < 255
    (tmp_path / name).write_bytes(SEED_DOCX.read_bytes())
    proc = run_review(name, "--no-llm", "-f", "md,html", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    memos = sorted(p.name for p in tmp_path.glob("*.review.*"))
    assert len(memos) == 2 and all(len(m.encode()) <= MAX_NAME_BYTES for m in memos)


# --- modes and protection (the real command) ------------------------------------------------------


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_files_get_the_umask_mode(tmp_path: Path, umask: int, mode: int):
    for name in ("a.docx", "b.docx"):
        (tmp_path / name).write_bytes(SEED_DOCX.read_bytes())
    with (tmp_path / "b.docx").open("ab") as fh:
        fh.write(b"\0")  # not byte-identical to a.docx
    proc = run_review("a.docx", "b.docx", "--no-llm", "-f", "md,json,xlsx", "-o", "out", cwd=tmp_path, umask=umask)
    assert proc.returncode == 0, proc.stderr
    written = [p for p in (tmp_path / "out").iterdir() if p.name != ".reviewer-run"]
    assert {p.name for p in written} >= {"summary.html", "summary.csv", "summary.xlsx", "a.review.md", "b.review.xlsx"}
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in written} == {oct(mode)}
    # the run folder's stored reviews hold the reports' text: the same mode as the memos
    stored = list((tmp_path / "out" / ".reviewer-run" / "reviews").iterdir())
    assert len(stored) == 2 and {oct(stat.S_IMODE(p.stat().st_mode)) for p in stored} == {oct(mode)}
    proc = run_review("a.docx", "--no-llm", "-o", "single.html", cwd=tmp_path, umask=umask)
    assert proc.returncode == 0 and stat.S_IMODE((tmp_path / "single.html").stat().st_mode) == mode


def test_an_input_is_never_an_output(tmp_path: Path):
    (tmp_path / "r.docx").write_bytes(SEED_DOCX.read_bytes())
    proc = run_review("r.docx", "--no-llm", "-f", "docx", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    annotated = (tmp_path / "r.review.docx").read_bytes()
    # Both given again: r.docx's annotated copy would be written over the second input.
    proc = run_review("r.docx", "r.review.docx", "--no-llm", "-f", "docx", cwd=tmp_path)
    assert (tmp_path / "r.review.docx").read_bytes() == annotated
    assert (tmp_path / "r-docx.review.docx").is_file(), sorted(p.name for p in tmp_path.iterdir())


def test_summary_files_go_to_the_current_folder_not_a_common_parent(tmp_path: Path):
    a, b, work = tmp_path / "x" / "deep", tmp_path / "y", tmp_path / "work"
    for folder in (a, b, work):
        folder.mkdir(parents=True)
    (a / "a.docx").write_bytes(SEED_DOCX.read_bytes())
    (b / "b.docx").write_bytes(SEED_DOCX.read_bytes() + b"\0")
    proc = run_review(str(a / "a.docx"), str(b / "b.docx"), "--no-llm", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert (work / "summary.html").is_file() and (work / "summary.csv").is_file()
    assert not list(tmp_path.glob("summary.*"))
    assert (a / "a.review.html").is_file() and (b / "b.review.md").is_file()


def test_the_same_file_twice_is_one_review(tmp_path: Path):
    (tmp_path / "a.docx").write_bytes(SEED_DOCX.read_bytes())
    proc = run_review("a.docx", "a.docx", "--no-llm", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "a.review.md"]  # no batch, no summary


def test_an_unwritable_summary_folder_costs_the_summary_not_the_memos(tmp_path: Path, monkeypatch):
    """The summary write is made to fail (a read-only current folder; root could write anyway)."""
    from reviewer import batch
    from reviewer.pipeline import Options

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(batch, "write_summary", refuse)
    files = [tmp_path / "a.docx", tmp_path / "b.docx"]
    files[0].write_bytes(SEED_DOCX.read_bytes())
    files[1].write_bytes(SEED_DOCX.read_bytes() + b"\0")
    errors: list[str] = []
    spec = build_spec(None, None, batch=True, inputs=files)
    result = batch.run_batch(files, Options(llm_enabled=False), spec, jobs=1, on_error=errors.append)
    assert not result.failed and (tmp_path / "a.review.md").is_file() and (tmp_path / "b.review.html").is_file()
    assert len(errors) == 1 and "无法写出汇总" in errors[0] and "Permission denied" in errors[0]
    assert result.summary_error == errors[0]


def test_the_letter_may_be_named_as_a_docx_file(here: Path, fixed):
    import docx

    result = invoke("-o", "反馈函.docx", "-f", "letter")
    assert result.exit_code == 0, result.output
    assert docx.Document(str(here / "反馈函.docx")).paragraphs[0].text.startswith("关于")
    refused = invoke("-o", "-", "-f", "letter")
    assert refused.exit_code == 2 and "反馈函" in refused.output
