"""The `review` command: arguments in, pipeline, writers out. Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from reviewer.errors import ReviewerError


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
    typer.echo(f"review: 错误: {err}", err=True)
    return typer.Exit(2)


@app.command()
def run(
    paths: Annotated[list[Path], typer.Argument(help="Report file(s) (.docx or .doc).", show_default=False)],
    output: Annotated[
        Optional[str],
        typer.Option("-o", "--output", help="Memo path (one input) or folder; '-' prints to stdout. Default: next to the input."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Memo format(s), comma-separated: md, json.")] = "md",
    rubric: Annotated[Optional[Path], typer.Option("--rubric", help="Rubric file (default: the bundled Hunan rubric).")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Do not call the LLM judge even if an endpoint is configured.")] = False,
    model: Annotated[Optional[str], typer.Option("--model", help="LLM model name (default: $REVIEWER_MODEL).")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL).")] = None,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="Send names and phone numbers to the LLM unmasked.")] = False,
) -> None:
    """Review report(s) and write the memo(s). Exit 0 reviewed, 2 input could not be reviewed."""
    from reviewer.memo import write_outputs
    from reviewer.pipeline import Options, review_file

    options = Options(rubric_path=rubric, llm_enabled=not no_llm, model=model, base_url=base_url, redact=not no_redact)
    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    failed = False
    for path in paths:
        try:
            review = review_file(path, options)
            for written in write_outputs(review, path, formats, output, multiple=len(paths) > 1):
                if written != "-":
                    typer.echo(f"{path}: 已写出 {written}", err=True)
        except ReviewerError as err:
            typer.echo(f"review: 错误: {err}", err=True)
            failed = True
    raise typer.Exit(2 if failed else 0)


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
def schema() -> None:
    """Print the JSON Schema of `review --format json` output."""
    from reviewer.review import Review

    sys.stdout.write(json.dumps(Review.model_json_schema(), ensure_ascii=False, indent=2) + "\n")


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
