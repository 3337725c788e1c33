"""Work one small file can cause: every pass bounded by its input, every XML part capped.

The time and memory figures are printed by `scripts/reliability --resources`; these tests check
what bounds the work (how many comparisons, how long a cited sentence, which part is refused),
never the clock.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import malformed as m
from conftest import SEED_DOCX
from narrative_seed import report_with
from reviewer.checks.statements import MAX_SENTENCE_SIDE, parse_text
from reviewer.errors import InputError
from reviewer.ingest import docx_grid, load_report
from reviewer.model import Location, Text
from reviewer.narrative import answers, review_narrative


# --- money sentences --------------------------------------------------------------------------


def test_a_cell_of_figures_without_sentence_ends_cites_a_bounded_sentence():
    """A 'sentence' of 30,000 characters: each figure cites its neighbourhood, not the whole cell
    (which made findings, memos and the parse itself grow with the square of the cell)."""
    unit = "基本支出516.14万元，比上年增加152.09万元，增长41.78%，"
    text = Text(text=unit * (30_000 // len(unit)), location=Location())
    statements = parse_text(text)
    assert len(statements) > 500
    longest = max(len(st.sentence) for st in statements)
    assert longest <= 2 * MAX_SENTENCE_SIDE + len(unit), longest
    # still every figure read, with its own change and rate
    assert all(st.amount.value == 516.14 and st.change.value == 152.09 and st.rate.value == 41.78 for st in statements)


def test_ordinary_sentences_are_cut_where_they_end():
    text = Text(text="一、收支情况。基本支出516.14万元，比上年增加152.09万元，增长41.78%。其他。", location=Location())
    (st,) = parse_text(text)
    assert st.sentence == "基本支出516.14万元，比上年增加152.09万元，增长41.78%。"


# --- copied completions -----------------------------------------------------------------------


def _rows(n: int) -> list[tuple[str, str, str, str]]:
    # Every completion shares the run "全年完成" with every other (the all-pairs loop aligned each
    # pair), two of them are the same pasted text, and one is copied from the 综述.
    rng = random.Random(16)
    rows = [("产出目标", f"指标{i}", f"完成任务{i}项", f"全年完成{''.join(rng.choice(m.CJK) for _ in range(30))}共{i}件。") for i in range(n)]
    pasted = "全年完成督查督办事项一百二十件，办结率百分之百，群众满意度较高。"
    rows[3] = (*rows[3][:3], pasted)
    rows[7] = (*rows[7][:3], pasted)
    rows[11] = (*rows[11][:3], OVERALL)
    return rows


OVERALL = "今年来，办公室紧紧围绕中心工作，大力推进规范化建设、精细化管理、高效化服务，确保了各项工作有序运转。"


def test_copy_detection_aligns_each_sentence_with_few_fields(monkeypatch):
    calls = []
    real = answers.fuzz.partial_ratio_alignment

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(answers.fuzz, "partial_ratio_alignment", counting)
    report = report_with(_rows(300), overall=OVERALL, with_scores=False)
    _, findings = review_narrative(report)
    copied = {f.location.row: f for f in findings if f.code == "completion.copied"}
    rows = {r.completion.location.row: r.index for r in report.targets}
    assert sorted(rows[r] for r in copied) == [3, 7, 11]
    assert "年度总体运行情况" in copied[next(r for r in copied if rows[r] == 11)].message
    # 300 rows sharing a run: the all-pairs loop made ~90,000 fuzzy alignments; now a handful per row.
    assert len(calls) < 3 * len(report.targets), len(calls)


def test_the_index_finds_what_the_field_list_finds(seed_report):
    """copied(row, fields) and copied(row, the report's index) agree, row by row."""
    from reviewer.narrative import OVERALL_NAME, other_fields

    report = report_with(_rows(40), overall=OVERALL, with_scores=False)
    fields = [answers.OtherField(f"{t.kind}的完成情况", t.completion) for t in report.targets]
    index = answers.CopyIndex(fields + [answers.OtherField(OVERALL_NAME, report.overall)] + other_fields(report, report.targets[0])[-len(report.qualitative):])
    for row in report.targets:
        by_list = answers.copied(row, other_fields(report, row))
        by_index = answers.copied(row, index)
        assert (by_list and by_list.model_dump()) == (by_index and by_index.model_dump()), row.index


# --- XML parts ---------------------------------------------------------------------------------


def test_a_styles_part_of_empty_elements_is_refused_with_one_line(tmp_path: Path):
    path = tmp_path / "styles-bomb.docx"
    path.write_bytes(m.styles_bomb(docx_grid.MAX_PART_TAGS + 10))
    with pytest.raises(InputError) as err:
        load_report(path)
    line = str(err.value)
    assert "styles.xml" in line and "styles-bomb.docx" in line and "\n" not in line


def test_a_styles_part_that_lies_about_its_size_is_still_counted(tmp_path: Path):
    """The central directory says 349 KB; the stream says otherwise."""
    data = m.styles_bomb(docx_grid.MAX_PART_TAGS + 10)
    data = m._patch_central(data, "word/styles.xml", lambda buf, pos: m.struct.pack_into("<I", buf, pos + 24, 349_556))
    path = tmp_path / "lying.docx"
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        load_report(path)
    assert "styles.xml" in str(err.value) or "损坏" in str(err.value)


def test_document_xml_tags_are_capped(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(docx_grid, "MAX_DOCUMENT_TAGS", 4_000)  # the seed has ~5,300
    with pytest.raises(InputError) as err:
        load_report(SEED_DOCX)
    assert "document.xml" in str(err.value)


def test_the_seed_is_within_every_cap():
    assert load_report(SEED_DOCX).targets


# --- non-regular files -------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_docx_is_refused_with_one_line(tmp_path: Path):
    os.mkfifo(tmp_path / "x.docx")
    (tmp_path / "ok.docx").write_bytes(SEED_DOCX.read_bytes())
    proc = subprocess.run([sys.executable, "-m", "reviewer", "x.docx", "ok.docx", "--no-llm", "-j", "1"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "x.docx" in line]
    assert len(lines) == 1 and "普通文件" in lines[0], proc.stderr
    assert (tmp_path / "ok.review.md").exists()  # the batch went on


def test_target_rows_past_the_cap_are_listed_as_not_read(tmp_path: Path, monkeypatch):
    from reviewer.ingest import hunan_form

    monkeypatch.setattr(hunan_form, "MAX_TARGET_ROWS", 20)
    path = tmp_path / "rows.docx"
    path.write_bytes(m.target_rows(30))
    report = load_report(path)
    assert len(report.targets) == 20
    (unread,) = [u for u in report.unread if u.part == "定量目标"]
    assert "共 30 行" in unread.reason and "前 20 行" in unread.reason
