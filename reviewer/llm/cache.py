"""On-disk SQLite cache: validated answers, and the output mode each endpoint accepted.

Answers are keyed by sha256 of (base URL, model, prompt version, the exact redacted messages),
so a second review of an unchanged report makes no call. A request about to be sent is claimed
first: a review in another process (a batch of identical reports) waits for that answer instead of
asking the same question again. What is stored is what was sent and
received (masked text, validated JSON, token counts) — never the API key or request headers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("reviewer.llm")

_SCHEMA = """
create table if not exists answers (
    key text primary key,
    base_url text not null,
    model text not null,
    prompt_version text not null,
    mode text not null,
    answer text not null,
    prompt_tokens integer not null default 0,
    completion_tokens integer not null default 0,
    created real not null
);
create table if not exists claims (
    key text primary key,
    owner text not null,
    until real not null
);
create table if not exists endpoint_modes (
    base_url text not null,
    model text not null,
    mode text not null,
    updated real not null,
    primary key (base_url, model)
);
"""


def cache_key(base_url: str, model: str, prompt_version: str, messages: list[dict]) -> str:
    payload = json.dumps([base_url, model, prompt_version, messages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _private(path: Path) -> None:
    """The cache holds report text: its folder is created 0700 and the file 0600 (SQLite gives
    its journal the file's mode). A folder that already exists is left as it is — it may be a
    shared one the user chose — but the file is always made private."""
    missing = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


class Cache:
    """Thread-safe; one short connection per operation. path=None → a no-op cache.

    A cache that cannot be opened or written (read-only home, corrupt file) is switched off with a
    warning: it costs calls, never the review.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        if self.path:
            try:
                _private(self.path)
                with self._connect() as db:
                    db.executescript(_SCHEMA)
            except (OSError, sqlite3.Error) as exc:
                self._disable(exc)

    def _disable(self, exc: Exception) -> None:
        log.warning("LLM cache %s unusable (%s); continuing without a cache", self.path, exc)
        self.path = None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        assert self.path is not None
        db = sqlite3.connect(self.path, timeout=30)
        try:
            yield db
            db.commit()
        finally:
            db.close()

    def get(self, key: str) -> tuple[str, str, int, int] | None:
        """(answer JSON, mode, prompt_tokens, completion_tokens) or None."""
        if not self.path:
            return None
        try:
            with self._lock, self._connect() as db:
                row = db.execute(
                    "select answer, mode, prompt_tokens, completion_tokens from answers where key = ?", (key,)
                ).fetchone()
        except (OSError, sqlite3.Error) as exc:
            self._disable(exc)
            return None
        return tuple(row) if row else None  # type: ignore[return-value]

    def put(self, key: str, *, base_url: str, model: str, prompt_version: str, mode: str,
            answer: str, prompt_tokens: int, completion_tokens: int) -> None:
        if not self.path:
            return
        try:
            with self._lock, self._connect() as db:
                db.execute(
                    "insert or replace into answers values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, base_url, model, prompt_version, mode, answer, prompt_tokens, completion_tokens, time.time()),
                )
        except (OSError, sqlite3.Error) as exc:
            self._disable(exc)

    def mode_for(self, base_url: str, model: str) -> str | None:
        if not self.path:
            return None
        try:
            with self._lock, self._connect() as db:
                row = db.execute(
                    "select mode from endpoint_modes where base_url = ? and model = ?", (base_url, model)
                ).fetchone()
        except (OSError, sqlite3.Error) as exc:
            self._disable(exc)
            return None
        return row[0] if row else None

    def remember_mode(self, base_url: str, model: str, mode: str) -> None:
        if not self.path:
            return
        try:
            with self._lock, self._connect() as db:
                db.execute(
                    "insert or replace into endpoint_modes values (?, ?, ?, ?)", (base_url, model, mode, time.time())
                )
        except (OSError, sqlite3.Error) as exc:
            self._disable(exc)

    def claim(self, key: str, owner: str, seconds: float) -> bool:
        """Take the right to ask `key` for `seconds`; False while another owner holds it."""
        if not self.path:
            return True
        now = time.time()
        try:
            with self._lock, self._connect() as db:
                db.execute("begin immediate")
                row = db.execute("select owner, until from claims where key = ?", (key,)).fetchone()
                if row and row[0] != owner and row[1] > now:
                    return False
                db.execute("insert or replace into claims values (?, ?, ?)", (key, owner, now + seconds))
        except (OSError, sqlite3.Error) as exc:
            self._disable(exc)
        return True

    def release(self, key: str | None, owner: str) -> None:
        """Give up a claim (key None: every claim of this owner, e.g. calls abandoned at Ctrl-C)."""
        if not self.path:
            return
        try:
            with self._lock, self._connect() as db:
                if key is None:
                    db.execute("delete from claims where owner = ?", (owner,))
                else:
                    db.execute("delete from claims where key = ? and owner = ?", (key, owner))
        except (OSError, sqlite3.Error) as exc:
            self._disable(exc)
