"""The same values come out of the .doc original and of a .docx LibreOffice wrote."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SEED_DOC, SEED_DOCX, needs_soffice
from reviewer.ingest import load_report
from reviewer.model import Report

pytestmark = [pytest.mark.soffice, needs_soffice]


def _essentials(r: Report) -> dict:
    return {
        "department": r.cover.department.text,
        "staff": (r.staff.quota.value, r.staff.actual.value, r.staff.in_service.value),
        "targets": [(t.kind, t.target.text, t.completion.text) for t in r.targets],
        "tables": {k: [(row.name, {c: v.value for c, v in row.values.items()}) for row in t.rows] for k, t in r.tables.items()},
        "score": (r.total_score.value, r.grade.text),
        "score_rows": [(s.level3, s.points.value, s.self_score.value, s.reason.text) for s in r.score_table.rows],
        "sections": [(s.number, s.heading, [p.text for p in s.paragraphs]) for s in r.sections],
        "unread": r.unread,
    }


@pytest.fixture(scope="module")
def docx_values():
    return _essentials(load_report(SEED_DOCX))


def test_doc_through_libreoffice(docx_values):
    assert _essentials(load_report(SEED_DOC)) == docx_values


def test_docx_round_tripped_by_libreoffice(tmp_path: Path, docx_values):
    src = tmp_path / "in" / "report.docx"
    src.parent.mkdir()
    shutil.copy(SEED_DOCX, src)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"), str(src)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    out = tmp_path / "out" / "report.docx"
    assert out.read_bytes() != SEED_DOCX.read_bytes()  # really rewritten by LibreOffice
    assert _essentials(load_report(out)) == docx_values
