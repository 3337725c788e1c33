"""The pure review stages that run on a Report, by name (for the pipeline and the benchmark)."""

from __future__ import annotations

from collections.abc import Callable

from reviewer.model import Report

# Filled as the layers land; each takes a Report and returns its findings (and results).
STAGES: dict[str, Callable[[Report], object]] = {}
