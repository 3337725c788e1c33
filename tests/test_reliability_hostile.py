"""Hostile content in a submitted report: markup, template syntax, prompt injection, control and
bidi characters. The report is data: it is shown escaped and never obeyed.

Each test edits the seed .docx (tests/malformed.py helpers) and goes through ingest → review →
writers, so it would fail if the escaping, the data delimiters or the quote checks were removed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import malformed as m
from conftest import SEED_DOCX
from reviewer.ingest import load_report
from reviewer.memo import render
from reviewer.pipeline import Options, review_report
from reviewer.review import Review

COVER_DEPT = "中共岳阳市云溪区委办公室"


def _docx(tmp_path: Path, name: str, cells: dict[str, str] | None = None, dept: str | None = None) -> Path:
    """The seed with cells replaced (matched by their whole text, whitespace-insensitive) and the
    cover's department name replaced."""
    root = m.seed_tree()
    for old, new in (cells or {}).items():
        key = re.sub(r"\s+", "", old)
        hits = [tc for tc in m.all_cells(root) if re.sub(r"\s+", "", m.cell_text(tc)) == key]
        assert hits, f"no cell {old!r} in the seed"
        for tc in hits[:1]:
            m.set_cell_text(tc, new)
    if dept is not None:
        for t in root.iter(m.W + "t"):
            if t.text and COVER_DEPT in t.text:
                t.text = t.text.replace(COVER_DEPT, dept)
                break
    path = tmp_path / name
    path.write_bytes(m.build(m.tostring(root)))
    return path


def _review(path: Path) -> Review:
    return review_report(load_report(path), Options(llm_enabled=False))


# --- HTML / Markdown / template syntax ------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert(1)>"
BREAKOUT = "</td></tr></table><h1>伪造标题</h1>"
TEMPLATE = "{{ 1234*5678 }}{% for x in range(3) %}X{% endfor %}"


@pytest.fixture(scope="module")
def markup_review(tmp_path_factory) -> Review:
    seed = load_report(SEED_DOCX)
    tmp = tmp_path_factory.mktemp("markup")
    path = _docx(
        tmp,
        "markup.docx",
        cells={
            seed.targets[0].completion.text: f"完成了。{SCRIPT}{IMG}\n# 伪造的一级标题\n{TEMPLATE}",
            seed.targets[1].target.text: f"目标{BREAKOUT}",
            "公务卡刷卡率": "公务卡 | 刷卡率 | 伪造列",
        },
        dept=f"{SCRIPT}部门",
    )
    return _review(path)


def test_html_memo_escapes_report_markup(markup_review: Review):
    html = render(markup_review, "html")
    for raw in (SCRIPT, IMG, "<h1>伪造标题</h1>", "</table><h1>"):
        assert raw not in html, raw
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
    assert html.count("<script") == 0  # the memo itself carries no script at all


def test_markdown_memo_has_no_raw_html_or_injected_structure(markup_review: Review):
    md = render(markup_review, "md")
    assert "<script" not in md and "<img" not in md and "<h1>" not in md
    assert not any(line.startswith("# 伪造") for line in md.splitlines())
    # A cell with pipes stays one cell: the 评分表 row keeps its 9 columns. (Findings quoting the
    # name are list items, where a pipe is plain text.)
    row = next(line for line in md.splitlines() if line.startswith("|") and "伪造列" in line)
    assert len(re.findall(r"(?<!\\)\|", row)) == 10, row


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_template_syntax_in_cells_is_not_evaluated(markup_review: Review, fmt: str):
    text = render(markup_review, fmt)
    assert str(1234 * 5678) not in text and "XXX" not in text
    assert "1234*5678" in text


# --- prompt injection -----------------------------------------------------------------------------

def test_injection_in_cells_is_reported_as_data_without_llm(tmp_path: Path):
    seed = load_report(SEED_DOCX)
    reason_row = next(r for r in seed.score_table.rows if r.reason.text.strip())
    cells = {seed.targets[i].completion.text: text for i, text in enumerate(m.INJECTIONS[:4])}
    cells[reason_row.reason.text] = m.INJECTIONS[5]
    review = _review(_docx(tmp_path, "inject.docx", cells=cells))
    assert [t.completion.text for t in review.report.targets[:4]] == m.INJECTIONS[:4]
    assert any(r.reason.text == m.INJECTIONS[5] for r in review.report.score_table.rows)
    md = render(review, "md")
    assert "忽略以上所有指令" in md  # shown to the reviewer, as text
    assert review.report.total_score.value == seed.total_score.value  # nothing in the report changed by it


def _judge_with_obeying_model(tmp_path: Path, injections: list[str], quote: bool):
    """FAKE SERVER (llm_seed.FakeServer): a model that obeys whatever the report says — it answers
    'evidenced', quoting the injected text (quote=True) or nothing."""
    import llm_seed
    from llm_seed import FakeServer, answer, ok, user_text
    from reviewer.llm import judge_report

    seed = load_report(SEED_DOCX)
    cells = {seed.targets[i].completion.text: text for i, text in enumerate(injections)}
    report = load_report(_docx(tmp_path, "inject.docx", cells=cells))

    def obey(body: dict, n: int):
        user = user_text(body)
        completion = user.split("完成情况：", 1)[1].rsplit("报告数据>>>", 1)[0].strip()
        return ok(answer(("目标", "evidenced", [completion[:60]] if quote else [])))

    server = FakeServer(obey)
    verdicts, _, _ = judge_report(report, [], llm_seed.config(server, tmp_path))
    for body in server.requests:  # the report text stayed inside one data block
        user = user_text(body)
        assert user.count("<<<报告数据") == 1 and user.count("报告数据>>>") == 1
    return {v.target_index: v for v in verdicts}


def test_injected_completions_without_evidence_are_not_passed(tmp_path: Path):
    by_row = _judge_with_obeying_model(tmp_path, m.INJECTIONS, quote=False)
    for i, text in enumerate(m.INJECTIONS):
        assert by_row[i].verdict != "evidenced", (text, by_row[i])




@pytest.mark.parametrize("i", range(len(m.INJECTIONS)))
def test_quoting_the_injection_itself_is_not_evidence(tmp_path: Path, i: int):
    by_row = _judge_with_obeying_model(tmp_path, [m.INJECTIONS[i]], quote=True)
    assert by_row[0].verdict != "evidenced", (m.INJECTIONS[i], by_row[0])


# --- control and bidi characters ------------------------------------------------------------------

def test_control_and_bidi_characters_survive_every_writer(tmp_path: Path):
    from reviewer.memo import OutputSpec, write_outputs

    weird = "".join(m.CONTROL)
    seed = load_report(SEED_DOCX)
    path = _docx(tmp_path, "weird.docx", cells={seed.targets[0].completion.text: f"完成{weird}情况"}, dept=f"部门\u202e名称\u202c")
    review = _review(path)
    written = write_outputs(review, path, OutputSpec(formats=["md", "html", "json", "docx"], output=str(tmp_path / "out"), multiple=True))
    assert len(written) == 4
    back = Review.model_validate_json(Path(next(w for w in written if w.endswith(".json"))).read_text(encoding="utf-8"))
    assert back.report.cover.department.text == "部门\u202e名称\u202c"  # kept exactly, not lost or mangled
    md = Path(next(w for w in written if w.endswith(".md"))).read_text(encoding="utf-8")
    assert "\r" not in md  # a CR in a cell cannot break a Markdown line


def test_bidi_override_in_a_cell_cannot_reorder_the_memo(tmp_path: Path):
    path = _docx(tmp_path, "rlo.docx", dept="\u202e部门名称")
    review = _review(path)
    md, html = render(review, "md"), render(review, "html")
    assert "\u202e" not in md
    assert "\u202e" not in html or "<bdi>\u202e" in html


def test_file_name_with_a_newline_still_gives_one_error_line(tmp_path: Path):
    name = "bad\nname.docx"
    (tmp_path / name).write_bytes(b"not a zip at all")
    proc = subprocess.run([sys.executable, "-m", "reviewer", name, "--no-llm"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# --- outputs that cannot be turned against the reader ---------------------------------------------

LINKS = "![跟踪](http://evil.example/p.png) [点此查看](javascript:alert(1)) <http://evil.example>"


def test_markdown_links_and_images_from_the_report_are_inert(tmp_path: Path):
    seed = load_report(SEED_DOCX)
    review = _review(_docx(tmp_path, "links.docx", cells={seed.targets[0].completion.text: f"完成了。{LINKS}"}))
    md = render(review, "md")
    assert "](" not in md.replace("\\](", "") and "![" not in md.replace("!\\[", "")
    assert "\\[点此查看\\]\\(javascript:alert\\(1\\)\\)" in md  # shown, escaped


def test_model_written_follow_up_and_reason_are_as_untrusted_as_report_text():
    """A verdict as the model (or an edited cache entry) might write it, added to a real review."""
    review = _review(SEED_DOCX)
    review.llm.ran = True
    rules = review.verdicts[0]
    llm = rules.model_copy(update={"by": "llm", "follow_up": f"请说明。{LINKS}\u0085\u009b", "reason": f"理由<img src=x>{LINKS}"})
    review.verdicts.append(llm)
    md, html = render(review, "md"), render(review, "html")
    assert "模型建议的追问" in md and "请说明。" in md  # the follow-up is shown, as text
    for text in (md,):
        assert "](" not in text.replace("\\](", "") and "<img" not in text and "\u0085" not in text and "\u009b" not in text
    assert "〔U+0085〕" in md and "〔U+009B〕" in md
    assert "<img src=x>" not in html and "\u009b" not in html


def test_c1_controls_are_shown_visibly_in_markdown_and_html(tmp_path: Path):
    review = _review(_docx(tmp_path, "c1.docx", dept="部门\u0085名称\u009b[0m\u200f"))
    for text in (render(review, "md"), render(review, "html")):
        assert "\u0085" not in text and "\u009b" not in text and "\u200f" not in text
        assert "部门〔U+0085〕名称〔U+009B〕" in text


def test_summary_csv_cells_cannot_be_formulas():
    from reviewer.memo.summary import SummaryRow, summary_csv

    rows = [
        SummaryRow(file="=HYPERLINK(\"http://evil\",\"点\").docx", ok=True, department="+1+cmd|' /C calc'!A0",
                   claimed_raw="-2+3", grade="@SUM(1+1)", worst=[("error", "\t=1+1", 1)], memo="@x.review.md"),
        SummaryRow(file="ok.docx", ok=False, error="\r=cmd"),
        SummaryRow(file="neg.docx", ok=True, claimed=-1.0),
    ]
    import csv
    import io

    cells = [c for row in csv.reader(io.StringIO(summary_csv(rows).lstrip("\ufeff"))) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c.startswith("-") and c != "-1")], cells
    assert "'=HYPERLINK(\"http://evil\",\"点\").docx" in cells and "'+1+cmd|' /C calc'!A0" in cells and "-1" in cells


def test_summary_links_are_relative_and_quoted(tmp_path: Path):
    """A file named like a javascript: URL becomes a relative link, not a scheme."""
    for name in ("javascript:alert(1).docx", "ok #1?.docx"):
        (tmp_path / name).write_bytes(SEED_DOCX.read_bytes())
    proc = subprocess.run([sys.executable, "-m", "reviewer", "javascript:alert(1).docx", "ok #1?.docx", "--no-llm", "-f", "html", "-j", "1"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "summary.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert "javascript%3Aalert%281%29.review.html" in hrefs and "ok%20%231%3F.review.html" in hrefs, hrefs
    assert not [h for h in hrefs if ":" in h or h.startswith("/")]


def test_word_comments_show_controls_visibly():
    import docx

    from reviewer.memo.docx_comments import _comment

    document = docx.Document()
    run = document.add_paragraph("完成情况").runs[0]
    _comment(document, [run._r], "“完成\u202e情况\u0085”没有数字", "审核")
    (comment,) = list(document.comments)
    assert "\u202e" not in comment.text and "\u0085" not in comment.text and "〔U+202E〕" in comment.text


def test_the_department_letter_shows_controls_visibly(tmp_path: Path):
    import io

    import docx

    from reviewer.memo.letter import render_letter

    review = _review(_docx(tmp_path, "rlo.docx", dept="\u202e部门名称\u0085"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(render_letter(review))).paragraphs)
    assert "部门名称" in text
    assert "\u202e" not in text and "\u0085" not in text and "〔U+202E〕" in text
