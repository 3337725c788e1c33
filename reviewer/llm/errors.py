"""Errors of the LLM judge.

    LLMError                    anything below; never escapes judge_report (rows become 未完成)
    ├── ModeRejected            the server refused this output mode (400/422, or 500 naming the
    │                           response_format): try the next mode, do not retry
    ├── TransportError          429 / 5xx / timeout / connection trouble that outlived the retries
    ├── OutputInvalid           the model's answer did not validate, even after one re-ask;
    │                           carries the raw output, the validation error and the attempts
    │   └── Truncated           the answer was cut at max_tokens, even with a larger cap
    ├── CallRefused             a 4xx that concerns this row only (e.g. context length)
    ├── EndpointStopped         auth, quota, a request the endpoint will never accept, or an
    │                           earlier such refusal: no more calls go to this endpoint
    └── Cancelled               the report's deadline passed, or Ctrl-C: the call was not made
                                or its answer was abandoned

Foreign errors (openai, httpx2, json, pydantic) are translated once, in client.py, and chained
with ``from exc``. Failed judgements are data (TargetVerdict + Finding), never exceptions.
"""

from __future__ import annotations


class LLMError(Exception):
    """Base class. `reason` is the short Chinese/English text shown as "未完成: <reason>"."""

    def __init__(self, reason: str, *, attempts: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


class ModeRejected(LLMError):
    def __init__(self, reason: str, *, mode: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.mode = mode
        self.status = status


class TransportError(LLMError):
    pass


class CallRefused(LLMError):
    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class OutputInvalid(LLMError):
    def __init__(self, reason: str, *, raw: str, error: str, attempts: int) -> None:
        super().__init__(reason, attempts=attempts)
        self.raw = raw
        self.error = error


class Truncated(OutputInvalid):
    pass


class EndpointStopped(LLMError):
    def __init__(self, reason: str, *, status: int | None = None, first: bool = True) -> None:
        super().__init__(reason)
        self.status = status
        self.first = first  # False: refused before sending, because of an earlier stop


class Cancelled(LLMError):
    pass
