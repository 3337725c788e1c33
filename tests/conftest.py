from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SEED_DOCX = FIXTURES / "yunxi-2021-quweiban.docx"
SEED_DOC = FIXTURES / "yunxi-2021-quweiban.doc"


@pytest.fixture(scope="session")
def seed_report():
    from reviewer.ingest import load_report

    return load_report(SEED_DOCX)


def soffice_available() -> bool:
    return shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


needs_soffice = pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) not on PATH")


# Test files that run the CLI in subprocesses, convert with LibreOffice, review the whole corpus, replay
# cassettes or drive loopback servers (each over a second on an idle 2-core machine). They carry the
# `integration` mark, so `python -m pytest -m "not integration"` is the quick run while developing;
# CI and the README's test command run everything.
INTEGRATION_FILES = frozenset({
    "test_batch_progress",
    "test_batch_resume",
    "test_batch_run",
    "test_cassette_cli",
    "test_cli_bad_input",
    "test_cli_conventions",
    "test_cli_run",
    "test_decisions",
    "test_eval_cassette",
    "test_eval_cli",
    "test_header_roles",
    "test_ingest_pdf",
    "test_ingest_soffice",
    "test_llm_batch",
    "test_llm_batch_jobs",
    "test_llm_cassettes",
    "test_llm_cli_wiring",
    "test_llm_deadline",
    "test_llm_faults",
    "test_llm_judge_flow",
    "test_llm_settings",
    "test_memo_department",
    "test_memo_writers",
    "test_metamorphic",
    "test_narrative_seed",
    "test_national_layouts",
    "test_output_paths",
    "test_pipeline",
    "test_reliability_batch",
    "test_reliability_budget",
    "test_reliability_corpus",
    "test_reliability_hostile",
    "test_reliability_ingest",
    "test_reliability_resources",
    "test_reliability_secrets",
    "test_reliability_soffice",
    "test_wheel",
    "test_xlsx",
})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.stem in INTEGRATION_FILES:
            item.add_marker(pytest.mark.integration)
