"""Provider batch jobs (--llm-batch, reviewer.llm.batch_jobs) against a FAKE SERVER.

FakeBatchServer is a FAKE of the OpenAI endpoints a batch job uses — /v1/files (upload, content),
/v1/batches (create, retrieve) — and /v1/chat/completions for the rows asked live, on loopback,
driven by the real openai SDK. It is not a recording of a real provider: it answers every row with
a constructed judgement (tests/llm_seed.answer), and each test says how the job ends.
"""

from __future__ import annotations

import email.parser
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from llm_seed import answer, completion_body
from reviewer import batch
from reviewer.errors import ConfigError
from reviewer.memo import build_spec
from reviewer.pipeline import Options
from test_batch_run import OWN_DEPT, altered_copy

MODEL = "fake-model"


def _judgement() -> str:
    # one clause judgement per id the judge may number (the seed's rows have up to 8 clauses)
    return answer(*[(i, "目标", "not_evidenced", []) for i in range(1, 9)])


class FakeBatchServer:
    """FAKE SERVER. `finish(lines) -> (status, output lines, error lines)` decides how a job ends,
    from its input lines; the job reads in_progress for the first `running_polls` retrieves."""

    def __init__(self, finish=None, running_polls: int = 0):
        self.finish = finish or (lambda lines: ("completed", [_ok(l) for l in lines], []))
        self.running_polls = running_polls
        self.refuse_uploads = False
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict] = {}
        self.polls: dict[str, int] = {}
        self.chat: list[dict] = []  # live chat-completion bodies
        self.created: list[dict] = []  # batches.create bodies
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _send(self, status: int, payload, raw: bytes | None = None):
                data = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("content-type", "application/octet-stream" if raw is not None else "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("content-length") or 0))

            def do_POST(self):
                body = self._body()
                with outer.lock:
                    if self.path.endswith("/files") and outer.refuse_uploads:
                        return self._send(400, {"error": {"message": "batch files are not enabled for this key"}})
                    if self.path.endswith("/files"):
                        msg = email.parser.BytesParser().parsebytes(
                            b"content-type: " + self.headers["content-type"].encode() + b"\r\n\r\n" + body)
                        part = next(p for p in msg.get_payload() if p.get_param("name", header="content-disposition") == "file")
                        fid = f"file-{len(outer.files) + 1}"
                        outer.files[fid] = part.get_payload(decode=True)
                        return self._send(200, {"id": fid, "object": "file", "bytes": len(outer.files[fid]), "created_at": 0,
                                                "filename": part.get_filename(), "purpose": "batch", "status": "processed"})
                    if self.path.endswith("/batches"):
                        req = json.loads(body)
                        outer.created.append(req)
                        bid = f"batch_{len(outer.batches) + 1}"
                        outer.batches[bid] = {"id": bid, "object": "batch", "endpoint": req["endpoint"], "input_file_id": req["input_file_id"],
                                              "completion_window": req["completion_window"], "status": "validating", "created_at": 0}
                        return self._send(200, outer.batches[bid])
                    if self.path.endswith("/chat/completions"):
                        outer.chat.append(json.loads(body))
                        return self._send(200, completion_body(_judgement()))
                return self._send(404, {"error": {"message": "no such route"}})

            def do_GET(self):
                with outer.lock:
                    parts = self.path.split("/")
                    if "batches" in parts:
                        bid = parts[-1]
                        job = outer.batches[bid]
                        outer.polls[bid] = outer.polls.get(bid, 0) + 1
                        if job["status"] not in ("completed", "expired", "failed", "cancelled"):
                            if outer.polls[bid] <= outer.running_polls:
                                job["status"] = "in_progress"
                            else:
                                lines = [json.loads(x) for x in outer.files[job["input_file_id"]].decode().splitlines() if x.strip()]
                                status, out, err = outer.finish(lines)
                                job["status"] = status
                                if out:
                                    job["output_file_id"] = self._store(out)
                                if err:
                                    job["error_file_id"] = self._store(err)
                        return self._send(200, job)
                    if parts[-1] == "content":
                        return self._send(200, None, raw=outer.files[parts[-2]])
                return self._send(404, {"error": {"message": "no such route"}})

            def _store(self, lines: list[dict]) -> str:
                fid = f"file-{len(outer.files) + 1}"
                outer.files[fid] = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()
                return fid

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def input_lines(self, n: int = 1) -> list[dict]:
        job = self.batches[f"batch_{n}"]
        return [json.loads(x) for x in self.files[job["input_file_id"]].decode().splitlines() if x.strip()]

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _ok(line: dict) -> dict:
    return {"id": "r-" + line["custom_id"][:8], "custom_id": line["custom_id"], "error": None,
            "response": {"status_code": 200, "request_id": "x", "body": completion_body(_judgement())}}


def _failed(line: dict) -> dict:
    return {"id": "r-" + line["custom_id"][:8], "custom_id": line["custom_id"], "response": None,
            "error": {"code": "server_error", "message": "the fake failed this line"}}


@pytest.fixture()
def env(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-batch-test")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("REVIEWER_BATCH_POLL", "0.05")
    for var in ("REVIEWER_PROVIDER", "OPENAI_BASE_URL", "REVIEWER_MODEL", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def _inputs(folder: Path, n: int = 2) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [altered_copy(folder / f"j{k}.docx", {OWN_DEPT: f"某市第{k}号局", "。</w:t>": f"（第{k}份）。</w:t>"}) for k in range(n)]


def _options(server: FakeBatchServer, cache: Path) -> Options:
    return Options(llm_enabled=True, base_url=server.url, model=MODEL, llm_overrides={"cache_path": cache, "concurrency": 2})


def _run(files, out: Path, server, cache, **kw):
    spec = build_spec("md,json", str(out), batch=True, inputs=files)
    notes: list[str] = []
    result = batch.run_batch(files, _options(server, cache), spec, jobs=1, llm_batch=True, on_note=notes.append, **kw)
    return result, notes


def _cached_keys(cache: Path) -> set[str]:
    with sqlite3.connect(cache) as db:
        return {k for (k,) in db.execute("select key from answers")}


def _memo(out: Path, stem: str) -> dict:
    return json.loads((out / f"{stem}.review.json").read_text(encoding="utf-8"))


def _llm_notes(review: dict) -> list[str]:
    return [v["status_note"] for v in review["verdicts"] if v["by"] == "llm"]


def test_a_batch_that_completes_lands_in_the_cache_and_the_memos(env: Path):
    files = _inputs(env / "in")
    out, cache = env / "out", env / "cache.sqlite"
    with FakeBatchServer() as server:
        first, notes = _run(files, out, server, cache)
        assert server.chat == [] and len(server.created) == 1  # nothing asked one by one
        assert server.created[0]["endpoint"] == "/v1/chat/completions" and server.created[0]["completion_window"] == "24h"
        lines = server.input_lines()
        assert len({l["custom_id"] for l in lines}) == len(lines) > 4
        assert all(l["url"] == "/v1/chat/completions" and l["body"]["model"] == MODEL for l in lines)
        assert any("已提交批处理任务 batch_1" in n for n in notes)
        assert first.counts.llm_in_job == len(lines) and first.jobs_running == ["batch_1"]
        assert all("已提交批处理任务" in n for n in _llm_notes(_memo(out, "j0")) if n)
        assert "批处理任务中" in (out / "summary.html").read_text(encoding="utf-8")

        second, notes = _run(files, out, server, cache)
        assert any("batch_1 已结束（completed）" in n for n in notes), notes
        assert server.chat == [] and len(server.created) == 1, (notes, [c["messages"][1]["content"][:300] for c in server.chat])  # answers from the job, no new job
        assert _cached_keys(cache) == {l["custom_id"] for l in lines}  # custom_id is the cache key
        assert second.counts.llm_in_job == 0 and second.counts.llm_rows >= len(lines)
        verdicts = [v for v in _memo(out, "j1")["verdicts"] if v["by"] == "llm"]
        assert verdicts and all(v["status_note"] == "" and v["verdict"] for v in verdicts if v["verdict"] != "not_checked")
        assert not any("批处理" in n for n in _llm_notes(_memo(out, "j1")))

        # a live run of the same reports now answers from the same cache: not one call
        spec = build_spec("md", str(env / "live"), batch=True, inputs=files)
        batch.run_batch(files, _options(server, cache), spec, jobs=1)
        assert server.chat == []


def test_an_expired_job_keeps_its_done_lines_and_the_rest_is_asked_live(env: Path):
    files = _inputs(env / "in")
    out, cache = env / "out", env / "cache.sqlite"

    def half(lines):
        return "expired", [_ok(l) for l in lines[: len(lines) // 2]], []

    with FakeBatchServer(finish=half) as server:
        _run(files, out, server, cache)
        lines = server.input_lines()
        result, notes = _run(files, out, server, cache)
        done = {l["custom_id"] for l in lines[: len(lines) // 2]}
        assert any("expired" in n and "将逐行重新询问" in n for n in notes)
        # the other half went out live, once each, and nothing is pending any more
        assert len(server.chat) == len(lines) - len(done)
        assert _cached_keys(cache) == {l["custom_id"] for l in lines}
        assert result.counts.llm_in_job == 0 and result.counts.llm_unfinished == 0
        assert len(server.created) == 1


def test_error_lines_and_invalid_answers_are_asked_live(env: Path):
    files = _inputs(env / "in")
    out, cache = env / "out", env / "cache.sqlite"

    def mixed(lines):
        ok = [_ok(l) for l in lines[2:]]
        ok[0]["response"]["body"] = completion_body("这不是 JSON")  # fails validation like a live answer
        return "completed", ok, [_failed(l) for l in lines[:2]]

    with FakeBatchServer(finish=mixed) as server:
        _run(files, out, server, cache)
        lines = server.input_lines()
        result, notes = _run(files, out, server, cache)
        assert any("错误行 2，无效回答 1" in n for n in notes), notes
        asked_live = {json.dumps(c["messages"], ensure_ascii=False, sort_keys=True) for c in server.chat}
        assert len(asked_live) == 3  # two error lines and the invalid answer
        assert _cached_keys(cache) == {l["custom_id"] for l in lines}
        assert result.counts.llm_in_job == 0 and result.counts.llm_unfinished == 0


def test_a_running_job_is_left_running_and_polled_again(env: Path):
    files = _inputs(env / "in")
    out, cache = env / "out", env / "cache.sqlite"
    with FakeBatchServer(running_polls=3) as server:
        _run(files, out, server, cache)
        result, notes = _run(files, out, server, cache)  # one look: in_progress
        assert any("batch_1 仍在进行" in n for n in notes)
        assert result.jobs_running == ["batch_1"] and len(server.created) == 1 and server.chat == []
        assert result.counts.reused == 2  # reviews kept as they are while the job runs
        result, notes = _run(files, out, server, cache, llm_wait=30)  # waits with backoff until it ends
        assert any("batch_1 已结束（completed）" in n for n in notes)
        assert result.jobs_running == [] and result.counts.llm_in_job == 0 and server.chat == []


def test_a_provider_without_batch_jobs_gets_one_line(env: Path):
    files = _inputs(env / "in", 1)
    proc = subprocess.run([sys.executable, "-m", "reviewer", *map(str, files), str(env / "in"), "-o", str(env / "out"),
                           "--llm-batch", "--provider", "deepseek"], capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "deepseek 不接受批处理任务" in lines[0] and "Traceback" not in proc.stderr
    with pytest.raises(ConfigError):
        spec = build_spec("md", str(env / "o2"), batch=True, inputs=files)
        batch.run_batch(files, Options(llm_enabled=True, provider="ollama", model="m"), spec, jobs=1, llm_batch=True)


def test_a_run_killed_while_waiting_is_collected_by_the_next_one(env: Path):
    files = _inputs(env / "in")
    out = env / "out"
    environ = {**os.environ, "REVIEWER_CACHE_DIR": str(env / "cache")}
    args = [sys.executable, "-m", "reviewer", "in", "-o", "out", "--format", "md,json", "-j", "2",
            "--base-url", None, "--model", MODEL, "--llm-batch"]
    with FakeBatchServer(running_polls=10_000) as server:
        args[args.index(None)] = server.url
        proc = subprocess.Popen([*args, "--llm-batch-wait", "600"], cwd=env, env=environ, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and server.polls.get("batch_1", 0) < 3:  # submitted, then waiting
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert len(server.created) == 1 and server.chat == []

        server.running_polls = 0  # the job ends while nobody waits
        again = subprocess.run(args, cwd=env, env=environ, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert "batch_1 已结束（completed）" in again.stderr
        assert len(server.created) == 1 and server.chat == []  # the same job, collected; nothing asked live
        for stem in ("j0", "j1"):
            assert not any("批处理" in n for n in _llm_notes(_memo(out, stem)))


def test_a_refused_upload_leaves_the_rows_queued_for_the_next_run(env: Path):
    files = _inputs(env / "in")
    out, cache = env / "out", env / "cache.sqlite"
    with FakeBatchServer() as server:
        server.refuse_uploads = True
        first, notes = _run(files, out, server, cache)
        assert any("无法提交批处理任务" in n and "下次运行时再提交" in n for n in notes), notes
        assert server.created == [] and server.chat == []
        assert first.counts.llm_queued > 0 and first.counts.llm_in_job == 0
        server.refuse_uploads = False
        second, notes = _run(files, out, server, cache)
        assert len(server.created) == 1 and second.counts.llm_in_job == len(server.input_lines())
        third, _ = _run(files, out, server, cache)
        assert server.chat == [] and third.counts.llm_in_job == 0 and third.counts.llm_queued == 0


def test_one_run_can_submit_wait_and_finish(env: Path):
    files = _inputs(env / "in")
    out, cache = env / "out", env / "cache.sqlite"
    with FakeBatchServer(running_polls=2) as server:
        result, notes = _run(files, out, server, cache, llm_wait=60)
        assert any("已提交批处理任务 batch_1" in n for n in notes) and any("batch_1 已结束（completed）" in n for n in notes)
        assert len(server.created) == 1 and server.chat == [] and server.polls["batch_1"] >= 3
        assert result.jobs_running == [] and result.counts.llm_in_job == 0 and result.counts.reviewed == 2
        for stem in ("j0", "j1"):
            assert not any("批处理" in n for n in _llm_notes(_memo(out, stem)))
        assert _cached_keys(cache) == {l["custom_id"] for l in server.input_lines()}
