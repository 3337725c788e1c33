"""The figures a rubric can ask for, by source name (see reviewer.rubric.check_source).

    staff.in_service / quota / actual / retired     基本概况 and the narrative's 人员情况
    table.<table>.<column>                           the 汇总 row of a money table, in 万元
    narrative.<subject>.current / previous / change  a money sentence ("比上年减少6828元"), in 万元
    narrative.satisfaction_rate                      "满意度达98%" anywhere in the narrative
    not_in_form                                      never in the report: the department must supply it
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewer.checks.arith import fmt, to_wan
from reviewer.checks.statements import Statement, fold, narrative_texts
from reviewer.model import Location, Report

_SATISFACTION = re.compile(r"满意(?:度|率)[^。;,，；\d%％]{0,12}?(\d+(?:[.．]\d+)?)\s*[%％]")


@dataclass(frozen=True)
class Datum:
    value: float
    shown: str  # as it reads in the working: "31人", "0.527万元"
    location: Location


class ReportData:
    def __init__(self, report: Report, statements: list[Statement]):
        self.report = report
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

    def _satisfaction(self) -> Datum | None:
        for text in narrative_texts(self.report):
            m = _SATISFACTION.search(text.text)
            if m:
                value = float(fold(m.group(1)))
                return Datum(value, f"{fmt(value)}%", text.location.with_span(m.start(), m.end()))
        return None
