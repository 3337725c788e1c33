"""What the department reads — the questions, the 反馈函 and the Word comments — on the seed report:
few questions (one per cause), each point once, official Chinese with no codes or English, short
comments on data cells; the suggested 核定分 range against hand-computed figures; tool trouble (a
dead LLM endpoint) never counted against the department.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import docx
import pytest

import llm_seed
from conftest import SEED_DOCX
from reviewer.conclusion import score_range
from reviewer.memo import OutputSpec, write_outputs
from reviewer.memo.docx_comments import notes_for
from reviewer.memo.letter import letter_paragraphs, render_letter
from reviewer.memo.model import build_memo
from reviewer.model import Location, Number, ScoreRow, ScoreTable, Text
from reviewer.pipeline import Options, review_report
from reviewer.review import IndicatorResult
from reviewer.rubric import load_rubric

LLM_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "REVIEWER_MODEL")
META = json.loads(llm_seed.META_FILE.read_text()) if llm_seed.META_FILE.exists() else None
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADER_LABELS = {"一级指标", "二级指标", "三级指标", "评分标准", "分值", "自评得分", "扣分原因和其他说明", "评价内容", "绩效目标", "完成情况"}


@pytest.fixture
def no_endpoint(monkeypatch, tmp_path):
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def seed_review(seed_report, no_endpoint):
    return review_report(seed_report.model_copy(deep=True), Options(llm_enabled=False))


def sentences(texts: list[str]) -> list[str]:
    # a list number ("1. ", "（二）") is not part of the sentence it starts
    parts = (s.strip() for t in texts for s in re.split(r"[。！？；\n]", t))
    return [re.sub(r"^(\d+\.\s*|（[一二三四五六七八九十]+）)", "", s) for s in parts if s]


def repeated(texts: list[str], length: int = 20) -> list[str]:
    seen: dict[str, int] = {}
    for s in sentences(texts):
        if len(s) >= length:
            seen[s] = seen.get(s, 0) + 1
    return [s for s, n in seen.items() if n > 1]


def ascii_words(texts: list[str]) -> list[str]:
    return [w for t in texts for w in re.findall(r"[A-Za-z_]+(?:\.[A-Za-z_]+)*", t)]


def anchored_texts(data: bytes) -> list[str]:
    """The document text each comment is anchored on (ranges may overlap)."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    open_: dict[str, list[str]] = {}
    out = []
    for el in root.iter():
        if el.tag == f"{W}commentRangeStart":
            open_[el.get(f"{W}id")] = []
        elif el.tag == f"{W}commentRangeEnd":
            out.append("".join(open_.pop(el.get(f"{W}id"), [])))
        elif el.tag == f"{W}t":
            for parts in open_.values():
                parts.append(el.text or "")
    return out


def letter_texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def comment_texts(data: bytes) -> list[str]:
    return [c.text for c in docx.Document(io.BytesIO(data)).comments]


# --- the questions ------------------------------------------------------------------------------


def test_seed_without_llm_asks_at_most_ten_questions(seed_review):
    memo = build_memo(seed_review)
    assert 1 <= len(memo.problems) <= 10
    # every department finding is under exactly one question; nothing is dropped on the way
    placed = [id(f) for p in memo.problems for f in p.findings] + [id(f) for f in memo.internal]
    assert sorted(placed) == sorted(id(f) for f in seed_review.findings)


@pytest.mark.skipif(META is None or "pipeline" not in META.get("scenarios", {}), reason="no pipeline cassette")
def test_llm_on_asks_no_more_questions_than_off(seed_review, tmp_path):
    report = llm_seed.FIXTURES / llm_seed.SCENARIOS["pipeline"]["docx"]
    from reviewer.ingest import load_report

    options = llm_seed.pipeline_options(META["base_url"], META["model"], "sk-dummy-Department0123456789", tmp_path / "llm.sqlite3", concurrency=4)
    with llm_seed.make_vcr("none").use_cassette(str(llm_seed.cassette_path("pipeline"))):
        on = review_report(load_report(report), options)
    assert on.llm.ran
    off_memo, on_memo = build_memo(seed_review), build_memo(on)
    assert len(on_memo.problems) <= len(off_memo.problems)
    # the model's own opinions and its follow-up questions stay with the reviewer
    assert all(f.source != "llm" for p in on_memo.problems for f in p.findings)
    texts = [t for p in on_memo.problems for t in (p.statement, p.request)]
    assert not ascii_words(texts), ascii_words(texts)


# --- the 反馈函 and the comments ----------------------------------------------------------------


def test_letter_reopens_with_its_three_sections_unit_and_date(seed_review):
    data = render_letter(seed_review, unit="岳阳市云溪区财政局", date="2022-05-10")
    texts = letter_texts(data)
    assert texts[0] == "关于中共岳阳市云溪区委办公室2021年度部门整体支出绩效自评报告的审核反馈意见"
    heads = [texts.index(h) for h in ("一、总体评价", "二、主要问题", "三、整改要求")]
    assert heads == sorted(heads)
    memo = build_memo(seed_review)
    problems = texts[heads[1] + 1 : heads[2]]
    assert len(problems) == len(memo.problems) and problems[0].startswith("（一）")
    assert "建议核定分为54至99分（差至优秀）" in texts[heads[0] + 1]
    assert texts[-2:] == ["岳阳市云溪区财政局", "2022年5月10日"]


def test_department_outputs_say_each_point_once_in_chinese(seed_review, tmp_path):
    spec = OutputSpec(formats=["letter", "docx"], output=str(tmp_path))
    letter, annotated = (Path(p).read_bytes() for p in write_outputs(seed_review, SEED_DOCX, spec))
    for texts in (letter_texts(letter), comment_texts(annotated)):
        assert not repeated(texts), repeated(texts)
        assert not ascii_words(texts), ascii_words(texts)
        assert not any(code in t for t in texts for code in ("score.", "target.", "completion.", "llm."))


def test_sentence_check_catches_a_repeat():
    """The checks above can fail: a repeated sentence and an English word are found."""
    assert repeated(["绩效目标多为原则性、概括性表述，未设定指标值和完成时限。", "另：绩效目标多为原则性、概括性表述，未设定指标值和完成时限。"]) == []
    assert repeated(["甲。绩效目标多为原则性、概括性表述，未设定指标值和完成时限。", "绩效目标多为原则性、概括性表述，未设定指标值和完成时限；乙"])
    assert ascii_words(["未运行 (no endpoint configured)"]) == ["no", "endpoint", "configured"]


def test_comments_are_short_and_never_on_a_header_cell(seed_review, seed_report, tmp_path):
    (path,) = write_outputs(seed_review, SEED_DOCX, OutputSpec(formats=["docx"], output=str(tmp_path)))
    data = Path(path).read_bytes()
    texts = comment_texts(data)
    assert texts and max(len(t) for t in texts) <= 120
    data_rows = {(r.location.table, r.location.row) for r in seed_report.score_table.rows}
    data_rows |= {(t.location.table, t.location.row) for t in seed_report.targets}
    data_rows |= {(r.location.table, r.location.row) for t in seed_report.tables.values() for r in t.rows}
    for note in notes_for(seed_review):
        assert note.location.table is None or (note.location.table, note.location.row) in data_rows, note
    words = anchored_texts(data)
    assert len(words) == len(texts) and not HEADER_LABELS & {w.strip() for w in words}


# --- the suggested 核定分 range ------------------------------------------------------------------


def _row(index: int, points: float, claimed: float | None, shared: list[int] | None = None) -> ScoreRow:
    def num(v):
        return Number(raw="" if v is None else f"{v:g}", state="value" if v is not None else "missing", value=v)

    return ScoreRow(index=index, level1="一级", level2="二级", level3=f"指标{index}", criteria="", points=num(points),
                    self_score=num(claimed), reason=Text(), shared_with=shared or [], location=Location(table=1, row=index + 2))


def test_score_range_against_a_hand_computed_example():
    """核实 40; 错误 6 → recomputed 4; 存疑 10 (nothing supports it) and 5 (the evidence gives 3);
    无法核实 20; 未检查 2; a merged group of two rows 存疑 at 15, counted once.
    low  = 40 + 4 + 0 + 3 + 20 + 2 + 0  = 69 → 中
    high = 40 + 4 + 10 + 5 + 20 + 2 + 15 = 96 → 优秀"""
    rows = [_row(0, 40, 40), _row(1, 6, 6), _row(2, 10, 10), _row(3, 5, 5), _row(4, 20, 20), _row(5, 2, 2),
            _row(6, 17, 15, [6, 7]), _row(7, 0, None, [6, 7])]
    table = ScoreTable(rows=rows, total_self_score=Number(raw="98", state="value", value=98), location=Location(table=1))
    results = [
        IndicatorResult(row_index=0, indicator="指标0", status="verified", claimed=40, recomputed=40),
        IndicatorResult(row_index=1, indicator="指标1", status="wrong", claimed=6, recomputed=4),
        IndicatorResult(row_index=2, indicator="指标2", status="doubtful", claimed=10),
        IndicatorResult(row_index=3, indicator="指标3", status="doubtful", claimed=5, recomputed=3),
        IndicatorResult(row_index=4, indicator="指标4", status="unverifiable", claimed=20),
        IndicatorResult(row_index=6, indicator="指标6", status="doubtful", claimed=15),
        IndicatorResult(row_index=7, indicator="指标7", status="unverifiable"),
    ]
    rubric = load_rubric()
    rng = score_range(table, results, lambda s: rubric.grade_for(s).name)
    assert (rng.low, rng.high, rng.low_grade, rng.high_grade) == (69, 96, "中", "优秀")
    assert rng.counts == {"verified": 1, "wrong": 1, "doubtful": 3, "unverifiable": 1, "not_checked": 1}
    assert rng.doubtful_supported == 3 and rng.wrong_recomputed == 4 and rng.claimed_total == 98


def test_seed_range_is_the_supported_points_to_the_claimed(seed_review):
    """Seed: 核实 16 + 无法核实 38 = 54 (差); the 45 doubtful points confirmed → 99 (优秀)."""
    rng = seed_review.score_range
    assert (rng.low, rng.high, rng.low_grade, rng.high_grade) == (54, 99, "差", "优秀")
    assert "建议核定分为54至99分（差至优秀）" in "".join(build_memo(seed_review).summary.conclusion)


# --- tool trouble -------------------------------------------------------------------------------


def test_a_dead_endpoint_is_tool_trouble_not_missing_data(seed_report, seed_review, no_endpoint, tmp_path):
    """A real connection to a closed loopback port (nothing listens on 9): every row's call fails."""
    options = Options(base_url="http://127.0.0.1:9/v1", model="dead",
                      llm_overrides={"api_key": "sk-dummy-dead0123456789", "cache_path": tmp_path / "llm.sqlite3",
                                     "max_attempts": 1, "timeout": 5.0, "sleep": lambda s: None})
    dead = review_report(seed_report.model_copy(deep=True), options)
    assert any(f.code == "llm.failed" for f in dead.findings)
    off, memo = build_memo(seed_review), build_memo(dead)
    assert memo.summary.severity_counts == off.summary.severity_counts  # no extra 无法核实
    assert [(p.key, len(p.items)) for p in memo.problems] == [(p.key, len(p.items)) for p in off.problems]
    assert memo.summary.tool_line.startswith("工具未完成：大模型对8行未作出判断")
    assert dead.score_range == seed_review.score_range
    letter = letter_paragraphs(memo)
    assert not any("模型" in t or "工具" in t for part in letter.values() for t in part)
    md = __import__("reviewer.memo", fromlist=["render"]).render(dead, "md")
    assert md.count("工具未完成：") == 1


def test_a_long_list_names_the_first_items_and_counts_them_all(seed_review, monkeypatch):
    import reviewer.memo.department as department

    monkeypatch.setattr(department, "MAX_NAMED", 3)
    problem = next(p for p in department.build_view(seed_review).problems if p.key == "target_not_measurable")
    assert "“质量指标”、“时效指标”、“成本指标”…等7项指标的绩效目标" in problem.statement
    assert "生态效益" not in problem.statement and len(problem.items) == 7  # each still gets its comment


def test_cli_writes_the_letter_and_comments_with_the_given_names(tmp_path):
    import subprocess
    import sys

    run = [sys.executable, "-m", "reviewer", str(SEED_DOCX), "--no-llm", "-f", "letter,docx", "-o", str(tmp_path),
           "--unit", "某某区财政局", "--date", "2022年6月1日", "--author", "某某区财政局绩效科"]
    proc = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    letter = letter_texts((tmp_path / "yunxi-2021-quweiban.反馈函.docx").read_bytes())
    assert letter[-2:] == ["某某区财政局", "2022年6月1日"]
    authors = {c.author for c in docx.Document(str(tmp_path / "yunxi-2021-quweiban.review.docx")).comments}
    assert authors == {"某某区财政局绩效科"}
    refused = subprocess.run([sys.executable, "-m", "reviewer", str(SEED_DOCX), "--no-llm", "-f", "letter", "-o", "-"],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1


def test_internal_memo_states_each_finding_once_and_points_at_it(seed_review):
    from reviewer.memo import render

    md = render(seed_review, "md")
    for f in seed_review.findings:
        assert md.count(f.message) == 1, f.message  # the 评分表 and target sections point instead
    scores = md.split("## 评分表核查")[1].split("## 定量目标")[0]
    assert "问题1" in scores and "#1" in scores
    targets = md.split("## 定量目标")[1]
    assert "（见问题" in targets and "未运行" not in targets  # the judge's absence is said once, above
