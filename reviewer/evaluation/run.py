"""`review eval DIR`: review every report that has a gold file beside it, together, and score it.

The reports are reviewed as one batch (the same pipeline and cross-report pass as `review DIR`),
so `batch_only` gold entries — copies between departments — are scored too.
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path

from reviewer.batch import Outcome, copied_across_reports, review_one
from reviewer.errors import ReviewerError
from reviewer.evaluation.gold import Gold, load_gold
from reviewer.evaluation.match import score_review
from reviewer.evaluation.result import EvalResult, ReportScore, total
from reviewer.findings import sort_findings


def find_pairs(folder: Path, match: str | None = None) -> list[tuple[Path, Gold]]:
    """(report, gold) for each report file in `folder` with a `<stem>.gold.json` beside it; `match`
    (a shell pattern such as "hunan-*") keeps the reports whose file name it matches."""
    if not folder.is_dir():
        raise ReviewerError(f"{folder}: 不是文件夹（review eval 需要一个放有报告及其 .gold.json 标注的文件夹）")
    pairs = []
    for gold_file in sorted(folder.glob("*.gold.json")):
        if match and not fnmatch(gold_file.name.removesuffix(".gold.json"), match.removesuffix(".docx")):
            continue
        gold = load_gold(gold_file)
        report = folder / gold.file if gold.file else None
        if report is None or not report.is_file():
            candidates = [p for p in folder.iterdir() if p.stem == gold_file.name.removesuffix(".gold.json") and p.suffix.lower() in (".docx", ".doc", ".pdf")]
            if not candidates:
                raise ReviewerError(f"{gold_file}: 找不到对应的报告文件 {gold.file or '（未注明）'}")
            report = candidates[0]
        pairs.append((report, gold))
    if not pairs:
        which = f"与 {match} 相符的" if match else ""
        raise ReviewerError(f"{folder}: 没有找到{which} .gold.json 标注文件")
    return pairs


def evaluate(
    folder: Path,
    options,
    *,
    review: Callable[[Path, object], Outcome] = review_one,
    tick: Callable[[], None] = lambda: None,
    match: str | None = None,
) -> EvalResult:
    pairs = find_pairs(folder, match)
    outcomes = []
    for path, _ in pairs:
        outcomes.append(review(path, options))
        tick()
    good = [k for k, o in enumerate(outcomes) if o.review is not None]
    copies = copied_across_reports([(pairs[k][0].name, outcomes[k].review) for k in good])
    for pos, extra in copies.items():
        rv = outcomes[good[pos]].review
        rv.findings = sort_findings([*rv.findings, *extra])

    reports: list[ReportScore] = []
    llm_note = ""
    for (path, gold), outcome in zip(pairs, outcomes):
        if outcome.review is None:
            reports.append(ReportScore(file=path.name, gold_layout=gold.layout, kind=gold.kind, error=outcome.error))
            continue
        reports.append(score_review(path.name, outcome.review, gold, batch=True))
        run = outcome.review.llm
        llm_note = llm_note or (run.model if run.ran else run.note)
    return EvalResult(corpus=str(folder), batch=True, llm=llm_note, reports=reports, totals=total(reports))
