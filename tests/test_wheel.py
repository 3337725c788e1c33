"""Installs like a tool: a wheel built from the source reviews the example outside the checkout.

Offline: the wheel is built without build isolation (the setuptools of this environment, see the
`test` extra) from a copy of the files a source distribution holds, and installed with --no-deps
into a fresh venv that sees this environment's dependencies through a .pth line (a plain path: the
editable install of this checkout that lives there is not activated).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE_FILES = ["pyproject.toml", "setup.py", "README.md", "reviewer", "rubric", "prompts"]


def _run(*cmd, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCE_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    dist = tmp / "dist"
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, src, cwd=tmp)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("reviewer-*.whl")

    venv = tmp / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "reviewer-test-deps.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    done = _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=tmp)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv


def test_the_wheel_carries_rubric_prompts_and_templates(installed: Path, tmp_path: Path):
    probe = _run(
        installed / "bin" / "python", "-c",
        "import reviewer, reviewer.resources as r; print(reviewer.__file__); print(r.bundled('rubric')); print(r.bundled('prompts'))",
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    module, rubric, prompts = probe.stdout.split()
    assert str(ROOT) not in module and module.startswith(str(installed))
    assert Path(rubric).is_relative_to(installed) and (Path(rubric) / "hunan-dept-overall-2021.yaml").is_file()
    assert Path(prompts).is_relative_to(installed) and (Path(prompts) / "system.j2").is_file()
    shipped = {p.relative_to(ROOT).as_posix() for d in ("rubric", "prompts") for p in (ROOT / d).glob("*") if p.suffix in (".yaml", ".j2")}
    assert {f"{Path(p).parent.name}/{Path(p).name}" for p in [*Path(rubric).glob("*.yaml"), *Path(prompts).glob("*.j2")]} == shipped
    package = Path(module).parent
    for folder in ("data", "data/layouts", "memo/templates"):  # package data in subfolders too
        source = {p.name for p in (ROOT / "reviewer" / folder).glob("*") if p.is_file()}
        assert source and source == {p.name for p in (package / folder).glob("*") if p.is_file()}, folder


def test_the_installed_command_reviews_the_example(installed: Path, tmp_path: Path):
    report = tmp_path / "example.docx"
    shutil.copy2(ROOT / "examples" / "yunxi-2021-quweiban.docx", report)
    proc = _run(installed / "bin" / "review", report.name, "--no-llm", "-f", "md,html", "-o", "out/", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    memo = (tmp_path / "out" / "example.review.md").read_text(encoding="utf-8")
    assert "hunan-dept-overall-2021.yaml" in memo  # the bundled rubric was found and used
    assert "评分表核查" in memo
    assert (tmp_path / "out" / "example.review.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    version = _run(installed / "bin" / "review", "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("review ")
