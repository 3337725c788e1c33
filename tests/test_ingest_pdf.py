"""PDF input: corpus reports exported to PDF by LibreOffice read as their .docx does.

The PDFs are made here, once per session (LibreOffice with a CJK font: without one the layout
changes), and cached in a temp folder. Skipped where soffice is missing, as the .doc tests are.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SEED_DOCX, needs_soffice
from reviewer.errors import InputError
from reviewer.ingest import load_body, load_report
from reviewer.ingest.pdf_grid import ENCRYPTED, NO_TABLES, SCAN, _Line, _paragraphs, cell_agreement, read_pdf

CORPUS = Path(__file__).parent.parent / "examples" / "corpus"
REPORTS = sorted(p.stem for p in CORPUS.glob("*.docx"))
MIN_AGREEMENT = 0.97  # issue 24: the cells the .docx reader yields, yielded equal from the PDF


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _to_pdf(sources: list[Path], out: Path, profile: Path, export: str = "pdf") -> None:
    subprocess.run(
        [_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", export,
         "--outdir", str(out), *map(str, sources)],
        check=True, capture_output=True, timeout=600,
    )


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    """Every corpus report and the seed form as PDF (one LibreOffice run)."""
    if _soffice() is None:
        pytest.skip("LibreOffice (soffice) not on PATH")
    root = tmp_path_factory.mktemp("pdf")
    out = root / "out"
    _to_pdf([*(CORPUS / f"{n}.docx" for n in REPORTS), SEED_DOCX], out, root / "profile")
    return out


def run_review(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reviewer", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


# --- the reader on its own: paragraphs from lines ------------------------------------------------


def _line(text: str, x0: float, x1: float, top: float, size: float = 10.0) -> _Line:
    return _Line(x0=x0, x1=x1, top=top, bottom=top + size, text=text, size=size, lead=size)


def test_wrapped_lines_are_one_paragraph_and_short_lines_end_one():
    lines = [
        _line("本年度共完成河道清淤工程十二处，累计清", 100, 290, 0),
        _line("运淤泥四万立方米。", 100, 190, 12),  # ends short: the paragraph ends
        _line("二、存在的问题", 100, 170, 24),
    ]
    assert _paragraphs(lines, left=100, right=290) == ["本年度共完成河道清淤工程十二处，累计清运淤泥四万立方米。", "二、存在的问题"]


def test_an_indented_line_or_a_numbered_item_starts_a_paragraph():
    lines = [
        _line("图书馆全年接待读者十八万人次，同比增长百", 100, 290, 0),
        _line("分之六。", 120, 160, 12),  # indented two characters
    ]
    assert len(_paragraphs(lines, left=100, right=290)) == 2
    items = [
        _line("1.完成乡村道路硬化二十公里，全部通过验收。", 100, 290, 0),
        _line("2.新建候车亭八座。", 100, 180, 12),
    ]
    assert _paragraphs(items, left=100, right=290) == ["1.完成乡村道路硬化二十公里，全部通过验收。", "2.新建候车亭八座。"]


def test_a_number_pushed_whole_to_the_next_line_is_a_wrap_not_a_paragraph():
    # "12.5%" did not fit after 率: the line ends 30 points short, less than the number is wide
    first = _line("全年财政资金结转率控制在", 100, 260, 0)
    second = _Line(x0=100, x1=200, top=12, bottom=22, text="12.5%以内。", size=10.0, lead=32.0)
    assert _paragraphs([first, second], left=100, right=290) == ["全年财政资金结转率控制在12.5%以内。"]
    second.lead = 20.0  # a narrower start would have fitted: the line really ended
    assert len(_paragraphs([first, second], left=100, right=290)) == 2


# --- corpus PDFs against their .docx --------------------------------------------------------------


@pytest.mark.soffice
@needs_soffice
@pytest.mark.parametrize("name", REPORTS)
def test_pdf_cells_agree_with_the_docx(pdf_dir: Path, name: str):
    equal, total, diffs = cell_agreement(load_body(CORPUS / f"{name}.docx"), load_body(pdf_dir / f"{name}.pdf"))
    assert total > 50
    assert equal / total >= MIN_AGREEMENT, diffs[:5]


@pytest.mark.soffice
@needs_soffice
def test_tables_cut_by_pages_are_one_grid_as_in_the_docx(pdf_dir: Path):
    docx = load_body(SEED_DOCX)
    pdf = read_pdf(pdf_dir / f"{SEED_DOCX.stem}.pdf")
    assert pdf.page_count > 5
    assert [(len(g.rows), g.ncols) for g in pdf.grids] == [(len(g.rows), g.ncols) for g in docx.grids]
    # the long 评价报告综述 cell runs over several pages and is one cell, paragraphs and all
    narrative = [c for g in docx.grids for r in range(len(g.rows)) for _, c in g.distinct(r) if "评价报告综述" in c.text][0]
    got = pdf.grids[narrative.table].rows[narrative.row][narrative.col]
    assert got.key == narrative.key
    assert abs(len(got.paragraphs) - len([p for p in narrative.paragraphs if p.strip()])) <= 2
    # every row knows its page, in page order
    pages = [pdf.pages[(0, r)] for r in range(len(pdf.grids[0].rows))]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] > 2


@pytest.mark.soffice
@needs_soffice
@pytest.mark.parametrize("name", ["hunan-2023-xiangyin-wjj-careful", "mof-2022-langxi-equipment-sloppy"])
def test_pdf_report_reads_the_same_figures(pdf_dir: Path, name: str):
    docx, pdf = load_report(CORPUS / f"{name}.docx"), load_report(pdf_dir / f"{name}.pdf")

    def figures(r):
        return ([(s.level3, s.points.value, s.self_score.value) for s in (r.score_table.rows if r.score_table else [])],
                [(i.level3, i.points.value, i.score.value) for i in r.indicators],
                {k: [(row.name, {c: v.value for c, v in row.values.items()}) for row in t.rows] for k, t in r.tables.items()},
                r.total_score.value, r.grade.text.strip(), len(r.targets), [s.heading for s in r.sections])

    assert figures(pdf) == figures(docx)
    assert not [u for u in pdf.unread if u.code == "input.unreadable"]


@pytest.mark.soffice
@needs_soffice
def test_findings_on_a_pdf_name_their_page(pdf_dir: Path, tmp_path: Path):
    src = tmp_path / "report.pdf"
    shutil.copy(pdf_dir / "mof-2022-langxi-equipment-sloppy.pdf", src)
    proc = run_review("report.pdf", "--no-llm", "-f", "json", "-o", "memo.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    import json

    findings = json.loads((tmp_path / "memo.json").read_text(encoding="utf-8"))["findings"]
    exceeds = [f for f in findings if f["code"] == "score.exceeds_max"]
    assert exceeds and all(f["location"]["page"] == 1 for f in exceeds)
    md = run_review("report.pdf", "--no-llm", "-o", "memo.md", cwd=tmp_path)
    assert md.returncode == 0 and "（第1页，表1，第" in (tmp_path / "memo.md").read_text(encoding="utf-8")


@pytest.mark.soffice
@needs_soffice
def test_a_cell_joined_across_pages_is_a_note(pdf_dir: Path):
    report = load_report(pdf_dir / "hunan-2023-yueyangxian-sfj-careful.pdf")
    notes = [u for u in report.unread if u.code == "input.pdf_join"]
    assert notes
    assert all(u.location.page is not None and u.location.table is not None and u.location.row is not None for u in notes)
    assert all(f"第{u.location.page + 1}页" in u.reason for u in notes)


@pytest.mark.soffice
@needs_soffice
def test_docx_output_is_refused_for_a_pdf(pdf_dir: Path, tmp_path: Path):
    shutil.copy(pdf_dir / "mof-2022-langxi-equipment-sloppy.pdf", tmp_path / "r.pdf")
    proc = run_review("r.pdf", "--no-llm", "-f", "docx", cwd=tmp_path)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "PDF" in lines[0] and "-f docx" in lines[0], lines
    assert not list(tmp_path.glob("*.review.*"))
    both = run_review("r.pdf", "--no-llm", "-f", "md,docx", cwd=tmp_path)
    assert both.returncode == 0 and (tmp_path / "r.review.md").exists() and not (tmp_path / "r.review.docx").exists()
    assert "未写出" in both.stderr and "-f docx" in both.stderr


# --- refusals --------------------------------------------------------------------------------------


def _refused(path: Path) -> str:
    proc = run_review(path.name, "--no-llm", cwd=path.parent)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def test_a_scan_is_refused_in_one_line(tmp_path: Path):
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (620, 880), "white")
    ImageDraw.Draw(page).rectangle((60, 80, 560, 400), outline="black", width=2)  # a "table", as pixels
    page.save(tmp_path / "扫描件.pdf")
    line = _refused(tmp_path / "扫描件.pdf")
    assert "扫描件" in line and ".docx" in line and SCAN.split("，")[0] in line
    with pytest.raises(InputError) as err:
        read_pdf(tmp_path / "扫描件.pdf")
    assert err.value.problem == SCAN


@pytest.mark.soffice
@needs_soffice
def test_a_password_protected_pdf_is_refused_in_one_line(tmp_path: Path):
    export = 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"k3y"}}'
    src = tmp_path / "locked.docx"
    shutil.copy(CORPUS / "mof-2022-langxi-equipment-sloppy.docx", src)
    _to_pdf([src], tmp_path / "out", tmp_path / "profile", export)
    line = _refused(tmp_path / "out" / "locked.pdf")
    assert ENCRYPTED.split("，")[0] in line


@pytest.mark.soffice
@needs_soffice
def test_a_pdf_without_ruled_tables_is_refused_in_one_line(tmp_path: Path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("某县文化馆2024年度工作总结")
    doc.add_paragraph("全年举办公益展览九场，送戏下乡四十二场，观众约三万人次。")
    doc.save(tmp_path / "memo.docx")
    _to_pdf([tmp_path / "memo.docx"], tmp_path / "out", tmp_path / "profile")
    line = _refused(tmp_path / "out" / "memo.pdf")
    assert NO_TABLES.split("，")[0] in line


def test_a_damaged_pdf_is_refused_in_one_line(tmp_path: Path):
    (tmp_path / "坏.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage that is no PDF body\n" * 50)
    assert "PDF" in _refused(tmp_path / "坏.pdf")
    (tmp_path / "名不副实.pdf").write_bytes(b"PK\x03\x04 a zip named .pdf" * 10)
    assert "不是有效的 PDF" in _refused(tmp_path / "名不副实.pdf")


# --- the dependency stays out of the way ------------------------------------------------------------


def test_help_does_not_load_pdfplumber_and_stays_fast():
    code = "import sys, reviewer.cli; assert 'pdfplumber' not in sys.modules and 'pdfminer' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    best = min(_timed([sys.executable, "-m", "reviewer", "--help"]) for _ in range(3))
    assert best < 0.6  # issue 24 asks 0.3 s of `review --help`; the test machine is shared, so with slack


def _timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return time.perf_counter() - started


def test_a_docx_review_does_not_load_pdfplumber():
    code = ("import sys; from reviewer.ingest import load_report; "
            f"load_report({str(SEED_DOCX)!r}); assert 'pdfplumber' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.soffice
@needs_soffice
def test_a_pdf_with_an_owner_password_only_is_read(tmp_path: Path):
    # published reports often forbid copying or printing, and open without a password
    export = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
              '"RestrictPermissions":{"type":"boolean","value":"true"},"PermissionPassword":{"type":"string","value":"own3r"}}')
    src = tmp_path / "restricted.docx"
    shutil.copy(CORPUS / "mof-2022-langxi-equipment-sloppy.docx", src)
    _to_pdf([src], tmp_path / "out", tmp_path / "profile", export)
    pdf = tmp_path / "out" / "restricted.pdf"
    assert b"/Encrypt" in pdf.read_bytes()
    report = load_report(pdf)
    assert report.layout == "mof-2020-project" and report.indicators


@pytest.mark.soffice
@needs_soffice
def test_a_pdf_with_too_much_text_is_refused(pdf_dir: Path, monkeypatch):
    from reviewer.ingest import pdf_grid

    monkeypatch.setattr(pdf_grid, "MAX_CHARS", 100)
    with pytest.raises(InputError) as err:
        read_pdf(pdf_dir / "mof-2022-langxi-equipment-sloppy.pdf")
    assert "文字过多" in err.value.problem


@pytest.mark.soffice
@needs_soffice
def test_a_pdf_piped_in_is_read_as_a_pdf(pdf_dir: Path, tmp_path: Path):
    data = (pdf_dir / "mof-2022-langxi-equipment-sloppy.pdf").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "reviewer", "-", "--no-llm", "-f", "json"], input=data,
                          capture_output=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    import json

    review = json.loads(proc.stdout)
    assert review["report"]["source"].endswith(".pdf")
    assert any(f["code"] == "score.exceeds_max" and f["location"]["page"] == 1 for f in review["findings"])


@pytest.mark.soffice
@needs_soffice
def test_a_folder_of_pdfs_is_reviewed_as_a_batch(pdf_dir: Path, tmp_path: Path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("mof-2022-langxi-equipment-sloppy", "mof-2023-zhuxi-nutrition-sloppy"):
        shutil.copy(pdf_dir / f"{name}.pdf", folder)
    proc = run_review("reports", "--no-llm", "-o", "out/", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.review.md")) == [
        "mof-2022-langxi-equipment-sloppy.review.md", "mof-2023-zhuxi-nutrition-sloppy.review.md"]
