"""The pure review stages that run on a Report, by name (for the benchmark).

The pipeline calls the same functions; this table only names them so scripts/benchmark can time
each one on an already-ingested report. The LLM judge is not here: it is I/O, timed by its own
token and call counts.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewer.checks import run_checks
from reviewer.model import Report
from reviewer.national_targets import narrative_rules
from reviewer.pipeline import Options, indicator_rubric_for, rubric_for

STAGES: dict[str, Callable[[Report], object]] = {
    # rubric_for caches the parsed file, so the timing is the checks alone, as in a batch
    "checks (rubric)": lambda report: run_checks(report, rubric_for(Options()), indicator_rubric_for(report)),
    "narrative rules": lambda report: narrative_rules(report, indicator_rubric_for(report)),
}
