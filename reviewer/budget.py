"""A time and memory budget for the work on one file, so one file cannot hold up or sink a batch.

    with file_budget(path):
        ...                      # raises BudgetExceeded (time) or MemoryError (address space)

Time is a SIGALRM timer whose handler raises in the main thread (Python code and regular
expressions are interrupted; a call into C finishes first, and the caps in ingest keep those
short). Memory is RLIMIT_AS raised to what the process already uses plus the budget, and put back
afterwards: an allocation past it raises MemoryError instead of waking the OOM killer. Both need
the main thread of a POSIX process (batch workers and the CLI are); elsewhere the budget is not
applied. REVIEWER_FILE_TIMEOUT (seconds) and REVIEWER_FILE_MEMORY_MB override the defaults.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_SECONDS = 900.0  # the LLM judge included: a few rows × retries with backoff
DEFAULT_MEMORY_MB = 2048  # above what the worker holds when the file starts


class BudgetExceeded(BaseException):
    """The file used up its time. A BaseException so no `except Exception` on the way eats it."""


def budget_seconds() -> float:
    return _env_number("REVIEWER_FILE_TIMEOUT", DEFAULT_SECONDS)


def budget_memory_mb() -> float:
    return _env_number("REVIEWER_FILE_MEMORY_MB", DEFAULT_MEMORY_MB)


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def _address_space() -> int | None:
    """Bytes of virtual memory this process maps now (Linux), or None."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _on_alarm(signum, frame):
    raise BudgetExceeded()


@contextmanager
def file_budget(seconds: float | None = None, memory_mb: float | None = None) -> Iterator[None]:
    seconds = budget_seconds() if seconds is None else seconds
    memory_mb = budget_memory_mb() if memory_mb is None else memory_mb
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    old_handler = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    old_limit = _limit_memory(memory_mb)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, old_limit)


def _limit_memory(memory_mb: float):
    try:
        import resource
    except ImportError:  # not POSIX
        return None
    used = _address_space()
    if used is None:
        return None
    old = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + int(memory_mb * 1024 * 1024)
    if old[1] != resource.RLIM_INFINITY:
        limit = min(limit, old[1])
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, old[1]))
    except (ValueError, OSError):
        return None
    return old
