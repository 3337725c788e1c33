"""Provider batch jobs: every row's question of a whole batch as one OpenAI batch file, at the
batch price (OpenAI, DashScope 百炼 and others take the same /v1/files + /v1/batches calls).

    run 1   reviews: each row not in the cache becomes a request line in the run folder's spool
            (the judge, config.batch_plan) and the row reads 未完成: 已提交批处理任务
            → one JSONL file (custom_id = the cache key) → files.create → batches.create
            → the job id in the manifest (reviewer.manifest, table jobs); memos say what is pending
    run 2…  (any later process) batches.retrieve each open job, with backoff up to --llm-batch-wait;
            a job that ended (completed, expired with part of its lines done, failed, cancelled):
            its output and error files are downloaded, each answer parsed and checked like a live
            one (schema, every numbered clause answered) and put in the cache; what did not come
            back usable is asked live by the reviews redone now (or, if that fails too, 未完成)
            → the reviews with pending rows are redone from the cache: quotes verified as usual

Nothing here has to stay alive between runs: the job is a row of the manifest.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reviewer.errors import ConfigError
from reviewer.llm.config import LOCAL_PLACEHOLDER_KEY, PRESETS, LLMConfig

log = logging.getLogger("reviewer.llm")

QUEUED = "已提交批处理任务，等待结果"  # a row's status note while its question is in a job
ENDPOINT = "/v1/chat/completions"
WINDOW = "24h"
OPEN = ("validating", "in_progress", "finalizing", "cancelling", "submitted")
ENDED = ("completed", "expired", "failed", "cancelled")
POLL_FIRST = 5.0  # seconds before the second look at a running job; ×1.5 each time, ≤ POLL_MAX
POLL_MAX = 120.0


def unsupported(config: LLMConfig) -> str | None:
    """None when the endpoint may take batch jobs; else the one line saying why not."""
    preset = PRESETS.get(config.provider)
    if preset is not None and not preset.batch_jobs:
        return (f"模型服务 {preset.name} 不接受批处理任务（/v1/batches）：请去掉 --llm-batch 逐行调用，"
                f"或换用支持批处理的服务（{', '.join(p.name for p in PRESETS.values() if p.batch_jobs)}）")
    if not config.usable:
        return f"--llm-batch 需要可用的大模型服务：{config.not_usable_note}"
    return None


# --- the judge's side: divert the rows that would be asked -----------------------------------------


@dataclass(frozen=True)
class Plan:
    spool: Path  # where request lines are written
    running: frozenset[str]  # keys in a job still running: queued, not asked again
    live: frozenset[str]  # keys a finished job did not answer usably: asked live


@lru_cache(maxsize=4)
def _read_plan(path: str, stamp: float) -> Plan:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Plan(Path(data["spool"]), frozenset(data["running"]), frozenset(data["live"]))


def plan_for(config: LLMConfig) -> Plan | None:
    if not config.batch_plan:
        return None
    return _read_plan(config.batch_plan, os.stat(config.batch_plan).st_mtime_ns)


def write_plan(folder: Path, spool: Path, running: set[str], live: set[str]) -> Path:
    path = folder / "llm-batch-plan.json"
    tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps({"spool": str(spool), "running": sorted(running), "live": sorted(live)}), encoding="utf-8")
    os.replace(tmp, path)
    return path


def request_body(config: LLMConfig, mode_name: str, messages: list[dict], quote_choices=()) -> dict:
    """The chat-completions body a live call would send in this output mode (client._send)."""
    from reviewer.llm.client import MODES

    body: dict = {"model": config.model, "messages": messages, "temperature": config.temperature,
                  "max_tokens": config.max_tokens}
    mode = MODES[mode_name]
    if mode.response_format is not None:
        body["response_format"] = mode.response_format(quote_choices)
    body.update(config.extra_body)  # what the SDK's extra_body merges into a live request
    return body


def batch_mode(config: LLMConfig, remembered: str | None) -> str:
    """The output mode a batch request is sent in: the one this endpoint last accepted, else the
    first the settings allow (a refusal comes back as an error line and is asked live)."""
    from reviewer.llm.client import MODE_ORDER, MODES

    allowed = [m for m in MODE_ORDER if not config.modes or m in config.modes]
    if remembered in MODES and remembered in allowed:
        return remembered
    return allowed[0] if allowed else "prompt"


def spool(plan: Plan, lines: list[dict]) -> None:
    """Write one review's request lines (atomically: a kill leaves no half file)."""
    if not lines:
        return
    plan.spool.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    tmp = plan.spool / f".{name}.tmp"
    tmp.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    os.replace(tmp, plan.spool / f"{name}.jsonl")


# --- the batch's side: submit, poll, collect --------------------------------------------------------


def _client(config: LLMConfig):
    import openai

    return openai.OpenAI(api_key=config.api_key or LOCAL_PLACEHOLDER_KEY, base_url=config.request_base_url or config.base_url,
                         max_retries=2, timeout=config.timeout, http_client=config.http_client)


def _job_dir(folder: Path) -> Path:
    d = folder / "jobs"
    d.mkdir(parents=True, exist_ok=True)
    return d


def submit(manifest, config: LLMConfig, spool_dir: Path) -> tuple[str, int] | None:
    """Every spooled request not already in a running job, as one job; (job id, requests) or None."""
    files = sorted(spool_dir.glob("*.jsonl")) if spool_dir.is_dir() else []
    running = set()
    for job in manifest.jobs(OPEN):
        running |= set(_meta(job).get("keys", {}))
    lines: dict[str, dict] = {}
    for f in files:
        for raw in f.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                item = json.loads(raw)
                if item["request"]["custom_id"] not in running:
                    lines.setdefault(item["request"]["custom_id"], item)
    if not lines:
        for f in files:
            f.unlink(missing_ok=True)
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    jobs = _job_dir(manifest.folder)
    path = jobs / f"{stamp}-{uuid.uuid4().hex[:6]}.jsonl"
    path.write_text("".join(json.dumps(i["request"], ensure_ascii=False) + "\n" for i in lines.values()), encoding="utf-8")
    meta = {"keys": {k: {"mode": i["mode"], "clauses": i["clauses"]} for k, i in lines.items()}}
    client = _client(config)
    try:
        with path.open("rb") as fh:
            uploaded = client.files.create(file=(path.name, fh), purpose="batch")
        job = client.batches.create(input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window=WINDOW)
    except Exception as exc:
        raise ConfigError(f"无法提交批处理任务（{config.base_url}）：{type(exc).__name__}: {str(exc)[:200]}") from exc
    meta_path = path.with_suffix(".meta.json")
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    with manifest.db:
        manifest.put_job(job.id, config.provider, config.base_url, str(path), job.status or "validating", len(lines),
                         detail=json.dumps({"meta": str(meta_path), "input_file_id": uploaded.id}))
    for f in files:
        f.unlink(missing_ok=True)
    log.info("batch job %s submitted: %d requests", job.id, len(lines))
    return job.id, len(lines)


def _meta(job: dict) -> dict:
    try:
        detail = json.loads(job.get("detail") or "{}")
        return json.loads(Path(detail["meta"]).read_text(encoding="utf-8"))
    except (OSError, KeyError, ValueError):
        return {}


@dataclass
class PollResult:
    running: set[str] = field(default_factory=set)  # keys in jobs still running
    live: set[str] = field(default_factory=set)  # keys of ended jobs without a usable answer
    answered: int = 0  # answers put in the cache by this poll
    jobs_running: list[str] = field(default_factory=list)
    jobs_ended: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what to tell the user


def poll(manifest, config: LLMConfig, wait: float = 0.0, sleep=time.sleep) -> PollResult:
    """Look at every open job (batches.retrieve), again with backoff while any runs and `wait`
    seconds have not passed; collect the jobs that ended."""
    result = PollResult()
    open_jobs = manifest.jobs(OPEN)
    for job in manifest.jobs(("collected",)):
        result.live |= set(json.loads(job.get("detail") or "{}").get("unanswered", []))
    if not open_jobs:
        return result
    client = _client(config)
    deadline = time.monotonic() + max(0.0, wait)
    interval = float(os.environ.get("REVIEWER_BATCH_POLL", POLL_FIRST))
    while True:
        still = []
        for job in open_jobs:
            try:
                found = client.batches.retrieve(job["id"])
            except Exception as exc:  # the provider is unreachable: the job is kept for next time
                result.lines.append(f"批处理任务 {job['id']} 暂时无法查询：{type(exc).__name__}: {str(exc)[:160]}")
                still.append(job)
                continue
            if found.status in ENDED:
                _collect(manifest, config, client, job, found, result)
            else:
                with manifest.db:
                    manifest.put_job(job["id"], job["provider"], job["base_url"], job["input_file"], found.status, job["requests"], job["detail"])
                still.append(job)
        open_jobs = still
        if not open_jobs or time.monotonic() + interval > deadline:
            break
        sleep(interval)
        interval = min(POLL_MAX, interval * 1.5)
    for job in open_jobs:
        keys = set(_meta(job).get("keys", {}))
        result.running |= keys
        result.jobs_running.append(job["id"])
        result.lines.append(f"批处理任务 {job['id']} 仍在进行（{len(keys)} 个请求）；稍后用同一命令再次运行以取回结果")
    return result


def _lines(client, file_id: str | None) -> list[dict]:
    if not file_id:
        return []
    content = client.files.content(file_id)
    text = content.text if hasattr(content, "text") else content.read().decode("utf-8")
    out = []
    for raw in text.splitlines():
        if raw.strip():
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue
    return out


def _collect(manifest, config: LLMConfig, client, job: dict, found, result: PollResult) -> None:
    from reviewer.llm.cache import Cache
    from reviewer.llm.prompts import prompt_version
    from reviewer.llm.schema import parse_judgement, strip_reasoning

    meta = _meta(job).get("keys", {})
    cache = Cache(config.cache_path)
    answered: set[str] = set()
    problems = 0
    for line in _lines(client, getattr(found, "output_file_id", None)):
        key = line.get("custom_id")
        response = line.get("response") or {}
        if key not in meta or response.get("status_code") != 200 or line.get("error"):
            problems += 1
            continue
        body = response.get("body") or {}
        try:
            message = body["choices"][0]["message"]
            judgement = parse_judgement(strip_reasoning(message.get("content") or ""))
        except Exception:  # invalid like a live answer that fails validation: asked live
            problems += 1
            continue
        ids = {c.id for c in judgement.clauses}
        if any(i not in ids for i in range(1, meta[key]["clauses"] + 1)):
            problems += 1  # a clause left out: a live call re-asks for it
            continue
        usage = body.get("usage") or {}
        cache.put(key, base_url=config.base_url, model=config.model, prompt_version=prompt_version(), mode=meta[key]["mode"],
                  answer=judgement.model_dump_json(), prompt_tokens=int(usage.get("prompt_tokens") or 0),
                  completion_tokens=int(usage.get("completion_tokens") or 0))
        answered.add(key)
    errors = _lines(client, getattr(found, "error_file_id", None))
    unanswered = sorted(set(meta) - answered)
    result.answered += len(answered)
    result.live |= set(unanswered)
    result.jobs_ended.append(job["id"])
    result.lines.append(
        f"批处理任务 {job['id']} 已结束（{found.status}）：{len(answered)} 个回答已取回，"
        f"{len(unanswered)} 个未取回或不可用（错误行 {len(errors)}，无效回答 {problems}），将逐行重新询问"
        if unanswered else f"批处理任务 {job['id']} 已结束（{found.status}）：{len(answered)} 个回答已取回")
    with manifest.db:
        manifest.put_job(job["id"], job["provider"], job["base_url"], job["input_file"], "collected", job["requests"],
                         json.dumps({**json.loads(job.get("detail") or "{}"), "status": found.status,
                                     "answered": len(answered), "unanswered": unanswered}))
