"""The run folder of a batch: what is finished, so that running the same command again redoes only
the rest.

    <summary folder>/.reviewer-run/
        manifest.sqlite     one row per review (content × versions) and per input file
        reviews/<key>.json  each report's Review as the pipeline returned it (before the cross-report
                            pass), written atomically as soon as the review ends

Two tables, one writer (the batch's parent process; workers only write their review file):

    reviews   key = sha256(file bytes, versions) → the compact record the cross-report pass reads
    reports   input file → the review key, the key of what its memos were made from (review, the
              cross-report findings, decisions file, output options), the summary row and the memos
    jobs      provider batch jobs (reviewer.llm.batch_jobs): id, state, when it was last polled

An input is reused when its bytes and every version (tool code, rubric, layouts and word lists,
prompts, LLM settings) match a finished entry; its memos are reused when, in addition, everything
they were written from is the same and they are still there. A SIGKILL can land anywhere: SQLite's
journal keeps the manifest whole, a review file is renamed into place only when complete, and an
entry is recorded only after its files are in place, so the worst case is redoing one report.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

RUN_FOLDER = ".reviewer-run"
SCHEMA = 1

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS reviews (key TEXT PRIMARY KEY, record TEXT NOT NULL, versions TEXT NOT NULL, at REAL);
CREATE TABLE IF NOT EXISTS reports (
    file TEXT PRIMARY KEY, digest TEXT, review_key TEXT, finish_key TEXT, state TEXT,
    row TEXT, outputs TEXT, error TEXT, at REAL);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, provider TEXT, base_url TEXT, input_file TEXT, state TEXT, requests INTEGER,
    created REAL, polled REAL, detail TEXT);
"""


def digest_bytes(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p)
        h.update(b"\x1f")
    return h.hexdigest()


def _tree_digest(root: Path, patterns: Iterable[str]) -> str:
    h = hashlib.sha256()
    if root.is_dir():
        files = sorted({p for pat in patterns for p in root.rglob(pat) if p.is_file() and "__pycache__" not in p.parts})
        for p in files:
            h.update(p.relative_to(root).as_posix().encode())
            h.update(b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def _package_versions() -> tuple[tuple[str, str], ...]:
    import reviewer
    from reviewer.resources import bundled

    pkg = Path(reviewer.__file__).resolve().parent
    return (
        ("tool", reviewer.__version__),
        ("code", _tree_digest(pkg, ["*.py", "*.j2", "*.css"])),
        ("layouts", _tree_digest(pkg / "data", ["*.yaml", "*.yml", "*.json"])),
        ("rubrics", _tree_digest(bundled("rubric"), ["*.yaml", "*.yml"])),
        ("prompts", _tree_digest(bundled("prompts"), ["*.j2", "*.txt", "*.md"])),
    )


def versions(options) -> dict[str, str]:
    """What a review depends on besides the file's bytes, each as a short digest or a value."""
    out = dict(_package_versions())
    rubric = getattr(options, "rubric_path", None)
    if rubric:
        try:
            out["rubric"] = digest_bytes(Path(rubric).read_bytes())[:16]
        except OSError:
            out["rubric"] = "unreadable"
    llm = {k: getattr(options, k, None) for k in ("llm_enabled", "model", "base_url", "provider", "redact")}
    llm["settings"] = getattr(options, "llm_settings", {}) or {}
    llm["env"] = {k: os.environ.get(k) for k in ("REVIEWER_MODEL", "OPENAI_BASE_URL", "REVIEWER_PROVIDER") if os.environ.get(k)}
    out["llm"] = digest_bytes(json.dumps(llm, sort_keys=True, default=str))[:16]
    return out


def review_key(file_digest: str, versions_: dict[str, str]) -> str:
    return digest_bytes(file_digest, json.dumps(versions_, sort_keys=True))[:32]


class Manifest:
    """The run folder's SQLite manifest. `fresh=True` forgets every entry (the files stay until
    they are overwritten)."""

    def __init__(self, folder: Path, fresh: bool = False) -> None:
        self.folder = folder
        self.reviews_dir = folder / "reviews"
        self.reviews_dir.mkdir(parents=True, exist_ok=True)
        self.path = folder / "manifest.sqlite"
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_TABLES)
        found = self.db.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
        if fresh or (found and found[0] != str(SCHEMA)):
            with self.db:
                self.db.execute("DELETE FROM reviews")
                self.db.execute("DELETE FROM reports")
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reviews (content × versions) ---------------------------------------------------------

    def review_path(self, key: str) -> Path:
        return self.reviews_dir / f"{key}.json"

    def record(self, key: str) -> dict | None:
        """The compact record of a finished review, if its review file is still there."""
        row = self.db.execute("SELECT record FROM reviews WHERE key=?", (key,)).fetchone()
        if row is None or not self.review_path(key).is_file():
            return None
        return json.loads(row[0])

    def put_review(self, key: str, record: dict, versions_: dict[str, str]) -> None:
        self.db.execute("INSERT OR REPLACE INTO reviews VALUES (?, ?, ?, ?)",
                        (key, json.dumps(record, ensure_ascii=False), json.dumps(versions_, sort_keys=True), time.time()))

    # --- input files ---------------------------------------------------------------------------

    def report(self, file: str) -> dict | None:
        row = self.db.execute("SELECT digest, review_key, finish_key, state, row, outputs, error FROM reports WHERE file=?", (file,)).fetchone()
        if row is None:
            return None
        digest, rkey, fkey, state, summary, outputs, error = row
        return {"digest": digest, "review_key": rkey, "finish_key": fkey, "state": state,
                "row": json.loads(summary) if summary else None, "outputs": json.loads(outputs or "[]"), "error": error or ""}

    def put_report(self, file: str, digest: str | None, review_key_: str | None, finish_key: str | None, state: str,
                   row: dict | None = None, outputs: list[str] | None = None, error: str = "") -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (file, digest, review_key_, finish_key, state, json.dumps(row, ensure_ascii=False) if row is not None else None,
             json.dumps(outputs or [], ensure_ascii=False), error, time.time()),
        )

    def prune(self) -> int:
        """Forget the reviews no input refers to any more (a file changed since, a file gone from
        every batch written here), and the temp files of writes a kill interrupted; returns how
        many review files were removed."""
        used = {r[0] for r in self.db.execute("SELECT review_key FROM reports WHERE review_key IS NOT NULL")}
        removed = 0
        with self.db:
            for (key,) in self.db.execute("SELECT key FROM reviews").fetchall():
                if key not in used:
                    self.db.execute("DELETE FROM reviews WHERE key=?", (key,))
        for p in self.reviews_dir.iterdir():
            stale = p.name.endswith(".tmp") or (p.suffix == ".json" and p.stem not in used)
            if stale:
                try:
                    p.unlink()
                    removed += p.suffix == ".json"
                except OSError:
                    pass
        return removed

    # --- provider batch jobs -----------------------------------------------------------------------

    def jobs(self, states: Iterable[str] | None = None) -> list[dict]:
        rows = self.db.execute("SELECT id, provider, base_url, input_file, state, requests, created, polled, detail FROM jobs ORDER BY created").fetchall()
        keys = ("id", "provider", "base_url", "input_file", "state", "requests", "created", "polled", "detail")
        found = [dict(zip(keys, r)) for r in rows]
        wanted = set(states) if states is not None else None
        return [j for j in found if wanted is None or j["state"] in wanted]

    def put_job(self, job_id: str, provider: str, base_url: str, input_file: str, state: str, requests: int, detail: str = "") -> None:
        now = time.time()
        self.db.execute(
            "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET state=excluded.state, polled=excluded.polled, detail=excluded.detail",
            (job_id, provider, base_url, input_file, state, requests, now, now, detail),
        )
