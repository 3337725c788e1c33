"""The LLM evidence judge: the only part of reviewer that talks to the network.

    from reviewer.llm import judge_report, LLMConfig
    verdicts, findings, run = judge_report(report, rule_verdicts, LLMConfig.from_env())

Modules: config (LLMConfig), client (openai SDK, output-mode fallback, one retry layer),
schema (the pydantic answer contract), prompts (templates in top-level prompts/), redact
(names/phones masked before sending), verify (quotes must be in the 完成情况), cache (SQLite),
judge (judge_report), errors.
"""

from reviewer.llm.config import LLMConfig
from reviewer.llm.judge import judge_report

__all__ = ["LLMConfig", "judge_report"]
