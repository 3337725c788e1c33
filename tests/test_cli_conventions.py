"""CLI conventions: --version, Chinese help and codes, -q/-v, `-` for stdin, hints for the files
departments send instead of the Word report, and no openai import when the judge does not run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEED_DOCX
from reviewer import __version__
from reviewer.cli import app
from reviewer.findings import CODES, code_meanings_zh


def run_review(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args], input=stdin, capture_output=True, cwd=cwd, timeout=300,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str):
    result = CliRunner().invoke(app, [flag])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"review {__version__}"


# Letters that may appear in Chinese help: option names, formats, file names, codes, env vars.
_ALLOWED = re.compile(
    r"--?[a-zA-Z][\w-]*|\$?[A-Z_]{3,}|[\w.-]*\.(docx|doc|md|html|json|xlsx|csv|yaml|j2|css)\b|"
    r"\b(md|html|docx|json|xlsx|error|warning|info|none|review|run|extract|schema|codes|decisions|init|CPU|LibreOffice|Excel|"
    r"JSON|Schema|UTF|BOM|CSV|CI|min|N|R|Word|summary|html|eval|gold|table|must_not|warning|letter|YYYY|MM|DD|wording|"
    r"OpenAI|once|new_episodes|all|deepseek|dashscope|ollama|vllm|openai|llamacpp|enable_thinking|false)\b"
)


def _english_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", _ALLOWED.sub(" ", text))


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["decisions", "--help"], ["decisions", "init", "--help"], ["extract", "--help"]])
def test_help_is_chinese(args: list[str]):
    # wide enough that no help line wraps: a word cut in two by a wrap is no word
    result = CliRunner().invoke(app, args, prog_name="review", terminal_width=400, max_content_width=400)
    assert result.exit_code == 0
    text = result.stdout
    assert _english_words(text) == [], text
    assert "用法：" in text and "显示本帮助后退出" in text


def test_codes_are_listed_in_chinese():
    result = CliRunner().invoke(app, ["codes"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(CODES)
    for line in lines:
        meaning = line.split(None, 1)[1]
        assert re.search(r"[\u4e00-\u9fff]", meaning) and not _english_words(meaning), line


def test_every_code_has_a_chinese_meaning():
    meanings = code_meanings_zh()
    assert [c for c in CODES if c not in meanings] == [], "add the Chinese meaning to reviewer/data/codes.zh.yaml"
    assert [c for c in meanings if c not in CODES] == []


# --- stdin --------------------------------------------------------------------------------------


def test_dash_reads_the_report_from_stdin_and_prints_the_memo(tmp_path: Path):
    proc = run_review("-", "--no-llm", cwd=tmp_path, stdin=SEED_DOCX.read_bytes())
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode("utf-8").startswith("# 绩效自评报告审核意见")
    assert list(tmp_path.iterdir()) == []


def test_dash_with_an_output_folder(tmp_path: Path):
    proc = run_review("-", "--no-llm", "-f", "json,xlsx", "-o", "out", cwd=tmp_path, stdin=SEED_DOCX.read_bytes())
    assert proc.returncode == 0, proc.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["stdin.review.json", "stdin.review.xlsx"]


@pytest.mark.parametrize(
    "stdin, args, problem",
    [
        (b"", [], "标准输入为空"),
        (b"not a report", [], "不是 .docx 文件"),
        (SEED_DOCX.read_bytes(), ["-f", "docx"], "只能输出文本格式"),
        (SEED_DOCX.read_bytes(), ["other.docx"], "只能单独使用"),
    ],
    # short ids: pytest puts the test id in PYTEST_CURRENT_TEST, and a docx's bytes in it are more
    # than one environment string may hold (the review subprocess then fails to start)
    ids=["empty", "not-a-report", "binary-format", "with-other-input"],
)
def test_dash_errors_are_one_line(tmp_path: Path, stdin: bytes, args: list[str], problem: str):
    proc = run_review("-", "--no-llm", *args, cwd=tmp_path, stdin=stdin)
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and problem in lines[0], lines
    assert "文件不存在" not in lines[0]


# --- hints --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, hint",
    [
        ("报告.pdf", "不是有效的 PDF 文件"),  # a PDF is read now (tests/test_ingest_pdf.py); these bytes are none
        ("报告.xls", "这是 Excel 表格"),
        ("报告.xlsx", "这是 Excel 表格"),
        ("报告.wps", "另存为"),
    ],
)
def test_files_that_are_not_the_word_report_get_a_hint(tmp_path: Path, name: str, hint: str):
    (tmp_path / name).write_bytes(b"%PDF-1.7 or some other bytes that are not a report\n" * 20)
    proc = run_review(name, "--no-llm", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and hint in lines[0], lines
    assert "Word" in lines[0] and ".docx" in lines[0]


# --- quiet / verbose ----------------------------------------------------------------------------


def test_quiet_and_verbose(tmp_path: Path):
    (tmp_path / "r.docx").write_bytes(SEED_DOCX.read_bytes())
    quiet = run_review("r.docx", "--no-llm", "-q", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == b"" and quiet.stdout == b""
    normal = run_review("r.docx", "--no-llm", cwd=tmp_path).stderr.decode()
    assert "已写出" in normal and "条问题" not in normal
    verbose = run_review("r.docx", "--no-llm", "-v", cwd=tmp_path).stderr.decode()
    assert "已写出" in verbose and re.search(r"\d+ 条问题（错误 \d+，存疑 \d+，无法核实 \d+）", verbose) and "用时" in verbose
    bad = run_review("missing.docx", "-q", cwd=tmp_path)
    assert bad.returncode == 2 and "文件不存在" in bad.stderr.decode()  # errors are never silenced


def test_no_llm_review_does_not_import_the_openai_sdk(tmp_path: Path):
    (tmp_path / "r.docx").write_bytes(SEED_DOCX.read_bytes())
    code = (
        "import sys\nfrom reviewer.cli import app\n"
        "try:\n    app(['r.docx', '--no-llm', '-q'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openai', 'httpx2', 'httpx')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert (tmp_path / "r.review.md").is_file()
