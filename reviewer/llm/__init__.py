"""The LLM evidence judge: the only part of reviewer that talks to the network.

    from reviewer.llm import judge_report, LLMConfig
    verdicts, findings, run = judge_report(report, rule_verdicts, LLMConfig.from_env())

Modules: config (LLMConfig), client (openai SDK, output-mode fallback, one retry layer),
schema (the pydantic answer contract), prompts (templates in top-level prompts/), redact
(names/phones masked before sending), verify (quotes must be in the 完成情况), cache (SQLite),
judge (judge_report), errors.
"""

from reviewer.llm.config import LLMConfig

__all__ = ["LLMConfig", "judge_report"]


def __getattr__(name: str):
    # judge_report (and the SDK, cache and schema under it) loads on first use: a review with the
    # judge off never needs it.
    if name == "judge_report":
        from reviewer.llm.judge import judge_report

        return judge_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
