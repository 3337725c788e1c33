"""Many reports at once, streamed: each report's review goes to disk as it ends, and the parent keeps
only a compact record of it (department, the completions the cross-report pass compares, the
summary row).

    inputs ──review (pool)──▶ reviews/<key>.json + record ─┐
                                                            ├─ copies across reports (records)
           ──finish (pool): review file + findings ──ids, decisions──▶ memos + summary row
                                                                        └──▶ summary.csv / .html / .xlsx

The run folder (reviewer.manifest) records every finished review and memo: the same command run
again reuses what matches (file bytes, versions, what the memos were written from) and redoes the
rest; `fresh=True` ignores it. A file that cannot be reviewed becomes one line on stderr and a row
in the summary; the others go on. The deterministic layers are CPU-bound, hence processes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reviewer.budget import BudgetExceeded, budget_memory_mb, budget_seconds, in_process, run_bounded
from reviewer.decisions import find_decisions, with_decisions
from reviewer.errors import ConfigError, ReviewerError, one_line
from reviewer.finding_ids import assign_ids
from reviewer.findings import SEVERITY_RANK, Finding, sort_findings
from reviewer.manifest import RUN_FOLDER, Manifest, digest_bytes, review_key, versions
from reviewer.memo import SUFFIX, OutputSpec, write_outputs
from reviewer.memo.atomic import write_atomic
from reviewer.memo.outputs import fit_name
from reviewer.memo.summary import (
    SummaryRow,
    relative_link,
    row_for_failure,
    row_for_review,
    summary_csv,
    summary_html,
    summary_xlsx,
)
from reviewer.model import Location
from reviewer.numbers import squash
from reviewer.review import Review
from reviewer.similar_texts import similar_pairs

INPUT_SUFFIXES = {".docx", ".doc", ".wps", ".rtf", ".odt", ".pdf"}
# Completions shorter than this (squashed) are stock phrases everyone writes ("完成年度目标。"); the
# narrative rules flag those on their own, so they are not evidence of copying between departments.
MIN_COPY_CHARS = 30
COPY_SIMILARITY = 90  # percent, rapidfuzz ratio (character-level Indel similarity)
NAMED_PARTNERS = 3  # other files named in one finding; the rest are counted


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


# --- inputs ------------------------------------------------------------------------------------


def _is_report_file(path: Path) -> bool:
    name = path.name
    return (
        path.suffix.lower() in INPUT_SUFFIXES
        and not name.startswith(("~$", "."))  # Word lock files, hidden files
        and not any(name.endswith(s) for s in SUFFIX.values())  # our own annotated copies
    )


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Folders become the report files under them (sorted, recursive); files are kept as given,
    even missing ones, so the review reports them."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and _is_report_file(f) and not any(part.startswith(".") for part in f.relative_to(p).parts[:-1])
            )
            out.extend(found)
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def output_names(files: list[Path], spec: OutputSpec) -> list[str]:
    """A file stem per input that is unique in its output folder (a/x.docx and b/x.docx, x.doc and
    x.docx would otherwise overwrite each other's memos)."""
    names: list[str] = []
    used: set[tuple[str, str]] = set()
    inputs = {str(p.resolve()) for p in files} | set(spec.protected)

    def free(folder: str, candidate: str) -> bool:
        # Taken by another input's memos, or one of its memos would replace an input
        # (`review r.docx r.review.docx -f docx`).
        return (folder, candidate) not in used and not any(
            str((Path(folder) / fit_name(candidate, SUFFIX[fmt])).resolve()) in inputs for fmt in spec.formats
        )

    for f in files:
        folder = str(f.parent.resolve()) if spec.output is None else spec.output
        by_ext = f"{f.stem}-{f.suffix.lstrip('.')}"
        # Next to the inputs only the extension can tell x.doc from x.docx; in a shared output
        # folder the input's own folder name reads better (a-x, b-x).
        options = (f.stem, by_ext) if spec.output is None else (f.stem, f"{f.parent.name}-{f.stem}", by_ext)
        for candidate in options:
            if free(folder, candidate):
                break
        else:
            n = 2
            while not free(folder, f"{f.stem}-{n}"):
                n += 1
            candidate = f"{f.stem}-{n}"
        used.add((folder, candidate))
        names.append(candidate)
    return names



# --- one file (runs in a worker process) ----------------------------------------------------------


@dataclass
class Outcome:
    """One input's result as the parent keeps it: never a full Review in a batch (review_one, used
    alone by `review eval`, returns one in `review`)."""

    path: Path
    review: Review | None = None
    error: str = ""  # the one line shown for a file that could not be reviewed or written
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per format not written (write_outputs)
    record: dict | None = None  # compact_record of the review (the cross-report pass reads it)
    row: SummaryRow | None = None  # the summary row of the finished review
    reused: bool = False  # memos and row taken from an earlier run (reviewer.manifest)
    worst: int = -1  # highest SEVERITY_RANK among the findings of its memos


def _over_budget(path: Path, what: str) -> str:
    return one_line(f"{path}: {what}，已停止处理该文件（其他文件照常审核）")


def review_one(path: Path, options) -> Outcome:
    from reviewer.pipeline import review_file

    _warm_review(options)
    try:
        return Outcome(path, review=run_bounded(review_file, path, options))
    except ReviewerError as err:
        return Outcome(path, error=str(err))
    except BudgetExceeded:
        return Outcome(path, error=_over_budget(path, f"审核超过 {budget_seconds():g} 秒的时限"))
    except MemoryError:
        return Outcome(path, error=_over_budget(path, f"审核所需内存超过 {budget_memory_mb():g} MB 的上限"))
    except Exception as exc:  # a bug on one file must not cost the batch the other files
        return Outcome(path, error=one_line(f"{path}: 内部错误（请报告此文件）：{type(exc).__name__}: {exc}"))


def compact_record(review: Review) -> dict:
    """What the parent keeps of a review: the department, the completions long enough to compare
    across reports (squashed, with their row's kind and location), the model rows. A few KB."""
    targets = []
    for row in review.report.targets:
        text = squash(row.completion.text)
        if len(text) >= MIN_COPY_CHARS:
            targets.append([row.index, row.kind, text, row.completion.location.model_dump(mode="json", exclude_defaults=True)])
    from reviewer.llm.batch_jobs import QUEUED

    llm = {
        "rows": sum(1 for v in review.verdicts if v.by == "llm" and not v.status_note),
        "unfinished": sum(1 for v in review.verdicts if v.status_note.startswith("未完成") and QUEUED not in v.status_note),
        "queued": sum(1 for v in review.verdicts if QUEUED in v.status_note),
        "calls": review.llm.calls,
        "cache_hits": review.llm.cache_hits,
    }
    # a review made again (a job's answers came in) writes its memos again, though its key is the same
    made = hashlib.sha256(review.model_dump_json(include={"findings", "verdicts", "llm"}).encode()).hexdigest()[:16]
    return {"department": review.report.cover.department.text, "targets": targets, "llm": llm, "made": made}


def review_stage(path: Path, options, store: str) -> Outcome:
    """Review one file, write its Review to `store` (atomically), return only its record."""
    outcome = review_one(path, options)
    if outcome.review is not None:
        try:
            write_atomic(Path(store), outcome.review.model_dump_json())
            outcome.record = compact_record(outcome.review)
        except OSError as exc:
            outcome.error = one_line(f"{path}: 无法写出审核结果（{Path(store).parent}）：{exc.strerror or exc}")
        outcome.review = None
    return outcome


def _warm_review(options) -> None:
    """Load once in this worker what every review loads (the LLM client's modules, the rubric), so
    each file's forked child (run_bounded) starts with them instead of importing them again."""
    import reviewer.llm  # noqa: F401
    from reviewer.pipeline import rubric_for

    try:
        rubric_for(options)
    except ReviewerError:
        pass  # the review reports it


def _warm_writers(spec: OutputSpec) -> None:
    """The same for the writers: python-docx and the compiled templates."""
    import reviewer.memo.docx_comments  # noqa: F401
    from reviewer.memo.render import environment

    for html in (False, True):
        try:
            env = environment(str(spec.templates or ""), html)
            for name in ("memo.md.j2", "memo.html.j2"):
                env.get_template(name)
        except Exception:  # a broken template is reported by the write itself
            pass


def _write(review: Review, path: Path, spec: OutputSpec, name: str) -> tuple[list[str], list[str]]:
    skipped: list[str] = []
    return write_outputs(review, path, spec, name=name, on_skip=skipped.append), skipped


@dataclass
class Finish:
    """What the second pass needs to finish one input: its stored review and what the batch adds."""

    path: Path
    store: str  # the review file (reviewer.manifest)
    label: str  # how the batch names the file
    name: str  # its memos' file stem
    extra: list[Finding] = field(default_factory=list)  # cross-report and duplicate-file findings
    folder: str | None = None  # the summary folder, for the memo link


def finish_one(job: Finish, spec: OutputSpec, options) -> Outcome:
    """Add the batch's findings to a stored review, give ids, apply decisions, write the memos and
    make the summary row."""
    from reviewer.pipeline import rubric_for

    _warm_writers(spec)
    outcome = Outcome(job.path)
    try:
        review = Review.model_validate_json(Path(job.store).read_text(encoding="utf-8"))
        review.report.source = job.path.name
        if job.extra:
            review.findings = _with_ids(review, job.extra)
        review = with_decisions(review, job.path)
        outcome.written, outcome.skipped = run_bounded(_write, review, job.path, spec, job.name)
        link = relative_link(_memo_for_link(outcome.written), Path(job.folder)) if outcome.written and job.folder else ""
        outcome.row = row_for_review(job.label, review, link, rubric_for(options))
        outcome.worst = max((SEVERITY_RANK[f.severity] for f in review.findings), default=-1)
    except ReviewerError as err:
        outcome.error = str(err)
    except BudgetExceeded:
        outcome.error = _over_budget(job.path, f"写出审核意见超过 {budget_seconds():g} 秒的时限")
    except MemoryError:
        outcome.error = _over_budget(job.path, f"写出审核意见所需内存超过 {budget_memory_mb():g} MB 的上限")
    except OSError as exc:
        outcome.error = one_line(f"{job.path}: 无法写出审核意见：{exc.strerror or exc}")
    except Exception as exc:
        outcome.error = one_line(f"{job.path}: 内部错误（写出时）：{type(exc).__name__}: {exc}")
    return outcome


def _with_ids(review: Review, extra: list[Finding]) -> list[Finding]:
    """The review's findings (ids given by the pipeline) with the batch's, sorted, all with ids.

    The batch's codes are ones the pipeline never raises, and a finding's id hashes its code, so
    adding them changes no existing id: only they need ids (walking the report's texts again for
    every finding cost a fifth of a batch's time). Same ids as assign_ids over the whole list,
    which is what runs if a hash of theirs meets an existing id."""
    new = assign_ids(sort_findings(extra), review.report)
    taken = {f.id for f in review.findings}
    if any(not f.id for f in review.findings) or any(f.id in taken for f in new):
        return assign_ids(sort_findings([*review.findings, *extra]), review.report)
    return sort_findings([*review.findings, *new])


# --- across reports ---------------------------------------------------------------------------------


def file_digest(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError:  # missing, a folder, unreadable: the review reports it
        return None


def identical_files(files: list[Path], digests: list[str | None] | None = None) -> dict[int, int]:
    """Index of each file that repeats an earlier one byte for byte → index of the first."""
    if digests is None:
        digests = [file_digest(f) if f.is_file() else None for f in files]
    first: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for k, digest in enumerate(digests):
        if digest is None:
            continue
        if digest in first:
            repeats[k] = first[digest]
        else:
            first[digest] = k
    return repeats


def _duplicate_finding(name: str, others: list[str]) -> Finding:
    return Finding(
        code="input.duplicate_file",
        severity="warning",
        message=f"本文件（{name}）与本批中的 {'、'.join(others)} 内容完全相同，疑为重复提交；只审核了一次，审核意见相同。",
        location=Location(label="整个文件"),
        source="batch",
    )


def duplicate_findings(repeats: dict[int, int], labels: list[str]) -> dict[int, Finding]:
    """Every copy of a repeated file (the first too) → its input.duplicate_file finding."""
    groups: dict[int, list[int]] = {}
    for k, first in repeats.items():
        groups.setdefault(first, [first]).append(k)
    out: dict[int, Finding] = {}
    for members in groups.values():
        for k in members:
            out[k] = _duplicate_finding(labels[k], [labels[m] for m in members if m != k])
    return out


def copied_across_reports(reviews: list[tuple[str, Review]]) -> dict[int, list[Finding]]:
    """Completions shared between different departments' reports: index → new findings (full
    Reviews in; the batch itself calls copies_across on compact records)."""
    return copies_across([(name, compact_record(review)) for name, review in reviews])


def copies_across(records: list[tuple[str, dict]]) -> dict[int, list[Finding]]:
    """Completions shared between different departments' reports: index → new findings.

    Identical texts are grouped first (the common case: one template pasted everywhere); the
    distinct texts are paired through reviewer.similar_texts (a bigram index, exact: the same pairs
    as comparing every text with every other). Each text's partners (best score per report) are
    ranked once and shared by every entry with that text. Reports of the same department (say two
    years) may repeat themselves and are not flagged.
    """
    entries: list[tuple[int, str, int, str, str, dict]] = []  # (report, department key, target index, kind, text, location)
    for i, (name, rec) in enumerate(records):
        dept = squash(rec["department"]) or f"file:{name}"
        for index, kind, text, loc in rec["targets"]:
            entries.append((i, dept, index, kind, text, loc))
    distinct = list(dict.fromkeys(e[4] for e in entries))
    position = {t: k for k, t in enumerate(distinct)}
    members: list[list[int]] = [[] for _ in distinct]
    for m, e in enumerate(entries):
        members[position[e[4]]].append(m)
    pairs = similar_pairs(distinct, COPY_SIMILARITY)

    ranked_of: dict[int, tuple[list[tuple[float, int, int]], Counter]] = {}

    def ranked(t: int) -> tuple[list[tuple[float, int, int]], Counter]:
        """(score, report, entry) of every report with a text like t, best score each, ranked;
        and how many of them each department has."""
        if t not in ranked_of:
            best: dict[int, tuple[float, int]] = {}
            for other, score in [(t, 100.0), *pairs[t]]:
                for m in members[other]:
                    j = entries[m][0]
                    if score > best.get(j, (-1.0, 0))[0]:
                        best[j] = (score, m)
            order = sorted(((s, j, m) for j, (s, m) in best.items()), key=lambda x: (-x[0], records[x[1]][0]))
            ranked_of[t] = (order, Counter(entries[m][1] for _, _, m in order))
        return ranked_of[t]

    found: dict[int, list[Finding]] = {}
    for i, dept, index, kind, text, loc in entries:
        order, depts = ranked(position[text])
        count = len(order) - depts[dept]
        if count <= 0:
            continue
        named = []
        for score, j, m in order:
            if entries[m][1] != dept:
                named.append((score, j, entries[m][3]))
                if len(named) == NAMED_PARTNERS:
                    break
        found.setdefault(i, []).append(_copy_finding(records, i, kind, loc, named, count))
    return found


def _copy_finding(records, i: int, kind: str, loc: dict, named: list[tuple[float, int, str]], count: int) -> Finding:
    """named: (score, report, its row's kind) of the partners shown."""
    name = records[i][0]
    shown = []
    for _, j, other_kind in named:
        other_name, other = records[j]
        dept = other["department"].strip() or "未读到部门"
        shown.append(f"{other_name}（{dept}，{other_kind}）")
    more = f"等 {count} 份" if count > NAMED_PARTNERS else ""
    top = named[0][0]
    how = "相同" if top >= 100 else f"高度相似（相似度 {top:.0f}%）"
    return Finding(
        code="completion.copied_across_reports",
        severity="warning",
        message=f"“{kind}”的完成情况与其他部门的报告{how}：{'、'.join(shown)}{more}。疑似套用他人文本（本报告：{name}）。",
        location=Location(**loc),
        source="batch",
    )


# --- the batch ----------------------------------------------------------------------------------


@dataclass
class RunCounts:
    """What a person watching a long run wants to know; the summary shows the same counts."""

    reports: int = 0
    to_review: int = 0  # distinct reviews this run has to do (identical files are reviewed once)
    reviewed: int = 0  # of them, done
    reused: int = 0  # reports whose review an earlier run made (reviewer.manifest)
    failed: int = 0  # reports that could not be reviewed or written
    written: int = 0  # reports whose memos were written in this run
    kept: int = 0  # reports whose memos an earlier run wrote from the same inputs: left as they are
    llm_rows: int = 0  # rows the model judged
    llm_unfinished: int = 0  # rows left 未完成 (deadline, errors)
    llm_calls: int = 0
    llm_queued: int = 0  # rows waiting for a provider batch job (reviewer.llm.batch_jobs)
    llm_in_job: int = 0
    started: float = field(default_factory=time.monotonic)

    def remaining_seconds(self) -> float | None:
        """From the pace of the reviews done so far in this run (None before the first)."""
        if not self.reviewed:
            return None
        pace = (time.monotonic() - self.started) / self.reviewed
        return pace * max(0, self.to_review - self.reviewed)

    def line(self) -> str:
        parts = [f"共 {self.reports} 份：本次审核 {self.reviewed}/{self.to_review}，沿用上次 {self.reused}，失败 {self.failed}，已写出 {self.written + self.kept}"]
        if self.llm_rows or self.llm_unfinished or self.llm_queued or self.llm_in_job:
            model = f"大模型行 已完成 {self.llm_rows}，未完成 {self.llm_unfinished}"
            if self.llm_queued or self.llm_in_job:
                model += f"，排队 {self.llm_queued}，批处理任务中 {self.llm_in_job}"
            parts.append(model)
        left = self.remaining_seconds()
        if left is not None and self.reviewed < self.to_review:
            parts.append(f"预计还需 {_duration(left)}")
        return "；".join(parts)

    def summary_line(self) -> str:
        """The run's counts as the summary states them (what was reused, what the model did)."""
        parts = [f"本次运行审核 {self.reviewed} 份，沿用上次运行的审核结果 {self.reused} 份，失败 {self.failed} 份"]
        if self.kept:
            parts.append(f"其中 {self.kept} 份的审核意见未变，未重写")
        if self.llm_rows or self.llm_unfinished or self.llm_queued or self.llm_in_job:
            parts.append(f"大模型判断 {self.llm_rows} 行，未完成 {self.llm_unfinished} 行，批处理任务中 {self.llm_in_job + self.llm_queued} 行")
        return "；".join(parts) + "。"

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "started"}


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} 秒"
    if seconds < 5400:
        return f"{seconds / 60:.0f} 分钟"
    return f"{seconds / 3600:.1f} 小时"


@dataclass
class BatchResult:
    outcomes: list[Outcome]
    summary_files: list[str] = field(default_factory=list)
    summary_error: str = ""
    counts: RunCounts = field(default_factory=RunCounts)
    run_folder: str = ""
    jobs_running: list[str] = field(default_factory=list)  # provider batch jobs still running

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    def worst_rank(self) -> int:
        return max((o.worst for o in self.outcomes if not o.error), default=-1)


class _Inline(Executor):
    """--jobs 1: run in this process (easier to debug, no pickling). The per-file budget is then the
    in-process one (reviewer.budget.in_process): a timer and a memory cap, no child to kill."""

    def submit(self, fn, /, *args, **kwargs):
        fut: Future = Future()
        try:
            with in_process():
                fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # pragma: no cover - the stages catch everything
            fut.set_exception(exc)
        return fut


def _executor(jobs: int, n: int) -> Executor:
    if jobs <= 1 or n <= 1:
        return _Inline()
    import multiprocessing

    # fork: workers inherit the imported modules (fast start), and __main__ is not re-run.
    ctx = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=min(jobs, n), mp_context=ctx)


def _run_all(pool: Executor, calls: list[tuple], on_done: Callable[[int, Outcome], None], window: int = 64) -> None:
    """Run the calls, at most `window` submitted at a time (their arguments and results are small,
    but 2,000 futures need not wait at once); on_done(k, outcome) as each ends."""
    pending: dict[Future, int] = {}
    it = iter(enumerate(calls))
    for k, call in it:
        pending[pool.submit(*call)] = k
        if len(pending) >= window:
            break
    while pending:
        fut = next(as_completed(pending))
        k = pending.pop(fut)
        on_done(k, fut.result())
        nxt = next(it, None)
        if nxt is not None:
            pending[pool.submit(*nxt[1])] = nxt[0]


def summary_folder(spec: OutputSpec) -> Path | None:
    """-o, or the current folder: never a folder computed from the inputs, which for files from
    unrelated places could be / or someone else's share."""
    if spec.to_stdout:
        return None
    return Path(spec.output) if spec.output is not None else Path.cwd()


def _finish_key(review_key_: str, job: Finish, spec: OutputSpec, made: str = "") -> str:
    """Everything an input's memos and summary row are made from, besides the code versions
    (already in the review key)."""
    decisions = find_decisions(job.path)
    templates = ""
    if spec.templates and Path(spec.templates).is_dir():
        templates = digest_bytes(*(p.read_bytes() for p in sorted(Path(spec.templates).rglob("*")) if p.is_file()))
    return digest_bytes(
        review_key_, made, job.label, job.name, str(job.folder), job.path.name,
        json.dumps([f.model_dump(mode="json") for f in job.extra], ensure_ascii=False, sort_keys=True),
        digest_bytes(decisions.read_bytes()) if decisions is not None else "",
        json.dumps([spec.formats, spec.output, spec.author, spec.unit, spec.date, templates], ensure_ascii=False),
    )[:32]


def _row_to_dict(row: SummaryRow) -> dict:
    return asdict(row)


def _row_from_dict(data: dict) -> SummaryRow:
    data = dict(data)
    data.pop("worst_rank", None)  # the outcome's, kept beside the row
    data["worst"] = [tuple(w) for w in data.get("worst", [])]
    return SummaryRow(**data)


def _batch_jobs_start(manifest: Manifest, options, wait: float, on_note: Callable[[str], None]):
    """Poll (and collect) the run folder's open jobs; the options with the judge's batch plan."""
    from dataclasses import replace

    from reviewer.llm import batch_jobs
    from reviewer.llm.config import LLMConfig

    config = LLMConfig.from_env(model=options.model, base_url=options.base_url, enabled=options.llm_enabled,
                                redact=options.redact, provider=options.provider, settings=options.llm_settings,
                                **options.llm_overrides)
    refused = batch_jobs.unsupported(config)
    if refused:
        raise ConfigError(refused)
    polled = batch_jobs.poll(manifest, config, wait)
    for line in polled.lines:
        on_note(line)
    spool = manifest.folder / "spool"
    plan = batch_jobs.write_plan(manifest.folder, spool, polled.running, polled.live)
    return replace(options, llm_overrides={**options.llm_overrides, "batch_plan": str(plan)}), config, polled


def _batch_jobs_wait(manifest: Manifest, options, config, polled, wait: float, on_note: Callable[[str], None]):
    """Wait (backoff, up to `wait` seconds) for the jobs just submitted; a new plan if one ended."""
    from reviewer.llm import batch_jobs

    later = batch_jobs.poll(manifest, config, max(0.0, wait))
    for line in later.lines:
        on_note(line)
    if later.jobs_ended:
        batch_jobs.write_plan(manifest.folder, manifest.folder / "spool", later.running, later.live)
    return options, later


def _queued_answerable(polled) -> bool:
    """Reviews with rows waiting for a job are redone once a job has ended (its answers are in the
    cache, the rest is asked live) or when no job runs at all (a kill before it was submitted)."""
    return polled is not None and (bool(polled.jobs_ended) or not polled.jobs_running)


def _submit_job(manifest: Manifest, config, on_note: Callable[[str], None]) -> str | None:
    from reviewer.llm import batch_jobs

    try:
        done = batch_jobs.submit(manifest, config, manifest.folder / "spool")
    except ReviewerError as err:  # the upload or the job refused: the rows stay queued for next time
        on_note(f"{err}；这些行的请求留在运行记录中，下次运行时再提交")
        return None
    if done is None:
        return None
    job_id, n = done
    on_note(f"已提交批处理任务 {job_id}（{n} 个请求，{config.base_url}）；稍后用同一命令再次运行以取回结果")
    return job_id


def _open_manifest(folder: Path, fresh: bool, on_note: Callable[[str], None]):
    """The run folder's manifest, or (a read-only folder, a broken file) one in a temporary folder
    for this run only: the batch runs, it just cannot be resumed."""
    import sqlite3
    import tempfile

    try:
        return Manifest(folder, fresh=fresh), None
    except (OSError, sqlite3.Error) as exc:
        scratch = tempfile.TemporaryDirectory(prefix="reviewer-run-")
        on_note(one_line(f"{folder}: 无法使用运行记录（{getattr(exc, 'strerror', None) or exc}）：本次照常审核，但中断后不能续跑"))
        return Manifest(Path(scratch.name), fresh=True), scratch


def run_folder_for(spec: OutputSpec) -> Path:
    """Where a batch keeps its manifest: beside the summary (-o, or the current folder)."""
    folder = summary_folder(spec)
    return (folder if folder is not None else Path.cwd()) / RUN_FOLDER


def run_batch(
    paths: list[Path],
    options,
    spec: OutputSpec,
    jobs: int | None = None,
    progress=None,
    on_error: Callable[[str], None] = lambda line: None,
    on_skip: Callable[[str], None] = lambda line: None,
    fresh: bool = False,
    run_folder: Path | None = None,
    llm_batch: bool = False,
    llm_wait: float = 0.0,
    on_note: Callable[[str], None] = lambda line: None,
) -> BatchResult:
    """Review every input, flag cross-report copies, write memos and the summary.

    `progress` is a reviewer.batch.Progress-like object (see cli.py) or None: phase(label, total)
    returns a tick, and an optional counts(RunCounts) is called as the counts change; `on_error`
    receives each failed file's one-line message as it happens, `on_skip` each format left
    unwritten for a file whose other formats were written. `fresh` ignores what an earlier run of
    the same batch finished (the run folder, reviewer.manifest). `llm_batch`: the model's questions
    go out as one provider batch job (reviewer.llm.batch_jobs) instead of one call each; a later run
    collects the answers (waiting up to `llm_wait` seconds for a running job); `on_note` gets its lines.
    """
    files = expand_inputs(paths)
    spec.multiple = True
    spec.protected = frozenset(spec.protected | {str(f.resolve()) for f in files})
    names = output_names(files, spec)
    labels = display_names(files)
    jobs = jobs or default_jobs()
    folder = summary_folder(spec)
    counts = RunCounts(reports=len(files))
    show = getattr(progress, "counts", None) or (lambda c: None)

    digests = [file_digest(f) if f.is_file() else None for f in files]
    repeats = identical_files(files, digests)
    vers = versions(options)
    keys = [review_key(d, vers) if d is not None else None for d in digests]
    outcomes: list[Outcome] = [Outcome(f) for f in files]
    manifest, scratch = _open_manifest(run_folder or run_folder_for(spec), fresh, on_note)
    jobs_config = polled = None
    try:
        if llm_batch:
            options, jobs_config, polled = _batch_jobs_start(manifest, options, llm_wait, on_note)
        # 1. reviews: one per distinct content not finished by an earlier run
        records: dict[str, dict] = {}
        todo: list[int] = []
        for k in range(len(files)):
            key = keys[k]
            if k in repeats or key in records:
                continue
            rec = manifest.record(key) if key is not None else None
            if rec is not None and rec.get("llm", {}).get("queued") and _queued_answerable(polled):
                rec = None  # its rows' answers are in (or are to be asked live now): reviewed again
            if rec is not None:
                records[key] = rec
            else:
                todo.append(k)
        counts.to_review = len(todo)
        done_now: set[str] = set()  # reviews made in this run
        tick = progress.phase("审核", len(todo)) if progress else (lambda: None)
        show(counts)

        def review_all(todo: list[int]) -> None:
            def reviewed(pos: int, o: Outcome) -> None:
                k = todo[pos]
                tick()
                if o.error or o.record is None or keys[k] is None:
                    outcomes[k].error = o.error or one_line(f"{files[k]}: 无法读取文件")
                else:
                    outcomes[k].error = ""
                    records[keys[k]] = o.record
                    manifest.put_review(keys[k], o.record, vers)
                    counts.reviewed += keys[k] not in done_now
                    done_now.add(keys[k])
                show(counts)

            with _executor(jobs, len(todo)) as pool:
                _run_all(pool, [(review_stage, files[k], options, str(manifest.review_path(keys[k] or f"unread-{k}"))) for k in todo], reviewed)

        review_all(todo)
        if jobs_config is not None:
            submitted = _submit_job(manifest, jobs_config, on_note)
            if submitted:
                polled.jobs_running.append(submitted)
            if llm_wait > 0 and polled.jobs_running:  # wait for the job here, then finish from its answers
                options, polled = _batch_jobs_wait(manifest, options, jobs_config, polled, llm_wait - (time.monotonic() - counts.started), on_note)
                again = [k for k in range(len(files)) if k not in repeats and keys[k] in records
                         and records[keys[k]].get("llm", {}).get("queued") and _queued_answerable(polled)]
                if again:
                    counts.to_review += len({keys[k] for k in again} - done_now)
                    review_all(again)
                    resubmitted = _submit_job(manifest, jobs_config, on_note)
                    if resubmitted:  # rows neither answered nor to be asked live: a job of their own
                        polled.jobs_running.append(resubmitted)
        # a repeated file shares its first copy's review, or its failure
        for k, first in repeats.items():
            if outcomes[first].error and keys[first] not in records:
                outcomes[k].error = one_line(f"{files[k]}: 与 {labels[first]} 内容相同，同样无法审核")
        for k, o in enumerate(outcomes):
            if not o.error and keys[k] not in records:
                o.error = one_line(f"{files[k]}: 无法读取文件")
        for k, o in enumerate(outcomes):
            if o.error:
                counts.failed += 1
                manifest.put_report(str(files[k].resolve()), digests[k], keys[k], None, "failed", error=o.error)
                on_error(o.error)

        # 2. across reports, from the records
        good = [k for k, o in enumerate(outcomes) if not o.error]
        copies = copies_across([(labels[k], records[keys[k]]) for k in good])
        dups = duplicate_findings(repeats, labels)

        # 3. memos and summary rows: redone unless everything they come from is unchanged
        finishing: list[tuple[int, Finish, str]] = []
        for pos, k in enumerate(good):
            extra = ([dups[k]] if k in dups else []) + copies.get(pos, [])
            job = Finish(files[k], str(manifest.review_path(keys[k])), labels[k], names[k], extra,
                         str(folder) if folder is not None else None)
            fkey = _finish_key(keys[k], job, spec, records[keys[k]].get("made", ""))
            old = manifest.report(str(files[k].resolve()))
            rec = records[keys[k]]
            if (old and old["state"] == "done" and old["finish_key"] == fkey and old["row"] is not None
                    and all(Path(w).is_file() for w in old["outputs"] if w != "-")):
                o = outcomes[k]
                o.row, o.written, o.reused = _row_from_dict(old["row"]), old["outputs"], True
                # as the run that wrote the memos found it (row.counts leaves out the tool's own notes)
                o.worst = old["row"].get("worst_rank", -1)
                counts.kept += 1
            else:
                finishing.append((k, job, fkey))
            llm = rec.get("llm", {})
            counts.llm_rows += llm.get("rows", 0)
            counts.llm_unfinished += llm.get("unfinished", 0)
            counts.llm_calls += llm.get("calls", 0)
            if polled is not None and polled.jobs_running:
                counts.llm_in_job += llm.get("queued", 0)
            else:
                counts.llm_queued += llm.get("queued", 0)
        counts.reused = sum(1 for k in good if keys[k] not in done_now)
        tick = progress.phase("写出", len(finishing)) if progress else (lambda: None)
        show(counts)

        def written(pos: int, o: Outcome) -> None:
            k, job, fkey = finishing[pos]
            tick()
            outcomes[k] = o
            if o.error:
                counts.failed += 1
                manifest.put_report(str(files[k].resolve()), digests[k], keys[k], None, "failed", error=o.error)
                on_error(o.error)
            else:
                counts.written += 1
                manifest.put_report(str(files[k].resolve()), digests[k], keys[k], fkey, "done",
                                    row={**_row_to_dict(o.row), "worst_rank": o.worst}, outputs=o.written)
            for line in o.skipped:
                on_skip(line)
            show(counts)

        with _executor(jobs, len(finishing)) as pool:
            _run_all(pool, [(finish_one, job, spec, options) for _, job, _ in finishing], written)
        result = BatchResult(outcomes, counts=counts, run_folder=str(manifest.folder),
                             jobs_running=list(polled.jobs_running) if polled is not None else [])
        manifest.prune()
    finally:
        manifest.close()
        if scratch is not None:
            scratch.cleanup()

    if folder is not None:
        try:
            result.summary_files = write_summary(result, folder, spec, options)
        except OSError as exc:  # e.g. the current folder is read-only: the memos are written
            result.summary_error = one_line(f"{folder}: 无法写出汇总（summary.*）：{exc.strerror or exc}；请用 -o 指定可写的文件夹")
            on_error(result.summary_error)
    return result


def display_names(files: list[Path]) -> list[str]:
    """How a file is named in findings and the summary: its name, or its path below the common
    folder when two inputs share a name."""
    names = [f.name for f in files]
    if len(set(names)) == len(names):
        return names
    root = Path(os.path.commonpath([str(f.resolve().parent) for f in files]))
    return [f.resolve().relative_to(root).as_posix() for f in files]


def write_summary(result: BatchResult, folder: Path, spec: OutputSpec, options=None) -> list[str]:
    from reviewer.pipeline import Options, rubric_for

    rubric = rubric_for(options or Options())
    rows: list[SummaryRow] = []
    labels = display_names([o.path for o in result.outcomes])
    for o, label in zip(result.outcomes, labels):
        if o.row is not None and not o.error:
            rows.append(o.row)
        elif o.review is not None and not o.error:  # an Outcome made by hand (tests, scripts)
            link = relative_link(_memo_for_link(o.written), folder) if o.written else ""
            rows.append(row_for_review(label, o.review, link, rubric))
        else:
            rows.append(row_for_failure(label, o.error))
    html_path, csv_path, xlsx_path = folder / "summary.html", folder / "summary.csv", folder / "summary.xlsx"
    write_atomic(csv_path, summary_csv(rows))
    grade_order = [g.name for g in sorted(rubric.grades, key=lambda g: -g.min)]
    write_atomic(html_path, summary_html(rows, spec.templates, title=str(folder), grade_order=grade_order, run=result.counts.summary_line()))
    write_atomic(xlsx_path, summary_xlsx(rows))
    return [str(html_path), str(csv_path), str(xlsx_path)]


def _memo_for_link(written: list[str]) -> str:
    # The HTML memo opens in the same browser as the summary; otherwise whatever was written.
    for suffix in (".review.html", ".review.md", ".review.json", ".review.docx"):
        for w in written:
            if w.endswith(suffix):
                return w
    return written[0]
