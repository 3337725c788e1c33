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
