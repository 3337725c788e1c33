"""Accuracy against annotated reports: `review eval DIR` (gold format: examples/corpus/README.md)."""

from reviewer.evaluation.result import EvalResult
from reviewer.evaluation.run import evaluate
from reviewer.evaluation.table import render_table

__all__ = ["EvalResult", "evaluate", "render_table"]
