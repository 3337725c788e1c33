"""The figures a rubric can ask for, by source name (see reviewer.rubric.check_source).

    staff.in_service / quota / actual / retired     基本概况 and the narrative's 人员情况
    table.<table>.<column>                           the 汇总 row of a money table, in 万元
    narrative.<subject>.current / previous / change  a money sentence ("比上年减少6828元"), in 万元
    narrative.satisfaction_rate                      "满意度达98%" anywhere in the narrative
    fact.<name>                                      a figure the rubric's `facts` patterns find in a sentence
    not_in_form                                      never in the report: the department must supply it
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from reviewer.checks.arith import fmt, to_wan
from reviewer.checks.statements import Statement, narrative_texts
from reviewer.lexicon import words
from reviewer.narrative.text import halfwidth
from reviewer.model import Location, Report, Text
from reviewer.rubric import FACT_UNITS, Fact

_SENTENCE_END = re.compile(r"[。\n]")
_SATISFACTION = re.compile(r"满意(?:度|率)[^。;,，；\d%％]{0,12}?(\d+(?:[.．]\d+)?)\s*[%％]")


@dataclass(frozen=True)
class Datum:
    value: float
    shown: str  # as it reads in the working: "31人", "0.527万元"
    location: Location


class ReportData:
    def __init__(self, report: Report, statements: list[Statement], facts: dict[str, Fact] | None = None):
        self.report = report
        self.facts = facts or {}
        # A narrowed subject ("其他项目支出") is a weaker witness than a plain one: plain first.
        self.statements = sorted(statements, key=lambda s: s.qualified)

    def get(self, source: str) -> Datum | None:
        head, _, rest = source.partition(".")
        if head == "staff":
            return self._staff(rest)
        if head == "table":
            return self._table(*rest.split("."))
        if head == "narrative":
            return self._narrative(rest)
        if head == "fact" and rest in self.facts:
            return self._fact(self.facts[rest])
        return None  # not_in_form

    def first(self, sources: list[str]) -> tuple[str, Datum] | None:
        for source in sources:
            datum = self.get(source)
            if datum is not None:
                return source, datum
        return None

    def _staff(self, field: str) -> Datum | None:
        number = getattr(self.report.staff, field, None)
        if number is None or not number.known:
            return None
        return Datum(number.value, f"{fmt(number.value)}人", number.location)

    def _table(self, key: str, column: str) -> Datum | None:
        table = self.report.tables.get(key)
        if table is None:
            return None
        row = table.summary or (table.organisations[0] if len(table.organisations) == 1 else None)
        number = row.values.get(column) if row is not None else None
        if number is None or not number.known:
            return None
        value = to_wan(number.value, table.unit)
        return Datum(value, f"{fmt(value, 4)}万元", number.location)

    def _narrative(self, rest: str) -> Datum | None:
        if rest == "satisfaction_rate":
            return self._satisfaction()
        subject, _, field = rest.partition(".")
        for st in self.statements:
            if st.subject != subject:
                continue
            if field == "current":
                return Datum(st.amount.value, f"{fmt(st.amount.value, 4)}万元（{st.amount.raw}）", st.location)
            if st.change is None:
                continue
            if field == "change":
                return Datum(st.change.value, f"{fmt(st.change.value, 4)}万元（{'增加' if st.change.value > 0 else '减少'}{st.change.raw}）", st.location)
            if field == "previous":
                previous = st.amount.value - st.change.value
                return Datum(previous, f"{fmt(previous, 4)}万元（{st.amount.raw}{'−' if st.change.value > 0 else '+'}{st.change.raw}）", st.location)
        return None

    @cached_property
    def _folded(self) -> list[tuple[Text, str]]:
        """Every narrative field with its folded text, folded once per report."""
        return [(text, halfwidth(text.text)) for text in narrative_texts(self.report)]

    @cached_property
    def _sentences(self) -> list[tuple[Text, int, str]]:
        """(field, offset, sentence) for every sentence of the narrative, split once per report."""
        out = []
        for text, folded in self._folded:
            start = 0
            for sentence in _SENTENCE_END.split(folded):
                out.append((text, start, sentence))
                start += len(sentence) + 1
        return out

    def _fact(self, fact: Fact) -> Datum | None:
        """The first sentence of the narrative that states the fact (see rubric.Fact)."""
        patterns, zero = fact.compiled(), fact.compiled_zero()
        for text, offset, sentence in self._sentences:
            if fact.require and not any(w in sentence for w in fact.require):
                continue
            if any(w in sentence for w in fact.exclude):
                continue
            for pattern in patterns:
                m = pattern.search(sentence)
                if m is None:
                    continue
                value = float(m.group("value").replace(",", ""))
                if fact.unit == "万元":
                    value *= FACT_UNITS.get(m.groupdict().get("unit") or fact.unit, 1.0)
                where = text.location.with_span(offset + m.start(), offset + m.end())
                return Datum(value, f"{fmt(value, 4)}{fact.unit}（“{m.group(0)}”）", where)
            for pattern in zero:
                m = pattern.search(sentence)
                if m is not None:
                    where = text.location.with_span(offset + m.start(), offset + m.end())
                    return Datum(0.0, f"0{fact.unit}（“{m.group(0)}”）", where)
        return None

    def evidence(self, groups: list[list[str]]) -> list[tuple[str, Location]] | None:
        """For each group of alternative patterns, the first sentence of the narrative that matches
        one (its words and where); None when some group is found nowhere."""
        found: list[tuple[str, Location]] = []
        for group in groups:
            patterns = [re.compile(p) for p in group]
            hit = None
            for text, folded in self._folded:
                for p in patterns:
                    m = p.search(folded)
                    if m is not None:
                        hit = (m.group(0), text.location.with_span(m.start(), m.end()))
                        break
                if hit:
                    break
            if hit is None:
                return None
            found.append(hit)
        return found

    def _satisfaction(self) -> Datum | None:
        survey = words("survey_words")
        for text in narrative_texts(self.report):
            m = _SATISFACTION.search(text.text)
            if m and any(w in text.text for w in survey):
                value = float(halfwidth(m.group(1)))
                return Datum(value, f"{fmt(value)}%", text.location.with_span(m.start(), m.end()))
        return None
