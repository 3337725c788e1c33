"""Many reports at once: find the files, review them in a process pool, compare them, write it all.

    inputs ──review (pool)──▶ Reviews ──copied_across_reports──▶ + findings ──write (pool)──▶ memos
                                                                            └──▶ summary.csv / .html

The cross-report pass needs every report, so memos are written after it, not as each review ends.
A file that cannot be reviewed becomes one line on stderr and a row in the summary; the others go on.
The deterministic layers are CPU-bound, hence processes rather than threads.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from reviewer.budget import BudgetExceeded, budget_memory_mb, budget_seconds, in_process, run_bounded
from reviewer.decisions import with_decisions
from reviewer.errors import ReviewerError, one_line
from reviewer.finding_ids import assign_ids
from reviewer.findings import SEVERITY_RANK, Finding, sort_findings
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
    path: Path
    review: Review | None = None
    error: str = ""  # the one line shown for a file that could not be reviewed or written
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per format not written (write_outputs)


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


def write_one(outcome: Outcome, spec: OutputSpec, name: str) -> Outcome:
    _warm_writers(spec)
    try:
        outcome.written, outcome.skipped = run_bounded(_write, outcome.review, outcome.path, spec, name)
    except ReviewerError as err:
        outcome.error = str(err)
    except BudgetExceeded:
        outcome.error = _over_budget(outcome.path, f"写出审核意见超过 {budget_seconds():g} 秒的时限")
    except MemoryError:
        outcome.error = _over_budget(outcome.path, f"写出审核意见所需内存超过 {budget_memory_mb():g} MB 的上限")
    except OSError as exc:
        outcome.error = one_line(f"{outcome.path}: 无法写出审核意见：{exc.strerror or exc}")
    except Exception as exc:
        outcome.error = one_line(f"{outcome.path}: 内部错误（写出时）：{type(exc).__name__}: {exc}")
    return outcome


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


def identical_files(files: list[Path]) -> dict[int, int]:
    """Index of each file that repeats an earlier one byte for byte → index of the first."""
    first: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for k, f in enumerate(files):
        digest = file_digest(f) if f.is_file() else None
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


def share_duplicates(outcomes: list[Outcome], repeats: dict[int, int], labels: list[str]) -> None:
    """Give each repeated file the review of its first copy, and flag every copy, naming the others."""
    groups: dict[int, list[int]] = {}
    for k, first in repeats.items():
        groups.setdefault(first, [first]).append(k)
    for first, members in groups.items():
        original = outcomes[first]
        base = original.review.model_copy(deep=True) if original.review is not None else None
        for k in members:
            if k != first:
                outcomes[k] = Outcome(outcomes[k].path, review=None, error=original.error and one_line(
                    f"{outcomes[k].path}: 与 {labels[first]} 内容相同，同样无法审核"))
            if base is None:
                continue
            review = base.model_copy(deep=True)
            review.report.source = outcomes[k].path.name
            others = [labels[m] for m in members if m != k]
            review.findings = sort_findings([*review.findings, _duplicate_finding(labels[k], others)])
            outcomes[k].review = review


def copied_across_reports(reviews: list[tuple[str, Review]]) -> dict[int, list[Finding]]:
    """Completions shared between different departments' reports: index → new findings.

    Identical texts are grouped first (the common case: one template pasted everywhere), then the
    distinct texts are compared with each other, so a batch of near-identical reports stays cheap.
    Reports of the same department (say two years) may repeat themselves and are not flagged.
    """
    entries: list[tuple[int, str, int, str]] = []  # (report, department, target index, text)
    for i, (name, review) in enumerate(reviews):
        dept = squash(review.report.cover.department.text) or f"file:{name}"
        for row in review.report.targets:
            text = squash(row.completion.text)
            if len(text) >= MIN_COPY_CHARS:
                entries.append((i, dept, row.index, text))
    distinct = list(dict.fromkeys(e[3] for e in entries))
    by_text: dict[str, list[int]] = {}
    for k, e in enumerate(entries):
        by_text.setdefault(e[3], []).append(k)
    similar: dict[str, list[tuple[str, float]]] = {t: [(t, 100.0)] for t in distinct}
    for a, text in enumerate(distinct):
        for other, score, b in process.extract(text, distinct, scorer=fuzz.ratio, score_cutoff=COPY_SIMILARITY, limit=None):
            if b > a:
                similar[text].append((other, score))
                similar[other].append((text, score))

    found: dict[int, list[Finding]] = {}
    for k, (i, dept, target_index, text) in enumerate(entries):
        partners: dict[int, tuple[float, int]] = {}  # report → (best score, its entry)
        for other_text, score in similar[text]:
            for m in by_text[other_text]:
                j, other_dept = entries[m][0], entries[m][1]
                if j != i and other_dept != dept and score > partners.get(j, (-1, 0))[0]:
                    partners[j] = (score, m)
        if partners:
            found.setdefault(i, []).append(_copy_finding(reviews, i, target_index, partners, entries))
    return found


def _copy_finding(reviews, i: int, target_index: int, partners: dict[int, tuple[float, int]], entries) -> Finding:
    name, review = reviews[i]
    row = next(r for r in review.report.targets if r.index == target_index)
    ranked = sorted(partners.items(), key=lambda kv: (-kv[1][0], reviews[kv[0]][0]))
    named = []
    top = ranked[0][1][0]
    for j, (score, m) in ranked[:NAMED_PARTNERS]:
        other_name, other = reviews[j]
        other_row = next(r for r in other.report.targets if r.index == entries[m][2])
        dept = other.report.cover.department.text.strip() or "未读到部门"
        named.append(f"{other_name}（{dept}，{other_row.kind}）")
    more = f"等 {len(ranked)} 份" if len(ranked) > NAMED_PARTNERS else ""
    how = "相同" if top >= 100 else f"高度相似（相似度 {top:.0f}%）"
    return Finding(
        code="completion.copied_across_reports",
        severity="warning",
        message=f"“{row.kind}”的完成情况与其他部门的报告{how}：{'、'.join(named)}{more}。疑似套用他人文本（本报告：{name}）。",
        location=row.completion.location,
        source="batch",
    )


# --- the batch ----------------------------------------------------------------------------------


@dataclass
class BatchResult:
    outcomes: list[Outcome]
    summary_files: list[str] = field(default_factory=list)
    summary_error: str = ""

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    def worst_rank(self) -> int:
        ranks = [SEVERITY_RANK[f.severity] for o in self.outcomes if o.review for f in o.review.findings]
        return max(ranks, default=-1)


class _Inline(Executor):
    """--jobs 1: run in this process (easier to debug, no pickling). The per-file budget is then the
    in-process one (reviewer.budget.in_process): a timer and a memory cap, no child to kill."""

    def submit(self, fn, /, *args, **kwargs):
        fut: Future = Future()
        try:
            with in_process():
                fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # pragma: no cover - review_one/write_one catch everything
            fut.set_exception(exc)
        return fut


def _executor(jobs: int, n: int) -> Executor:
    if jobs <= 1 or n <= 1:
        return _Inline()
    import multiprocessing

    # fork: workers inherit the imported modules (fast start), and __main__ is not re-run.
    ctx = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=min(jobs, n), mp_context=ctx)


def _run_all(pool: Executor, calls: list[tuple], on_done: Callable[[int, Outcome], None]) -> list[Outcome]:
    futures = {pool.submit(*call): k for k, call in enumerate(calls)}
    results: list[Outcome | None] = [None] * len(calls)
    for fut in as_completed(futures):
        k = futures[fut]
        results[k] = fut.result()
        on_done(k, results[k])
    return results  # type: ignore[return-value]


def summary_folder(spec: OutputSpec) -> Path | None:
    """-o, or the current folder: never a folder computed from the inputs, which for files from
    unrelated places could be / or someone else's share."""
    if spec.to_stdout:
        return None
    return Path(spec.output) if spec.output is not None else Path.cwd()


def run_batch(
    paths: list[Path],
    options,
    spec: OutputSpec,
    jobs: int | None = None,
    progress=None,
    on_error: Callable[[str], None] = lambda line: None,
    on_skip: Callable[[str], None] = lambda line: None,
) -> BatchResult:
    """Review every input, flag cross-report copies, write memos and the summary.

    `progress` is a reviewer.batch.Progress-like object (see cli.py) or None; `on_error` receives
    each failed file's one-line message as it happens, `on_skip` each format left unwritten for a
    file whose other formats were written.
    """
    files = expand_inputs(paths)
    spec.multiple = True
    spec.protected = frozenset(spec.protected | {str(f.resolve()) for f in files})
    names = output_names(files, spec)
    labels = display_names(files)
    jobs = jobs or default_jobs()
    tick = progress.phase("审核", len(files)) if progress else (lambda: None)

    def reviewed(k: int, o: Outcome) -> None:
        tick()
        if o.error:
            on_error(o.error)

    repeats = identical_files(files)
    unique = [k for k in range(len(files)) if k not in repeats]
    with _executor(jobs, len(unique)) as pool:
        outcomes: list[Outcome] = [Outcome(f) for f in files]
        done_first = _run_all(pool, [(review_one, files[k], options) for k in unique], reviewed)
        for k, o in zip(unique, done_first):
            outcomes[k] = o
        share_duplicates(outcomes, repeats, labels)
        for k in repeats:
            reviewed(k, outcomes[k])

        good = [k for k, o in enumerate(outcomes) if o.review is not None]
        copies = copied_across_reports([(labels[k], outcomes[k].review) for k in good])
        for pos, extra in copies.items():
            review = outcomes[good[pos]].review
            review.findings = sort_findings([*review.findings, *extra])
        for k in good:
            o = outcomes[k]
            o.review.findings = assign_ids(o.review.findings, o.review.report)
            try:
                o.review = with_decisions(o.review, o.path)
            except ReviewerError as err:
                o.error = str(err)
                on_error(o.error)
        good = [k for k in good if not outcomes[k].error]

        tick = progress.phase("写出", len(good)) if progress else (lambda: None)

        def written(_: int, o: Outcome) -> None:
            tick()
            if o.error:
                on_error(o.error)
            for line in o.skipped:
                on_skip(line)

        done = _run_all(pool, [(write_one, outcomes[k], spec, names[k]) for k in good], written)
        for k, o in zip(good, done):
            outcomes[k] = o

    result = BatchResult(outcomes)
    folder = summary_folder(spec)
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
        if o.review is not None and not o.error:
            link = relative_link(_memo_for_link(o.written), folder) if o.written else ""
            rows.append(row_for_review(label, o.review, link, rubric))
        else:
            rows.append(row_for_failure(label, o.error))
    html_path, csv_path, xlsx_path = folder / "summary.html", folder / "summary.csv", folder / "summary.xlsx"
    write_atomic(csv_path, summary_csv(rows))
    grade_order = [g.name for g in sorted(rubric.grades, key=lambda g: -g.min)]
    write_atomic(html_path, summary_html(rows, spec.templates, title=str(folder), grade_order=grade_order))
    write_atomic(xlsx_path, summary_xlsx(rows))
    return [str(html_path), str(csv_path), str(xlsx_path)]


def _memo_for_link(written: list[str]) -> str:
    # The HTML memo opens in the same browser as the summary; otherwise whatever was written.
    for suffix in (".review.html", ".review.md", ".review.json", ".review.docx"):
        for w in written:
            if w.endswith(suffix):
                return w
    return written[0]
