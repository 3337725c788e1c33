"""The eval result as a plain-text table (the README's accuracy table is this output)."""

from __future__ import annotations

from reviewer.evaluation.result import EvalResult, ReportScore


def _frac(pair: tuple[int, int]) -> str:
    return f"{pair[0]}/{pair[1]}" if pair[1] else "—"


def _layout(r: ReportScore) -> str:
    if not r.reviewed:
        return f"{r.gold_layout}: not supported" if "不是" in r.error or "layout" in r.error else r.gold_layout
    return r.layout if r.layout == r.gold_layout or not r.gold_layout else f"{r.layout} (gold: {r.gold_layout})"


def _row(r: ReportScore) -> list[str]:
    if not r.reviewed:
        return [r.file.removesuffix(".docx"), _layout(r), "not reviewed", "", "", "", "", ""]
    llm = _frac(r.llm_agree) if r.llm_ran else "未运行"
    return [
        r.file.removesuffix(".docx"), _layout(r), f"{r.caught}/{r.expected}", str(len(r.must_not_violated)),
        str(len(r.false_alarms)), _frac(r.rules_agree), llm, f"{_frac(r.scores_agree)} ({_frac(r.verified_ok)})",
    ]


HEADER = ["report", "layout", "expected caught", "must_not", "false alarms", "targets (rules)", "targets (llm)", "scores (verified figures)"]


def render_table(result: EvalResult, *, details: bool = True) -> str:
    t = result.totals
    rows = [HEADER] + [_row(r) for r in result.reports]
    recall = f" ({t.recall:.0%})" if t.recall is not None else ""
    rows.append([
        f"TOTAL ({t.reviewed}/{t.reports} reviewed)", "", f"{t.caught}/{t.expected}{recall}", str(t.must_not_violated),
        f"{t.false_alarms} (careful: {t.false_alarms_careful})", _frac(t.targets_agree_rules),
        _frac(t.targets_agree_llm) if t.targets_agree_llm[1] else "未运行",
        f"{_frac(t.scores_agree)} ({_frac(t.verified_ok)})",
    ])
    widths = [max(_width(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("| " + " | ".join(_pad(c, w) for c, w in zip(r, widths)) + " |")
        if k == 0 or k == len(rows) - 2:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out = [f"review eval {result.corpus} — LLM: {result.llm or '未运行'}", "", *lines]
    if t.recall_by_code:
        out += ["", "recall by code: " + "; ".join(f"{c} {a}/{b}" for c, (a, b) in t.recall_by_code.items())]
    if t.precision:
        out += ["", "precision by code@confidence (matching an expected or acceptable entry / raised): "
                + "; ".join(f"{k} {a}/{b}" for k, (a, b) in t.precision.items())]
    if t.abstained[1]:
        out += [f"rules abstained on {t.abstained[0]} of {t.abstained[1]} measurable clauses "
                f"({t.abstained[0] / t.abstained[1]:.1%})"]
    if details:
        out += _details(result)
    return "\n".join(out) + "\n"


def _details(result: EvalResult) -> list[str]:
    out: list[str] = []
    for r in result.reports:
        items = []
        items += [f"  missed    {m['code']} {m.get('where', [])}" for m in r.missed]
        if r.error:
            items.append(f"  not reviewed: {r.error}")
        for v in r.must_not_violated:
            for f in v["findings"]:
                items.append(f"  MUST_NOT  {f['code']} [{f['severity']}] {f['where']}: {f['message'][:100]}")
        items += [f"  false     {f.code} [{f.severity}] {f.where}: {f.message[:100]}" for f in r.false_alarms]
        items += [f"  target    {t.indicator}: gold {t.gold}, rules {t.rules}" + (f", llm {t.llm}" if t.llm else "")
                  for t in r.targets if t.rules != t.gold]
        items += [f"  score     {s.indicator}: gold {s.gold}" + (f" {s.gold_value:g}" if s.gold_value is not None else "")
                  + f", tool {s.tool}" + (f" {s.tool_value:g}" if s.tool_value is not None else "")
                  for s in r.scores if not s.agree or s.value_ok is False]
        if items:
            out += ["", f"{r.file}:", *items]
    return out


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))
