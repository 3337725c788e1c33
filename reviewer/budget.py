"""A time and memory budget for the work on one file, so one file cannot hold up or sink a batch.

    run_bounded(fn, *args)      # fn(*args) in a forked child, killed when its time is up
    with file_budget():         # the same limits in this process, where there is no fork
        ...

Both raise BudgetExceeded (time), MemoryError (address space), or what fn raised: a ReviewerError
comes back as ReviewerError with the same line, an OSError as OSError, anything else (and a child
that died) as FileCrashed.

run_bounded is the hard limit: the child is killed (SIGKILL) at the deadline whatever it is doing,
even inside C code, and its address space is capped with RLIMIT_AS (what it maps at the start plus
the budget: an allocation past it raises MemoryError instead of waking the OOM killer). The result
comes back pickled through a pipe. A child killed while writing may leave a temp file next to the
memos (writes are temp file + rename), never a half-written memo.

file_budget, used with --jobs 1 (in_process) and where there is no fork or not the main thread, is a SIGALRM timer whose
handler raises in the main thread (Python code and regular expressions are interrupted; a call into
C finishes first) and the same RLIMIT_AS, put back afterwards; off the main thread it does nothing.
REVIEWER_FILE_TIMEOUT (seconds) and REVIEWER_FILE_MEMORY_MB override the defaults.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_SECONDS = 900.0  # the LLM judge included: a few rows × retries with backoff
DEFAULT_MEMORY_MB = 2048  # above what the worker holds when the file starts


class BudgetExceeded(BaseException):
    """The file used up its time. A BaseException so no `except Exception` on the way eats it."""


class FileCrashed(Exception):
    """The work on the file failed in a way that is not the file's fault, or its process died."""


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


_in_process = threading.local()


@contextmanager
def in_process() -> Iterator[None]:
    """run_bounded calls inside run fn in this process under file_budget (no fork): for --jobs 1,
    where a review is meant to be debuggable in place."""
    before = getattr(_in_process, "on", False)
    _in_process.on = True
    try:
        yield
    finally:
        _in_process.on = before


def _can_fork() -> bool:
    import multiprocessing

    return (
        not getattr(_in_process, "on", False)
        and hasattr(os, "fork")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.current_thread() is threading.main_thread()
    )


def run_bounded(fn, *args, seconds: float | None = None, memory_mb: float | None = None):
    seconds = budget_seconds() if seconds is None else seconds
    memory_mb = budget_memory_mb() if memory_mb is None else memory_mb
    if not _can_fork():
        with file_budget(seconds, memory_mb):
            return fn(*args)
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, fn, args, memory_mb))
    # Frozen objects are left alone by the child's garbage collector: it does not walk (and so
    # copy-on-write) the whole inherited heap.
    gc.freeze()
    try:
        child.start()
    finally:
        gc.unfreeze()
    send.close()
    try:
        if receive.poll(seconds):
            try:
                kind, payload = receive.recv()
            except (EOFError, OSError):
                kind, payload = "died", None
        else:
            kind, payload = "timeout", None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if kind == "ok":
        return payload
    if kind == "timeout":
        raise BudgetExceeded()
    if kind == "memory":
        raise MemoryError()
    if kind == "reviewer":
        from reviewer.errors import ReviewerError

        raise ReviewerError(payload)
    if kind == "oserror":
        raise OSError(payload)
    if kind == "died":
        raise FileCrashed(f"处理进程异常退出（退出码 {child.exitcode}）")
    raise FileCrashed(payload)


def _child(send, fn, args, memory_mb: float) -> None:
    from reviewer.errors import ReviewerError

    _limit_memory(memory_mb)
    try:
        message = ("ok", fn(*args))
    except ReviewerError as err:  # sent as its line: subclasses need not survive pickling
        message = ("reviewer", str(err))
    except MemoryError:
        message = ("memory", None)
    except OSError as exc:
        message = ("oserror", exc.strerror or str(exc))
    except BaseException as exc:
        message = ("crash", f"{type(exc).__name__}: {exc}")
    try:
        send.send(message)
    except MemoryError:
        send.send(("memory", None))
    except Exception as exc:  # an unpicklable result
        send.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()
