"""Narrative rules on the wording of the national forms' 年度总体目标 (two fixes found on the corpus)."""

from __future__ import annotations

from reviewer.narrative.clauses import parse_clauses
from reviewer.narrative.evidence import match_evidence


def test_clause_split_at_the_first_join_not_inside_a_word():
    clauses = [c for c in parse_clauses("年末农村集中供水率达到90%以上、自来水普及率达到88%以上") if c.value is not None]
    assert [(c.object, c.value) for c in clauses] == [("农村集中供水率", 90), ("自来水普及率", 88)]


def test_a_count_names_what_follows_it_when_no_separator_comes_before_the_next_figure():
    target = "对辖区15个社区居家养老服务站按星级和服务人次给予运营补贴"
    done = "全年向15个服务站拨付运营补贴372.30万元，新增老年助餐点9个"
    clause = match_evidence(parse_clauses(target), done)[0]
    assert (clause.outcome, clause.found_value) == ("met", 15)
    # with a separator the words after a figure still belong to the next one
    clause = match_evidence(parse_clauses("编印内刊15期以上"), "编印内刊16期、简报12期")[0]
    assert (clause.outcome, clause.found_value) == ("met", 16)
