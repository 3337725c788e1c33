"""The `review` command: arguments in, pipeline, writers out. Nothing else lives here.

Help texts are Chinese like everything else the tool says; option names stay ASCII. Heavy modules
(rich, the pipeline, the openai SDK) load inside the commands, so `review --help` stays fast.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Optional

# pydantic looks for plugins by scanning every installed distribution's metadata when the first
# model is built (~25–50 ms, more in a big environment); the review command uses none. A value the
# user set is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer  # noqa: E402
from typer.core import TyperCommand, TyperGroup  # noqa: E402

from reviewer import __version__  # noqa: E402
from reviewer.errors import ConfigError, InputError, ReviewerError, one_line  # noqa: E402


# click writes its own headings in English; help is shown in the user's language.
_HELP_WORDS = (
    ("Usage:", "用法："),
    ("Options:", "选项："),
    ("Commands:", "命令："),
    ("Arguments:", "参数："),
    ("Show this message and exit.", "显示本帮助后退出。"),
    ("[default: ", "[默认："),
    ("[required]", "[必填]"),
    ("[x>=1]", "[≥1]"),
    (" <list[Path]>", ""),
    (" <path>", ""),
    ("<str>", "<文本>"),
)


def _chinese(text: str) -> str:
    for en, zh in _HELP_WORDS:
        text = text.replace(en, zh)
    return text


class _Command(TyperCommand):
    def get_help(self, ctx) -> str:
        return _chinese(super().get_help(ctx))


class _Group(TyperGroup):
    def get_help(self, ctx) -> str:
        return _chinese(super().get_help(ctx))


class _DefaultToRun(_Group):
    """`review report.docx` means `review run report.docx`."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version", "-V"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultToRun,
    add_completion=False,
    no_args_is_help=True,
    help=(
        "审核部门整体支出绩效自评报告（.docx；.doc 经 LibreOffice 转换；带文字层的 PDF），写出审核意见。\n\n"
        "`review 文件` 即 `review run 文件`。"
    ),
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]…",
    rich_markup_mode=None,  # plain click help: wraps instead of cutting lines, and loads no rich
    pretty_exceptions_enable=False,
)
decisions_app = typer.Typer(
    cls=_Group,
    rich_markup_mode=None,
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]…",
    help="审核人员对每条问题的决定（采纳 / 不采纳 / 待定），可在 Excel 中编辑，重新审核时沿用。",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(decisions_app, name="decisions")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"review {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", "-V", callback=_show_version, is_eager=True, help="显示版本号后退出。"),
    ] = None,
) -> None:
    """审核部门整体支出绩效自评报告（.docx；.doc 经 LibreOffice 转换；带文字层的 PDF），写出审核意见。

    `review 文件` 即 `review run 文件`。退出码：0 已审核；1 有问题达到 --fail-on 的级别；2 有文件无法审核或选项有误。
    """


def _fail(err: Exception) -> typer.Exit:
    typer.echo(f"review: 错误: {one_line(err)}", err=True)
    return typer.Exit(2)


FAIL_ON = ("error", "warning", "info", "none")
STDIN = "-"


class _RichProgress:
    """The batch progress bar, on stderr; silent when stderr is not a terminal (CI logs) or -q."""

    def __init__(self, console, quiet: bool = False):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
            console=console, disable=quiet or not console.is_terminal, transient=True,
        )

        self.console, self.quiet = console, quiet
        self.task = None
        self.every = float(os.environ.get("REVIEWER_PROGRESS_SECONDS", "60"))  # plain lines in a log
        self.last = time.monotonic()

    def phase(self, label: str, total: int):
        self.label = label
        self.task = task = self.bar.add_task(label, total=total)
        return lambda: self.bar.advance(task)

    def counts(self, counts) -> None:
        """The run's counts (reviewer.batch.RunCounts): beside the bar on a terminal; in a log
        (stderr not a terminal, say `nohup review DIR &`), one line every REVIEWER_PROGRESS_SECONDS."""
        if self.quiet:
            return
        line = counts.line()
        if self.console.is_terminal:
            if self.task is not None:
                self.bar.update(self.task, description=f"{self.label}｜{line}")
        elif time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            self.console.print(f"review: {line}", markup=False)


def _exit_code(failed: bool, worst_rank: int, fail_on: str) -> int:
    from reviewer.findings import SEVERITY_RANK

    if failed:
        return 2
    if fail_on != "none" and worst_rank >= SEVERITY_RANK[fail_on]:
        return 1
    return 0


def _check_llm_settings(options) -> None:
    from reviewer.llm import LLMConfig

    LLMConfig.from_env(model=options.model, base_url=options.base_url, enabled=options.llm_enabled,
                       provider=options.provider, settings=options.llm_settings, cache_path=None)


def _is_batch(paths: list[Path]) -> bool:
    return len(paths) > 1 or any(p.is_dir() for p in paths)


def _read_stdin(folder: Path) -> Path:
    """The report piped in, saved in `folder` under a name whose extension matches its bytes."""
    stream = sys.stdin
    if stream is None or stream.isatty():
        raise InputError(STDIN, "标准输入是终端：请用管道或重定向传入报告，如 review - < 报告.docx")
    data = stream.buffer.read()
    if not data:
        raise InputError(STDIN, "标准输入为空：没有收到报告文件")
    from reviewer.ingest import OLE_MAGIC, looks_like_pdf

    suffix = ".doc" if data.startswith(OLE_MAGIC) else ".pdf" if looks_like_pdf(data) else ".docx"
    path = folder / f"stdin{suffix}"
    path.write_bytes(data)
    return path


def _counts_line(review) -> str:
    from reviewer.findings import SEVERITY_LABEL

    counts = {s: 0 for s in SEVERITY_LABEL}
    for f in review.findings:
        counts[f.severity] += 1
    return _row_counts_line(counts)


def _row_counts_line(by_severity: dict[str, int]) -> str:
    from reviewer.findings import SEVERITY_LABEL

    counts = {s: by_severity.get(s, 0) for s in SEVERITY_LABEL}
    parts = "，".join(f"{SEVERITY_LABEL[s]} {n}" for s, n in counts.items())
    return f"{sum(counts.values())} 条问题（{parts}）"


@app.command(cls=_Command, options_metavar="[选项]")
def run(
    paths: Annotated[list[Path], typer.Argument(help="报告文件（.docx、.doc 或带文字层的 PDF），或存放报告的文件夹；“-”从标准输入读入一份报告。", show_default=False, metavar="文件…")],
    output: Annotated[
        Optional[str],
        typer.Option("-o", "--output", metavar="路径", help="输出位置：一份报告一种格式时可为文件（不给 -f 时按扩展名 .md/.html/.json/.docx/.xlsx 定格式）；以 / 结尾、已有文件夹、无扩展名或多个输出时为文件夹（自动创建）；“-”输出到标准输出（一种文本格式）。默认写在每份报告旁边。"),
    ] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", metavar="格式", help="输出格式，逗号分隔：md（默认）、html、json（审核人员用的审核意见）、xlsx（问题清单和评分表）、docx（带批注的报告）、letter（给部门的反馈函，.docx）。批量审核总会同时写 html，供汇总页链接。")] = None,
    templates: Annotated[Optional[Path], typer.Option("--templates", metavar="文件夹", help="覆盖内置模板的文件夹（memo.md.j2、memo.html.j2、memo.css、wording.yaml、summary.html.j2）。")] = None,
    fail_on: Annotated[str, typer.Option("--fail-on", metavar="级别", help="有问题达到此级别时退出码为 1：error、warning、info、none。")] = "none",
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N", help="批量审核时并行审核的份数（默认 min(4, CPU 数)）。")] = None,
    rubric: Annotated[Optional[Path], typer.Option("--rubric", metavar="文件", help="评分规则文件（默认：内置的湖南省规则）。")] = None,
    decisions: Annotated[Optional[Path], typer.Option("--decisions", metavar="文件", help="审核决定文件（默认：报告旁的 <报告名>.review.decisions.csv，有则读取）。")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="只输出错误。")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="逐份报告显示问题条数、大模型情况和用时。")] = False,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="不调用大模型，即使已配置服务地址。")] = False,
    model: Annotated[Optional[str], typer.Option("--model", metavar="名称", help="大模型名称（默认：$REVIEWER_MODEL，或预设的模型）。")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", metavar="地址", help="兼容 OpenAI 接口的服务地址（默认：$OPENAI_BASE_URL，或预设的地址）。")] = None,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="发给大模型的文字不遮盖姓名和电话号码。")] = False,
    author: Annotated[str, typer.Option("--author", metavar="署名", help="带批注报告（docx）中批注的作者。")] = "绩效审核",
    unit: Annotated[Optional[str], typer.Option("--unit", metavar="单位", help="反馈函落款的审核单位（默认：绩效审核组）。")] = None,
    date: Annotated[Optional[str], typer.Option("--date", metavar="日期", help="反馈函的日期，YYYY-MM-DD 或照写（默认：今天）。")] = None,
    cassette: Annotated[Optional[Path], typer.Option("--cassette", metavar="文件", help="把本次与大模型的往来录制到此文件（不含密钥），或从此文件回放。")] = None,
    record: Annotated[str, typer.Option("--record", metavar="方式", help="配合 --cassette：once（文件不存在则录制，存在则回放）、none（只回放，不联网）、new_episodes（补录新请求）、all（重新录制）。")] = "once",
    provider: Annotated[Optional[str], typer.Option("--provider", metavar="预设", help="大模型服务预设：deepseek、dashscope、ollama、vllm、openai、llamacpp（定服务地址、默认模型、输出模式和附加参数；默认：$REVIEWER_PROVIDER）。")] = None,
    timeout: Annotated[Optional[float], typer.Option("--timeout", metavar="秒", help="一次大模型请求最多用时（整个请求，默认 120）。")] = None,
    deadline: Annotated[Optional[float], typer.Option("--deadline", metavar="秒", help="一份报告的全部大模型调用最多用时（默认 600）；到时未完成的行标为未完成。")] = None,
    llm_concurrency: Annotated[Optional[int], typer.Option("--llm-concurrency", metavar="N", help="每份报告同时进行的大模型请求数（默认 4）。")] = None,
    max_tokens: Annotated[Optional[int], typer.Option("--max-tokens", metavar="N", help="每次回答的长度上限（默认 1024，deepseek 预设 4096）；回答被截断时以至少 4 倍的上限重问一次。")] = None,
    temperature: Annotated[Optional[float], typer.Option("--temperature", metavar="T", help="大模型采样温度（默认 0）。")] = None,
    extra_body: Annotated[Optional[str], typer.Option("--extra-body", metavar="JSON", help='并入每个大模型请求体的 JSON 对象，如 \'{"enable_thinking": false}\'。')] = None,
    llm_batch: Annotated[bool, typer.Option("--llm-batch", help="批量审核时把全部大模型请求作为一个批处理任务提交（OpenAI、百炼等的批处理接口，约半价）；再次运行同一命令时取回结果并写完审核意见。")] = False,
    llm_batch_wait: Annotated[float, typer.Option("--llm-batch-wait", metavar="秒", help="配合 --llm-batch：等待进行中的批处理任务结束最多多少秒（默认 0：查询一次即继续）。")] = 0.0,
    fresh: Annotated[bool, typer.Option("--fresh", help="批量审核时从头审核，不沿用上次运行已完成的结果（运行记录保存在汇总文件夹中的隐藏文件夹里）。")] = False,
    quote_choices: Annotated[Optional[bool], typer.Option("--quote-choices/--free-quotes", help="--quote-choices：模型的引文只能取自完成情况的原句片段（服务器按输出格式约束采样时有效，适合小模型；llamacpp 预设默认开启）；--free-quotes：不限定。")] = None,
) -> None:
    """审核报告并写出审核意见。

    多个文件或一个文件夹为批量审核：另在 -o 文件夹（未给 -o 时为当前文件夹）写出 summary.html、
    summary.csv 和 summary.xlsx，并标出不同部门报告之间雷同的完成情况、内容完全相同的文件。

    退出码：0 已审核；1 有问题达到 --fail-on 的级别；2 有文件无法审核或选项有误。
    """
    from reviewer.memo import build_spec
    from reviewer.pipeline import Options, rubric_for

    if fail_on not in FAIL_ON:
        raise _fail(ConfigError(f"--fail-on 取值应为 {', '.join(FAIL_ON)}，而不是 {fail_on!r}"))
    paths = list(dict.fromkeys(paths))  # `review a.docx a.docx` is one review, not a batch
    from_stdin = any(str(p) == STDIN for p in paths)
    batch = _is_batch(paths)
    try:
        if from_stdin and len(paths) > 1:
            raise ConfigError("“-”（标准输入）只能单独使用，不能与其他文件一起审核")
        if llm_batch and not batch:
            raise ConfigError("--llm-batch 只用于批量审核（多个文件或一个文件夹）")
        if batch and decisions is not None:
            raise ConfigError("--decisions 只能用于一份报告；批量审核时自动读取每份报告旁的 .review.decisions.csv")
        if from_stdin and output is None:
            output = "-"  # nowhere "next to the input": the memo goes where the report came from
        spec = build_spec(fmt, output, templates, batch=batch, inputs=[] if from_stdin else paths)
        spec.author, spec.unit, spec.date = author, unit, date
    except ReviewerError as err:
        raise _fail(err) from None
    options = Options(
        rubric_path=rubric, llm_enabled=not no_llm, model=model, base_url=base_url, redact=not no_redact,
        provider=provider,
        llm_settings={"timeout": timeout, "deadline": deadline, "concurrency": llm_concurrency,
                      "max_tokens": max_tokens, "temperature": temperature, "extra_body": extra_body,
                      "quote_choices": quote_choices},
    )
    try:
        rubric_for(options)  # a broken rubric stops the run before any report is read
        _check_llm_settings(options)  # so do bad LLM settings (options, environment, config file)
    except ReviewerError as err:
        raise _fail(err) from None

    if cassette is not None:
        jobs = 1  # the recorder lives in this process: no worker processes
    with _maybe_cassette(cassette, record):
        if not batch:
            with tempfile.TemporaryDirectory(prefix="reviewer-stdin-") as tmp:
                path = _read_stdin_or_fail(Path(tmp)) if from_stdin else paths[0]
                code = _run_one(path, options, spec, decisions, fail_on, quiet, verbose, from_stdin=from_stdin)
        else:
            code = _run_many(paths, options, spec, jobs, fail_on, quiet, verbose, fresh=fresh,
                             llm_batch=llm_batch, llm_wait=llm_batch_wait)
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


def _read_stdin_or_fail(folder: Path) -> Path:
    try:
        return _read_stdin(folder)
    except ReviewerError as err:
        raise _fail(err) from None


def _run_one(
    path: Path, options, spec, decisions: Path | None, fail_on: str, quiet: bool, verbose: bool, from_stdin: bool = False
) -> int:
    from reviewer.decisions import with_decisions
    from reviewer.findings import SEVERITY_RANK
    from reviewer.memo import write_outputs
    from reviewer.pipeline import review_file

    label = STDIN if from_stdin else one_line(path)
    started = time.perf_counter()
    try:
        if "docx" in spec.formats and len(spec.formats) == 1:
            from reviewer.ingest import is_pdf
            from reviewer.memo import PDF_NO_DOCX

            if is_pdf(path):  # nothing to annotate: refused before the review runs
                raise InputError(path, PDF_NO_DOCX)
        review = review_file(path, options)
        if decisions is not None or not from_stdin:  # a piped report has no file beside it
            review = with_decisions(review, path, decisions)
        written = write_outputs(review, path, spec, on_skip=lambda line: typer.echo(line, err=True))
    except ReviewerError as err:
        raise _fail(err) from None
    if not quiet:
        for w in written:
            if w != "-":
                typer.echo(f"{label}: 已写出 {one_line(w)}", err=True)
    if verbose:
        d = review.decisions
        extra = f"；决定文件 {one_line(d.source)}（新增 {len(d.new)} 条，已解决 {len(d.resolved)} 条）" if d else ""
        typer.echo(f"{label}: {_counts_line(review)}；大模型：{review.llm.note if not review.llm.ran else review.llm.model}{extra}；用时 {time.perf_counter() - started:.2f} 秒", err=True)
    if review.llm.interrupted:  # Ctrl-C during the LLM calls: what was done is written, then stop
        typer.echo(f"{label}: LLM 调用被中断，已写出已完成的部分", err=True)
        return 130
    ranks = [SEVERITY_RANK[f.severity] for f in review.findings]
    return _exit_code(False, max(ranks, default=-1), fail_on)


def _run_many(paths: list[Path], options, spec, jobs: int | None, fail_on: str, quiet: bool, verbose: bool,
              fresh: bool = False, llm_batch: bool = False, llm_wait: float = 0.0) -> int:
    from rich.console import Console

    from reviewer.batch import run_batch

    # Many reports: collect cycles again (main() turned the GC off); the modules imported so far
    # stay out of every scan.
    gc.freeze()
    gc.enable()
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    progress = _RichProgress(console, quiet=quiet)

    def on_error(line: str) -> None:
        console.print(f"review: 错误: {one_line(line)}", markup=False)

    def on_note(line: str) -> None:
        if not quiet:
            console.print(f"review: {one_line(line)}", markup=False)

    try:
        with progress.bar:
            result = run_batch(
                paths, options, spec, jobs=jobs, progress=progress, on_error=on_error,
                on_skip=lambda line: console.print(line, markup=False), fresh=fresh,
                llm_batch=llm_batch, llm_wait=llm_wait, on_note=on_note,
            )
    except ReviewerError as err:  # --llm-batch refused by the provider, a job that cannot be submitted
        raise _fail(err) from None
    if verbose:
        for o in result.outcomes:
            if o.row is not None and not o.error:
                console.print(f"{one_line(o.path)}: {_row_counts_line(o.row.counts)}{'（沿用上次运行）' if o.reused else ''}", markup=False)
    if not quiet:
        reviewed = sum(1 for o in result.outcomes if not o.error)
        where = f"；汇总：{result.summary_files[0]}" if result.summary_files else ""
        reused = f"（其中沿用上次运行的 {result.counts.reused} 份）" if result.counts.reused else ""
        console.print(f"review: 已审核 {reviewed} / {len(result.outcomes)} 份{reused}{where}", markup=False)
    return _exit_code(bool(result.failed or result.summary_error), result.worst_rank(), fail_on)


@app.command(cls=_Command, options_metavar="[选项]")
def extract(path: Annotated[Path, typer.Argument(help="报告文件（.docx、.doc 或带文字层的 PDF）。", metavar="文件")]) -> None:
    """以 JSON 输出从表单中读到的报告内容（即各项检查所看到的内容）。"""
    from reviewer.ingest import load_report

    try:
        report = load_report(path)
    except ReviewerError as err:
        raise _fail(err) from None
    sys.stdout.write(report.model_dump_json(indent=2) + "\n")


@app.command(cls=_Command, options_metavar="[选项]")
def schema(
    of: Annotated[str, typer.Option("--of", metavar="对象", help="review：`--format json` 审核意见（默认）；eval：`review eval --format json` 的结果。")] = "review",
) -> None:
    """输出 `review --format json` 结果的 JSON Schema（--of eval：`review eval --format json` 的）。"""
    if of == "eval":
        from reviewer.evaluation import EvalResult as model
    elif of == "review":
        from reviewer.review import Review as model
    else:
        raise _fail(ConfigError(f"--of 取值应为 review 或 eval，而不是 {of!r}"))
    sys.stdout.write(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2) + "\n")


@app.command("eval", cls=_Command, options_metavar="[选项]")
def eval_(
    folder: Annotated[Path, typer.Argument(metavar="文件夹", help="报告文件夹，每份报告旁有 <报告名>.gold.json（格式见 examples/corpus/README.md）。")],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="格式", help="table（默认）或 json（结构见 `review schema --of eval`）。")] = "table",
    min_recall: Annotated[Optional[float], typer.Option("--min-recall", metavar="R", help="应发现的问题中发现的比例低于此值（0–1）时退出码为 1。")] = None,
    max_false_alarms: Annotated[Optional[int], typer.Option("--max-false-alarms", metavar="N", help="误报（标注既未预期也未接受的 warning/error 问题）多于此数时退出码为 1。")] = None,
    max_must_not: Annotated[Optional[int], typer.Option("--max-must-not", metavar="N", help="违反 must_not 的条数多于此数时退出码为 1。")] = None,
    rubric: Annotated[Optional[Path], typer.Option("--rubric", metavar="文件", help="评分规则文件（默认：内置的湖南省规则）。")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="不调用大模型，即使已配置服务地址。")] = False,
    model: Annotated[Optional[str], typer.Option("--model", metavar="名称", help="大模型名称（默认：$REVIEWER_MODEL，或预设的模型）。")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", metavar="地址", help="兼容 OpenAI 接口的服务地址（默认：$OPENAI_BASE_URL，或预设的地址）。")] = None,
    match: Annotated[Optional[str], typer.Option("--match", metavar="模式", help="只评测文件名与此模式相符的报告，如 'hunan-*'。")] = None,
    cassette: Annotated[Optional[Path], typer.Option("--cassette", metavar="文件", help="把整次评测与大模型的往来录制到此文件，或从此文件回放。")] = None,
    record: Annotated[str, typer.Option("--record", metavar="方式", help="配合 --cassette：once、none（只回放）、new_episodes、all。")] = "once",
) -> None:
    """衡量准确度：审核文件夹中每份有标注（gold）的报告，并与标注比对。

    逐份和合计输出：应发现的问题发现了多少、违反 must_not 的条数、误报（逐条列出，供人工标注）、
    定量目标结论和评分状态与标注一致的比例。

    退出码：0 完成；1 未达到所给阈值；2 文件夹或标注文件无法使用。
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

        total = len(find_pairs(folder, match))
        with _maybe_cassette(cassette, record), progress.bar:
            result = evaluate(folder, options, tick=progress.phase("审核", total), match=match)
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


@app.command(cls=_Command, options_metavar="[选项]")
def codes() -> None:
    """列出问题代码及其含义（代码是公开约定，可在 CI 中按代码筛选）。"""
    from reviewer.findings import CODES, code_meanings_zh

    meanings = code_meanings_zh()
    for code in CODES:
        typer.echo(f"{code:36} {meanings.get(code, CODES[code])}")


@decisions_app.command("init", cls=_Command, options_metavar="[选项]")
def decisions_init(
    path: Annotated[Path, typer.Argument(help="报告文件（.docx、.doc 或带文字层的 PDF）。", metavar="文件")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", metavar="文件", help="决定文件（默认：报告旁的 <报告名>.review.decisions.csv）。")] = None,
    rubric: Annotated[Optional[Path], typer.Option("--rubric", metavar="文件", help="评分规则文件（默认：内置的湖南省规则）。")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="不调用大模型（与之后 review 的设置保持一致，问题编号才对得上）。")] = False,
) -> None:
    """审核报告，写出决定文件（UTF-8 带 BOM 的 CSV，可直接用 Excel 打开）。

    列：编号、严重程度、指标、问题、决定（采纳 / 不采纳 / 待定）、备注。文件已存在时保留其中的决定：
    仍存在的问题沿用原决定，新问题记为“待定”，已不存在的问题保留在文件末尾。
    """
    from reviewer.decisions import decisions_csv, decisions_path, read_decisions, rows_for
    from reviewer.memo.atomic import write_atomic
    from reviewer.memo.outputs import is_protected, OutputSpec
    from reviewer.pipeline import Options, review_file

    target = output or decisions_path(path)
    try:
        if is_protected(target, path, OutputSpec(formats=[])):
            raise ConfigError(f"{one_line(target)}: 输出会覆盖输入文件，已停止")
        review = review_file(path, Options(rubric_path=rubric, llm_enabled=not no_llm))
        previous = read_decisions(target) if target.is_file() else None
        rows = rows_for(review, previous)
        write_atomic(target, decisions_csv(rows))
    except ReviewerError as err:
        raise _fail(err) from None
    except OSError as exc:
        raise _fail(ConfigError(f"{one_line(target)}: 无法写出：{exc.strerror or exc}")) from None
    kept = sum(1 for d in rows if d.decision != "待定")
    typer.echo(f"{one_line(path)}: 已写出 {one_line(target)}（{len(review.findings)} 条问题；沿用原决定 {kept} 条）", err=True)


def main() -> None:  # pragma: no cover - console entry point (tested through subprocesses)
    """The `review` command. A review process imports ~100 pydantic models and compiled patterns,
    reviews one report and exits: the cyclic GC would only re-scan those objects while importing,
    and the interpreter's teardown would only free them — together about a sixth of a --no-llm
    review's CPU time. So the GC is off (a batch turns it back on) and the process ends with
    os._exit once stdout and stderr are flushed; every file was already written and closed."""
    gc.disable()
    try:
        app()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):  # `review - | head`: the reader left
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
