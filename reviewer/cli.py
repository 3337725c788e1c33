"""The `review` command: arguments in, pipeline, writers out. Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from reviewer.errors import ConfigError, ReviewerError, one_line
from reviewer.findings import SEVERITY_RANK


class _DefaultToRun(TyperGroup):
    """`review report.docx` means `review run report.docx`."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultToRun,
    add_completion=False,
    no_args_is_help=True,
    help=(
        "Review 部门整体支出绩效自评报告 (.docx; .doc via LibreOffice) and write a feedback memo.\n\n"
        "`review FILE` is short for `review run FILE`."
    ),
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _fail(err: Exception) -> typer.Exit:
    typer.echo(f"review: 错误: {one_line(err)}", err=True)
    return typer.Exit(2)


FAIL_ON = ("error", "warning", "info", "none")


class _RichProgress:
    """The batch progress bar, on stderr; silent when stderr is not a terminal (CI logs)."""

    def __init__(self, console):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, disable=not console.is_terminal, transient=True,
        )

    def phase(self, label: str, total: int):
        task = self.bar.add_task(label, total=total)
        return lambda: self.bar.advance(task)


def _exit_code(failed: bool, worst_rank: int, fail_on: str) -> int:
    from reviewer.findings import SEVERITY_RANK

    if failed:
        return 2
    if fail_on != "none" and worst_rank >= SEVERITY_RANK[fail_on]:
        return 1
    return 0


def _is_batch(paths: list[Path]) -> bool:
    return len(paths) > 1 or any(p.is_dir() for p in paths)


@app.command()
def run(
    paths: Annotated[list[Path], typer.Argument(help="Report file(s) (.docx or .doc), or folder(s) of them.", show_default=False)],
    output: Annotated[
        Optional[str],
        typer.Option("-o", "--output", help="Memo file (one input, one format) or folder; '-' prints md/html/json to stdout. Default: next to each input."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Memo format(s), comma-separated: md, html, json (the reviewer's memo), docx (the report with Word comments), letter (the 反馈函 for the department, .docx).")] = "md",
    templates: Annotated[Optional[Path], typer.Option("--templates", help="Folder of templates overriding the bundled ones (memo.md.j2, memo.html.j2, memo.css, wording.yaml, summary.html.j2).")] = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="Exit 1 when a finding has at least this severity: error, warning, info, none.")] = "none",
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Reports reviewed in parallel in a batch (default: min(4, CPUs)).")] = None,
    rubric: Annotated[Optional[Path], typer.Option("--rubric", help="Rubric file (default: the bundled Hunan rubric).")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Do not call the LLM judge even if an endpoint is configured.")] = False,
    model: Annotated[Optional[str], typer.Option("--model", help="LLM model name (default: $REVIEWER_MODEL).")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL).")] = None,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="Send names and phone numbers to the LLM unmasked.")] = False,
    author: Annotated[str, typer.Option("--author", help="Author of the Word comments in the annotated .docx.")] = "绩效审核",
    unit: Annotated[Optional[str], typer.Option("--unit", help="审核单位 signing the 反馈函 (default: 绩效审核组).")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Date of the 反馈函, YYYY-MM-DD or as written (default: today).")] = None,
    cassette: Annotated[Optional[Path], typer.Option("--cassette", help="Record the LLM exchanges to this file, or replay them from it (keys filtered).")] = None,
    record: Annotated[str, typer.Option("--record", help="With --cassette: once (record if the file is new, else replay), none (replay only, network off), new_episodes, all (re-record).")] = "once",
) -> None:
    """Review report(s) and write the memo(s).

    Several files or a folder make a batch: a summary.html and summary.csv are written too, and
    completions copied between departments' reports are flagged.
    Exit 0 reviewed; 1 findings at or above --fail-on; 2 an input could not be reviewed.
    """
    from reviewer.memo import OutputSpec, check_spec, parse_formats
    from reviewer.pipeline import Options, rubric_for

    if fail_on not in FAIL_ON:
        raise _fail(ConfigError(f"--fail-on 取值应为 {', '.join(FAIL_ON)}，而不是 {fail_on!r}"))
    try:
        spec = OutputSpec(formats=parse_formats(fmt), output=output, templates=templates, author=author, unit=unit, date=date)
        check_spec(spec)
    except ReviewerError as err:
        raise _fail(err) from None
    options = Options(rubric_path=rubric, llm_enabled=not no_llm, model=model, base_url=base_url, redact=not no_redact)
    try:
        rubric_for(options)  # a broken rubric stops the run before any report is read
    except ReviewerError as err:
        raise _fail(err) from None

    if cassette is not None:
        jobs = 1  # the recorder lives in this process: no worker processes
    with _maybe_cassette(cassette, record):
        code = _run(paths, options, spec, jobs, fail_on)
    raise typer.Exit(code)


def _maybe_cassette(path: Path | None, record: str):
    from contextlib import nullcontext

    if path is None:
        return nullcontext()
    from reviewer.llm.cassette import use_cassette

    class _Guard:
        def __enter__(self):
            try:
                self.inner = use_cassette(path, record)
                return self.inner.__enter__()
            except ReviewerError as err:
                raise _fail(err) from None

        def __exit__(self, *exc):
            try:
                return self.inner.__exit__(*exc)
            except ReviewerError as err:
                raise _fail(err) from None

    return _Guard()


def _run(paths: list[Path], options, spec, jobs: int | None, fail_on: str) -> int:
    from rich.console import Console

    from reviewer.batch import run_batch
    from reviewer.memo import write_outputs
    from reviewer.pipeline import review_file

    if not _is_batch(paths):
        path = paths[0]
        try:
            review = review_file(path, options)
            for written in write_outputs(review, path, spec, on_skip=lambda line: typer.echo(line, err=True)):
                if written != "-":
                    typer.echo(f"{one_line(path)}: 已写出 {one_line(written)}", err=True)
        except ReviewerError as err:
            raise _fail(err) from None
        ranks = [SEVERITY_RANK[f.severity] for f in review.findings]
        return _exit_code(False, max(ranks, default=-1), fail_on)

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    progress = _RichProgress(console)

    def on_error(line: str) -> None:
        console.print(f"review: 错误: {one_line(line)}", markup=False)

    with progress.bar:
        result = run_batch(
            paths, options, spec, jobs=jobs, progress=progress, on_error=on_error,
            on_skip=lambda line: console.print(line, markup=False),
        )
    reviewed = sum(1 for o in result.outcomes if not o.error)
    where = f"；汇总：{result.summary_files[0]}" if result.summary_files else ""
    console.print(f"review: 已审核 {reviewed} / {len(result.outcomes)} 份{where}", markup=False)
    return _exit_code(bool(result.failed), result.worst_rank(), fail_on)


@app.command()
def extract(path: Annotated[Path, typer.Argument(help="Report file (.docx or .doc).")]) -> None:
    """Print the report as read from the form, as JSON (what the checks will see)."""
    from reviewer.ingest import load_report

    try:
        report = load_report(path)
    except ReviewerError as err:
        raise _fail(err) from None
    sys.stdout.write(report.model_dump_json(indent=2) + "\n")


@app.command()
def schema(
    of: Annotated[str, typer.Option("--of", help="review: the `--format json` memo; eval: `review eval --format json`.")] = "review",
) -> None:
    """Print the JSON Schema of `review --format json` output (or, with --of eval, of `review eval --format json`)."""
    if of == "eval":
        from reviewer.evaluation import EvalResult as model
    elif of == "review":
        from reviewer.review import Review as model
    else:
        raise _fail(ConfigError(f"--of 取值应为 review 或 eval，而不是 {of!r}"))
    sys.stdout.write(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2) + "\n")


@app.command("eval")
def eval_(
    folder: Annotated[Path, typer.Argument(help="Folder of reports, each with <name>.gold.json beside it (format: examples/corpus/README.md).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table (default) or json (schema: `review schema --of eval`).")] = "table",
    min_recall: Annotated[Optional[float], typer.Option("--min-recall", help="Exit 1 when the share of expected findings caught is below this (0–1).")] = None,
    max_false_alarms: Annotated[Optional[int], typer.Option("--max-false-alarms", help="Exit 1 when there are more false alarms (warning/error findings gold neither expects nor accepts).")] = None,
    max_must_not: Annotated[Optional[int], typer.Option("--max-must-not", help="Exit 1 when more `must_not` entries are violated.")] = None,
    rubric: Annotated[Optional[Path], typer.Option("--rubric", help="Rubric file (default: the bundled Hunan rubric).")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Do not call the LLM judge even if an endpoint is configured.")] = False,
    model: Annotated[Optional[str], typer.Option("--model", help="LLM model name (default: $REVIEWER_MODEL).")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL).")] = None,
    cassette: Annotated[Optional[Path], typer.Option("--cassette", help="Record the LLM exchanges of the whole run to this file, or replay them from it.")] = None,
    record: Annotated[str, typer.Option("--record", help="With --cassette: once, none (replay only), new_episodes, all.")] = "once",
) -> None:
    """Measure accuracy: review every report in FOLDER that has a gold annotation and score the findings.

    Prints, per report and in total: expected findings caught, `must_not` entries violated, false
    alarms (listed, so a person can label them), target verdicts and score statuses agreeing with
    gold. Exit 0; 1 when a threshold given is missed; 2 when the folder or a gold file is unusable.
    """
    from rich.console import Console

    from reviewer.evaluation import evaluate, render_table
    from reviewer.pipeline import Options, rubric_for

    if fmt not in ("table", "json"):
        raise _fail(ConfigError(f"--format 取值应为 table 或 json，而不是 {fmt!r}"))
    options = Options(rubric_path=rubric, llm_enabled=not no_llm, model=model, base_url=base_url)
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    progress = _RichProgress(console)
    try:
        rubric_for(options)
        from reviewer.evaluation.run import find_pairs

        total = len(find_pairs(folder))
        with _maybe_cassette(cassette, record), progress.bar:
            result = evaluate(folder, options, tick=progress.phase("审核", total))
    except ReviewerError as err:
        raise _fail(err) from None
    if fmt == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(render_table(result))
    t = result.totals
    missed = []
    if min_recall is not None and (t.recall if t.recall is not None else 1.0) < min_recall:
        missed.append(f"召回率 {t.recall:.2%} 低于 --min-recall {min_recall:.2%}")
    if max_false_alarms is not None and t.false_alarms > max_false_alarms:
        missed.append(f"误报 {t.false_alarms} 条，超过 --max-false-alarms {max_false_alarms}")
    if max_must_not is not None and t.must_not_violated > max_must_not:
        missed.append(f"违反 must_not {t.must_not_violated} 条，超过 --max-must-not {max_must_not}")
    for line in missed:
        typer.echo(f"review eval: 未达标: {line}", err=True)
    raise typer.Exit(1 if missed else 0)


@app.command()
def codes() -> None:
    """List the finding codes (a public contract: filter on them in CI)."""
    from reviewer.findings import CODES

    for code, meaning in CODES.items():
        typer.echo(f"{code:36} {meaning}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
