"""The suggested 核定分 range, from the status the checks gave each 评分表 row. A pure function.

Rows under one merged 分值/自评得分 cell carry one figure for the group and count once (on the
group's first row), as in the memo's tally. What each status contributes is said in
review.ScoreRange's docstring; the grade at each end comes from the rubric's bands.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewer.model import ScoreTable
from reviewer.review import STATUS_LABEL, IndicatorResult, ScoreRange


def score_range(
    table: ScoreTable | None, indicators: list[IndicatorResult], grade_for: Callable[[float], str]
) -> ScoreRange | None:
    if table is None or not table.rows:
        return None
    by_row = {r.row_index: r for r in indicators}
    points = {s: 0.0 for s in STATUS_LABEL}
    counts = {s: 0 for s in STATUS_LABEL}
    doubtful_supported = wrong_recomputed = 0.0
    for row in table.rows:
        if row.shared_with and row.index != min(row.shared_with):
            continue
        result = by_row.get(row.index)
        status = result.status if result else "not_checked"
        claimed = result.claimed if result and result.claimed is not None else row.self_score.value
        claimed = claimed or 0.0
        counts[status] += 1
        points[status] += claimed
        recomputed = result.recomputed if result else None
        if status == "doubtful":
            doubtful_supported += min(recomputed, claimed) if recomputed is not None else 0.0
        elif status == "wrong":
            wrong_recomputed += recomputed if recomputed is not None else claimed
    base = points["verified"] + points["unverifiable"] + points["not_checked"] + wrong_recomputed
    low = round(base + doubtful_supported, 2)
    high = round(base + points["doubtful"], 2)
    return ScoreRange(
        low=low,
        high=high,
        low_grade=grade_for(low),
        high_grade=grade_for(high),
        claimed_total=table.total_self_score.value if table.total_self_score.known else None,
        points={s: round(p, 2) for s, p in points.items()},
        counts=counts,
        doubtful_supported=round(doubtful_supported, 2),
        wrong_recomputed=round(wrong_recomputed, 2),
    )
