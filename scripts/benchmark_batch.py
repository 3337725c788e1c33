#!/usr/bin/env python3
"""Batch throughput and memory: `review DIR` (deterministic layers + rules, LLM off).

    python scripts/benchmark_batch.py [--reports 200] [--jobs N] [--format md] [--growth 100,500,1000]

Generates a batch from the bundled report — every copy under its own department name with a few
figures changed, so the cross-report pass has real work — reviews it with reviewer.batch.run_batch
and prints the figures: wall time, reports per second, and the peak RSS of the parent, and of all
the batch's processes together (sampled from /proc every 50 ms: parent, pool workers and the child
each file is reviewed in). A second run of the same batch shows what resuming costs when nothing
changed. --growth runs several sizes and prints how time and memory grow with reports.
Targets (issue 6, issue 23): 200 reports in ≤ 30 s, 2,000 in ≤ 2 min with all processes ≤ 1 GB,
on a 2-core machine. Not a test: figures, not assertions (tests/test_batch_benchmark.py only runs
it small).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
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


def _tree_rss_mb(root: int) -> tuple[float, float]:
    """(RSS of `root`, RSS of root and all its descendants), in MB, read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return rss.get(root, 0.0), total


class PeakRSS:
    """Samples the RSS of this process and of the whole process tree in a thread."""

    def __init__(self, every: float = 0.05):
        self.every, self.parent, self.tree = every, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            if os.path.isdir("/proc"):
                parent, tree = _tree_rss_mb(me)
                self.parent, self.tree = max(self.parent, parent), max(self.tree, tree)
            self._stop.wait(self.every)

    def __enter__(self) -> "PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (pool workers, per-file children)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def benchmark(reports: int = 200, jobs: int | None = None, formats: str = "md", rerun: bool = True) -> dict[str, float]:
    """Time one batch run over a generated corpus (and, with `rerun`, the same batch again, which
    reuses everything); returns the figures."""
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
        with PeakRSS() as peak:
            t0, c0 = time.perf_counter(), _cpu()
            result = run_batch([src], Options(llm_enabled=False), spec, jobs=jobs)
            seconds, cpu = time.perf_counter() - t0, _cpu() - c0
        rows = [o.row for o in result.outcomes if o.row is not None]
        findings = sum(r.total_findings for r in rows)
        copies = sum(1 for m in out.glob("*.review.md") if "copied_across_reports" in m.read_text(encoding="utf-8"))
        again = reused = 0.0
        if rerun:
            spec = OutputSpec(formats=parse_formats(formats), output=str(out))
            t0 = time.perf_counter()
            second = run_batch([src], Options(llm_enabled=False), spec, jobs=jobs)
            again, reused = time.perf_counter() - t0, second.counts.reused
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
        "cpu_s": cpu,
        "load": os.getloadavg()[0],
        "peak_parent_mb": peak.parent,
        "peak_tree_mb": peak.tree,
        "rerun_s": again,
        "rerun_reused": reused,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--format", default="md", help="memo formats written per report (default md)")
    parser.add_argument("--growth", default="", help="comma-separated batch sizes: print how time and memory grow")
    args = parser.parse_args()
    if args.growth:
        print(f"{'reports':>8} {'wall s':>8} {'CPU s':>8} {'reports/s':>10} {'parent MB':>10} {'all MB':>8} {'rerun s':>8}")
        for n in (int(x) for x in args.growth.split(",")):
            f = benchmark(n, args.jobs, args.format)
            print(f"{n:8d} {f['seconds']:8.1f} {f['cpu_s']:8.1f} {f['reports_per_s']:10.1f} {f['peak_parent_mb']:10.0f} {f['peak_tree_mb']:8.0f} {f['rerun_s']:8.1f}", flush=True)
        return
    f = benchmark(args.reports, args.jobs, args.format)
    print(f"reports                {f['reports']:8d}   (generated in {f['generate_s']:.1f} s, not counted)")
    print(f"jobs / cpus            {f['jobs']:8d} / {f['cpus']}")
    print(f"formats                {args.format:>8}")
    print(f"wall time              {f['seconds']:8.2f} s   (target ≤ 30 s for 200, ≤ 120 s for 2,000 on 2 cores)")
    print(f"CPU time, all processes{f['cpu_s']:8.1f} s   load average {f['load']:.1f} (a shared machine: CPU time is the steadier figure)")
    print(f"throughput             {f['reports_per_s']:8.1f} reports/s")
    print(f"findings               {f['findings']:8d}   reports with completion.copied_across_reports {f['copy_flags']}")
    print(f"failed                 {f['failed']:8d}")
    print(f"peak RSS, parent       {f['peak_parent_mb']:8.0f} MB")
    print(f"peak RSS, all processes{f['peak_tree_mb']:8.0f} MB   (target ≤ 1 GB for 2,000)")
    print(f"same batch again       {f['rerun_s']:8.2f} s   ({f['rerun_reused']} reviews reused)")


if __name__ == "__main__":
    main()
