"""The README documents the public contract: every finding code, and the CI test command."""

from pathlib import Path

from reviewer.findings import CODES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_finding_code_is_documented():
    missing = [code for code in CODES if f"`{code}`" not in README]
    assert missing == []


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "pip install -e '.[test]' && python -m pytest"
    assert command in README
    assert ci.strip().splitlines()[-1].endswith(command)
