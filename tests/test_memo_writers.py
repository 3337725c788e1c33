"""The memo writers on the fixture report with hand-made findings (tests/memo_samples.py).

The internal memo (md, html) carries every finding with its location; HTML escapes report text; the
annotated .docx puts one short comment per item of the department's problems on the text its
location names; JSON validates against `review schema`.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import jsonschema
import pytest
from markupsafe import escape

from conftest import SEED_DOC, SEED_DOCX, needs_soffice
from memo_samples import sample_review
from reviewer.findings import Finding, sort_findings
from reviewer.ingest import load_body
from reviewer.memo import OutputSpec, annotated_docx, render, write_outputs
from reviewer.memo.docx_comments import Note, annotate, notes_for
from reviewer.model import Location

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture()
def review(seed_report):
    return sample_review(seed_report.model_copy(deep=True))


def _located(findings: list[Finding]) -> list[Finding]:
    return [f for f in sort_findings(findings) if f.location.table is not None or f.location.paragraph is not None]


# --- Markdown and HTML ------------------------------------------------------------------------


def test_markdown_has_every_finding_and_location(review):
    md = render(review, "md")
    for f in review.findings:
        assert f.message in md
        assert f.location.describe() in md
    assert "需要部门补充说明的问题" in md
    assert "请补充以下数据或材料：重点支出安排率：重点项目支出、项目支出。" in md  # score.unverifiable, with the rubric's needs
    assert "| 管理制度健全性 | 3 | 2 | 3 | 错误 |" in md  # status column of the 评分表
    assert "全文级的示例问题（无位置）" in md.split("## 仅供审核人员参考")[1]  # input.unreadable: for the reviewer only


def test_html_has_every_finding_and_location(review):
    html = render(review, "html")
    for f in review.findings:
        assert str(escape(f.message)) in html
        assert str(escape(f.location.describe())) in html
    for label in ("核实", "无法核实", "存疑", "错误"):
        assert f'">{label}</span>' in html
    assert "<mark class=\"m-finding\">100多篇</mark>" in html  # the cited span of a finding
    assert "<mark class=\"m-clause\">" in html and "<mark class=\"m-evidence\">" in html
    assert "未运行" in html  # LLM not run is said, never hidden
    assert "<style>" in html and "http" not in html.split("<body>")[0].replace("http-equiv", "")  # self-contained


def test_html_and_markdown_escape_report_text(review):
    evil = "<script>alert(1)</script>"
    row = review.report.targets[0]
    row.completion.text = f"完成情况 {evil} 结束"
    review.report.cover.department.text = f"部门{evil}"
    review.report.score_table.rows[0].reason.text = evil
    review.findings.append(Finding(code="completion.vague", severity="warning", message=f"引用了 {evil}", location=row.completion.location))
    html = render(review, "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = render(review, "md")
    assert "<script>" not in md
    assert "&lt;script&gt;" in md


def test_summary_box_counts(review):
    md = render(review, "md")
    assert "需部门说明 6 个（依据 7 条发现）；仅供审核人员参考 1 条" in md
    assert "核实 1 项 5 分；无法核实 1 项 5 分；存疑 1 项 15 分；错误 1 项 2 分" in md
    assert "未运行" in md


def test_templates_folder_overrides_one_file(review, tmp_path: Path):
    (tmp_path / "memo.md.j2").write_text("自定义：{{ s.department }} {{ memo.findings | length }}\n", encoding="utf-8")
    spec = OutputSpec(formats=["md", "html"], output=str(tmp_path / "out"), templates=tmp_path)
    written = write_outputs(review, SEED_DOCX, spec)
    md = Path(written[0]).read_text(encoding="utf-8")
    assert md == f"自定义：中共岳阳市云溪区委办公室 {len(review.findings)}\n"
    assert "<!DOCTYPE html>" in Path(written[1]).read_text(encoding="utf-8")  # html still the bundled one


# --- JSON ---------------------------------------------------------------------------------------


def test_json_validates_against_published_schema(review):
    proc = subprocess.run([sys.executable, "-m", "reviewer", "schema"], capture_output=True, text=True, check=True)
    schema = json.loads(proc.stdout)
    data = json.loads(render(review, "json"))
    jsonschema.validate(data, schema)
    assert len(data["findings"]) == len(review.findings)
    assert data["verdicts"][0]["clauses"][0]["span"] == list(review.verdicts[0].clauses[0].span)


# --- annotated .docx ---------------------------------------------------------------------------


def _anchors(data: bytes) -> dict[int, str]:
    """comment id → the document text between its range markers (what Word highlights)."""
    from lxml import etree

    with zipfile.ZipFile(__import__("io").BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    open_: dict[str, list[str]] = {}
    out: dict[int, str] = {}
    for el in root.iter():
        if el.tag == f"{W}commentRangeStart":
            open_[el.get(f"{W}id")] = []
        elif el.tag == f"{W}commentRangeEnd":
            cid = el.get(f"{W}id")
            out[int(cid)] = "".join(open_.pop(cid))
        elif el.tag == f"{W}t":
            for parts in open_.values():
                parts.append(el.text or "")
    return out


def _text_at(body, loc: Location) -> str:
    """What the grid reader says is at a location (the truth the comment must sit on)."""
    if loc.table is None:
        text = next(p.text for p in body.paragraphs if p.index == loc.paragraph)
    else:
        grid = body.grids[loc.table]
        if loc.col is None:
            cells = [c for _, c in grid.distinct(loc.row) if c.row == loc.row and c.text.strip()]
            return cells[0].text
        cell = grid.rows[loc.row][loc.col]
        text = cell.paragraphs[loc.paragraph] if loc.paragraph is not None else cell.text
    return text


def test_docx_one_short_comment_per_item_on_the_right_text(review, tmp_path: Path):
    before = hashlib.sha256(SEED_DOCX.read_bytes()).hexdigest()
    spec = OutputSpec(formats=["docx"], output=str(tmp_path), author="区财政局绩效科")
    (path,) = write_outputs(review, SEED_DOCX, spec)
    assert hashlib.sha256(SEED_DOCX.read_bytes()).hexdigest() == before  # the original is never modified

    reopened = docx.Document(path)
    comments = list(reopened.comments)
    notes = notes_for(review)
    assert len(comments) == len(notes) == 7  # the department's items; the unlocated input.unreadable gets none
    assert all(c.author == "区财政局绩效科" for c in comments)

    anchors = _anchors(Path(path).read_bytes())
    body = load_body(SEED_DOCX)
    by_id = {c.comment_id: c for c in comments}
    for cid, note in enumerate(notes):  # comments are added problem by problem, ids in order
        text = by_id[cid].text
        assert text == note.text and len(text) <= 120 and "." not in text.replace("。", "")
        expected = _text_at(body, note.location)
        if note.location.span:
            a, b = note.location.span
            expected = expected[a:b]
        assert len(expected.strip()) < 8 or expected.strip() not in text  # no echo of the cell (a figure may recur)
        # Whitespace differs between w:t pieces and the reader's rstripped lines; compare squashed.
        assert "".join(anchors[cid].split()) == "".join(expected.split()), note.location.describe()


def test_docx_author_defaults_to_the_review_team(review, tmp_path: Path):
    (path,) = write_outputs(review, SEED_DOCX, OutputSpec(formats=["docx"], output=str(tmp_path)))
    assert {c.author for c in docx.Document(path).comments} == {"绩效审核"}


def test_docx_vertically_merged_cell_is_commented_where_the_merge_starts(seed_report):
    row = seed_report.score_table.rows[23]  # 生态效益: its 自评得分 is the merged "15" two rows up
    result = annotate(SEED_DOCX, [Note(row.self_score.location, "合并单元格测试")])
    assert result.placed == 1
    assert _anchors(result.data) == {0: "15"}


def test_docx_empty_cell_gets_a_run_and_a_comment(seed_report, tmp_path: Path):
    org = seed_report.tables["income"].rows[2]  # 二级机构1: a row of blank cells
    loc = org.values["total"].location
    assert org.values["total"].raw == ""
    result = annotate(SEED_DOCX, [Note(loc, "空单元格测试")])
    out = tmp_path / "x.docx"
    out.write_bytes(result.data)
    comments = list(docx.Document(str(out)).comments)
    assert [c.text for c in comments] == ["空单元格测试"]


def test_docx_skips_locations_outside_the_document(seed_report):
    note = Note(Location(table=9, row=0, col=0), "越界")
    result = annotate(SEED_DOCX, [note])
    assert result.placed == 0 and result.unplaced == [note]


def test_docx_places_the_first_comments_and_counts_the_rest(seed_report, tmp_path: Path):
    from reviewer.memo.docx_comments import MAX_COMMENTS

    loc = seed_report.targets[0].completion.location
    notes = [Note(loc, f"批注{i}") for i in range(MAX_COMMENTS + 20)]
    result = annotate(SEED_DOCX, notes)
    out = tmp_path / "many.docx"
    out.write_bytes(result.data)
    texts = [c.text for c in docx.Document(str(out)).comments]
    assert len(texts) == MAX_COMMENTS + 1 and result.placed == MAX_COMMENTS
    assert texts[:MAX_COMMENTS] == [f"批注{i}" for i in range(MAX_COMMENTS)]  # in the problems' order
    assert texts[-1].startswith("另有20处问题未逐一批注") and len(result.unplaced) == 20


@needs_soffice
def test_docx_for_a_doc_input_annotates_the_converted_file(review, tmp_path: Path):
    from reviewer.ingest import load_report

    report = load_report(SEED_DOC)
    review = sample_review(report)
    data = annotated_docx(review, SEED_DOC)
    out = tmp_path / "from-doc.docx"
    out.write_bytes(data)
    assert len(list(docx.Document(str(out)).comments)) == len(notes_for(review))


def test_wording_yaml_override_and_bad_pattern(review, tmp_path: Path):
    import yaml

    from reviewer.errors import ConfigError
    from reviewer.memo.department import TEMPLATES
    from reviewer.memo.render import render_markdown

    wording = yaml.safe_load((TEMPLATES / "wording.yaml").read_text(encoding="utf-8"))
    recomputed = next(c for c in wording["causes"] if c["key"] == "score_recomputed")
    recomputed["request"] = "问：{details}？"
    (tmp_path / "wording.yaml").write_text(yaml.safe_dump(wording, allow_unicode=True), encoding="utf-8")
    md = render_markdown(review, tmp_path)
    assert "问：管理制度健全性（预算管理）（自评2分，复核应得3分）？" in md
    bad = tmp_path / "bad"
    bad.mkdir()
    recomputed["request"] = "{nope}"
    (bad / "wording.yaml").write_text(yaml.safe_dump(wording, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="wording.yaml"):
        render_markdown(review, bad)
