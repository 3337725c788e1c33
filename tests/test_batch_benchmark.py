"""The batch benchmark runs (small here; `python scripts/benchmark_batch.py` prints the real figures)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "benchmark_batch.py"


def test_benchmark_function_reports_throughput():
    spec = importlib.util.spec_from_file_location("benchmark_batch", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.benchmark(reports=6, jobs=2)
    assert figures["failed"] == 0
    assert figures["reports_per_s"] > 0
    assert figures["copy_flags"] > 0  # every copy is another department with the same completions
