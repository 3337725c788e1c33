#!/usr/bin/env python3
"""Batch throughput: reports per second for `review DIR` (deterministic layers + rules, LLM off).

    python scripts/benchmark_batch.py [--reports 200] [--jobs N] [--format md]

Generates a batch from the bundled report — every copy under its own department name with a few
figures changed, so the cross-report pass has real work — reviews it with reviewer.batch.run_batch
and prints the figures. Target (issue 6): 200 reports in ≤ 30 s on a 2-core machine.
Not a test: figures, not assertions (tests/test_batch_benchmark.py only runs it small).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = ROOT / "examples" / "yunxi-2021-quweiban.docx"
DEPT = "中共岳阳市云溪区委办公室"


def make_corpus(folder: Path, n: int, seed: Path = SEED) -> list[Path]:
    """n copies of the seed, each a different department, some with altered figures."""
    with zipfile.ZipFile(seed) as z:
        items = [(i, z.read(i)) for i in z.infolist()]
    xml = next(data for info, data in items if info.filename == "word/document.xml").decode("utf-8")
    paths = []
    for k in range(n):
        text = xml.replace(DEPT, f"岳阳市云溪区第{k + 1}部门")
        if k % 3 == 1:
            text = text.replace("99分", f"{90 + k % 10}分")
        if k % 5 == 2:
            text = text.replace("360人次", f"{300 + k}人次")
        path = folder / f"dept-{k + 1:03d}.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for info, data in items:
                zout.writestr(info, text.encode("utf-8") if info.filename == "word/document.xml" else data)
        paths.append(path)
    return paths


def benchmark(reports: int = 200, jobs: int | None = None, formats: str = "md") -> dict[str, float]:
    """Time one batch run over a generated corpus; returns the figures."""
    from reviewer.batch import default_jobs, run_batch
    from reviewer.memo import OutputSpec, parse_formats
    from reviewer.pipeline import Options

    jobs = jobs or default_jobs()
    with tempfile.TemporaryDirectory(prefix="reviewer-bench-") as tmp:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        src.mkdir()
        t0 = time.perf_counter()
        make_corpus(src, reports)
        t_make = time.perf_counter() - t0
        spec = OutputSpec(formats=parse_formats(formats), output=str(out))
        t0 = time.perf_counter()
        result = run_batch([src], Options(llm_enabled=False), spec, jobs=jobs)
        seconds = time.perf_counter() - t0
        copies = sum(1 for o in result.outcomes if o.review for f in o.review.findings if f.code == "completion.copied_across_reports")
        findings = sum(len(o.review.findings) for o in result.outcomes if o.review)
    return {
        "reports": reports,
        "jobs": jobs,
        "cpus": os.cpu_count() or 1,
        "failed": len(result.failed),
        "generate_s": t_make,
        "seconds": seconds,
        "reports_per_s": reports / seconds,
        "findings": findings,
        "copy_flags": copies,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--format", default="md", help="memo formats written per report (default md)")
    args = parser.parse_args()
    f = benchmark(args.reports, args.jobs, args.format)
    print(f"reports                {f['reports']:8d}   (generated in {f['generate_s']:.1f} s, not counted)")
    print(f"jobs / cpus            {f['jobs']:8d} / {f['cpus']}")
    print(f"formats                {args.format:>8}")
    print(f"wall time              {f['seconds']:8.2f} s   (target ≤ 30 s for 200 on 2 cores)")
    print(f"throughput             {f['reports_per_s']:8.1f} reports/s")
    print(f"findings               {f['findings']:8d}   of which completion.copied_across_reports {f['copy_flags']}")
    print(f"failed                 {f['failed']:8d}")


if __name__ == "__main__":
    main()
