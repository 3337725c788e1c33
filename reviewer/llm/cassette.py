"""Record a run's LLM exchanges once, replay them with the network off (`--cassette FILE`).

A cassette is the audit trail of what the model said about a report, and lets a team's CI check the
accuracy of rules and model answers on its annotated reports without calling the model. Recording
goes through vcrpy with the key headers filtered; replay matches request bodies exactly, so a changed
prompt, rubric or report is a mismatch — reported as one line asking to re-record, not as LLM rows
quietly marked 未完成.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.errors import ConfigError, ReviewerError

# Headers that can carry a secret never reach the cassette file.
FILTER_HEADERS = [
    "authorization", "api-key", "x-api-key", "openai-organization", "openai-project",
    "cookie", "set-cookie", "x-goog-api-key",
]
RECORD_MODES = ("once", "none", "new_episodes", "all")
MATCH_ON = ["method", "scheme", "host", "port", "path", "query", "body"]


def _without_credentials(request):
    """A base URL's user:password@ never reaches the cassette file."""
    from reviewer.llm.config import strip_credentials

    request.uri = strip_credentials(request.uri)
    return request


class CassetteMismatch(ReviewerError):
    """A replayed run asked for exchanges the cassette does not hold."""


@dataclass
class CassetteRun:
    path: Path
    record: str
    unmatched: list = field(default_factory=list)


@contextmanager
def use_cassette(path: Path, record: str = "once") -> Iterator[CassetteRun]:
    if record not in RECORD_MODES:
        raise ConfigError(f"--record 取值应为 {', '.join(RECORD_MODES)}，而不是 {record!r}")
    if record == "none" and not path.is_file():
        raise ConfigError(f"{path}: 录制文件不存在（--record none 只回放，不录制）")
    try:
        import vcr
    except ImportError as exc:  # pragma: no cover - vcrpy is a dependency
        raise ConfigError("--cassette 需要 vcrpy：pip install vcrpy") from exc
    recorder = vcr.VCR(
        record_mode=record, match_on=MATCH_ON, filter_headers=FILTER_HEADERS, decode_compressed_response=True,
        before_record_request=_without_credentials,
    )
    from reviewer.budget import in_process

    run = CassetteRun(path, record)
    # the recorder patches this process only: every review must stay in it (no forked child per file)
    with recorder.use_cassette(str(path)) as cassette, in_process():
        original = cassette.filter_request

        def spy(request):  # vcrpy asks this only for a request it cannot play and may not record
            kept = original(request)
            if kept and cassette.write_protected:
                run.unmatched.append(request)
            return kept

        cassette.filter_request = spy
        yield run
    if run.unmatched:
        raise CassetteMismatch(
            f"{path}: 录制的大模型对话与本次请求不符（{len(run.unmatched)} 个请求不在其中：提示词、评分规则、模型或报告已改变），"
            f"请重新录制：--record all"
        )
