"""The contract with the model: what one answer about one 定量目标 row must look like.

The JSON schema sent with response_format (and printed into the prompt for servers that reject
it) is generated from these models; every answer is validated against them, whatever the mode.
All fields are required and extra keys forbidden so the schema is valid in OpenAI strict mode
(which also accepts minItems/maxItems; llama.cpp turns them into its grammar, which keeps a small
model from looping); checks a schema cannot say are validators (they show up in the re-ask message).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ClauseVerdictName = Literal["evidenced", "partial", "not_evidenced", "not_applicable"]


class ClauseJudgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(description="分句编号（与提问中的编号一致）")
    clause: str = Field(description="被判断的绩效目标分句")
    verdict: ClauseVerdictName = Field(description="evidenced/partial/not_evidenced/not_applicable")
    quotes: list[str] = Field(max_length=3, description="从完成情况中逐字摘录的原文")
    reason: str = Field(description="简短中文理由")

    @field_validator("clause", "reason")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @field_validator("quotes")
    @classmethod
    def _quotes(cls, v: list[str]) -> list[str]:
        return [q.strip() for q in v if q and q.strip()]

    @field_validator("clause")
    @classmethod
    def _clause_not_empty(cls, v: str) -> str:
        if not v:
            raise ValueError("clause must name the part of the 绩效目标 being judged")
        return v


class RowJudgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clauses: list[ClauseJudgement] = Field(min_length=1, max_length=8)
    vague: bool = Field(description="完成情况是否只有套话、没有数字日期或具体成果")
    follow_up: str = Field(description="可向部门提出的一个追问")

    @field_validator("follow_up")
    @classmethod
    def _follow_up(cls, v: str) -> str:
        return v.strip()


def json_schema(quote_choices: Sequence[str] = ()) -> dict:
    """The answer's schema; with `quote_choices`, a quote can only be one of them (a grammar-compiling
    server then cannot sample a quote that is not in the text)."""
    schema = RowJudgement.model_json_schema()
    if quote_choices:
        schema["$defs"]["ClauseJudgement"]["properties"]["quotes"]["items"] = {"type": "string", "enum": list(quote_choices)}
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=1)


# Reasoning some models print before the answer (Qwen3, DeepSeek-R1 distils, QwQ): it may hold
# braces or code fences of its own, so it goes before anything is parsed. An unclosed block is a
# reply cut off while thinking: nothing after it is an answer.
_THINK = re.compile(r"<(think|thinking|reasoning)>.*?(</\1>|$)", re.S | re.I)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def strip_reasoning(raw: str) -> str:
    return _THINK.sub("", raw).strip()


def _objects(text: str) -> list[str]:
    """Every complete top-level {...} in text, in order (braces inside JSON strings ignored)."""
    found: list[str] = []
    depth = 0
    start = -1
    in_str = esc = False
    for i, ch in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"' and depth > 0:
            in_str = True
        elif ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                found.append(text[start : i + 1])
    return found


def extract_json(raw: str) -> str:
    """The answer inside a reply: reasoning removed, then the last complete JSON object that parses
    (a model may echo an example or think aloud before answering); an incomplete one as a last resort,
    so the validation error says what is wrong with it."""
    text = strip_reasoning(raw)
    candidates = _objects(text)
    for fenced in reversed(_FENCE.findall(text)):
        candidates.extend(_objects(fenced))
    parsed = []
    for c in candidates:
        try:
            value = json.loads(c)
        except ValueError:
            continue
        if isinstance(value, dict):
            parsed.append((c, value))
    with_clauses = [c for c, v in parsed if "clauses" in v]
    if with_clauses:
        return with_clauses[-1]
    if parsed:
        return parsed[-1][0]
    m = _FENCE.search(text)
    if m:
        text = m.group(1).strip()
    start = text.find("{")
    return text[start:] if start >= 0 else text


def parse_judgement(raw: str) -> RowJudgement:
    """Validate a reply; raises pydantic.ValidationError (JSON errors included)."""
    return RowJudgement.model_validate_json(extract_json(raw))


def validation_message(exc: ValidationError) -> str:
    """A short, model-readable list of what was wrong."""
    lines = []
    for err in exc.errors()[:8]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
        lines.append(f"- {loc}: {err.get('msg', '')}")
    return "\n".join(lines)


# Limits for servers that compile the schema into a sampling grammar (llama.cpp): they stop a
# small model from looping inside one string or list. Not in json_schema(): OpenAI strict mode
# rejects maxLength, and a long but honest answer should not fail validation.
GRAMMAR_LIMITS = {"clauses": 4, "quotes": 2, "clause": 60, "quote": 80, "reason": 80, "follow_up": 80}


def grammar_schema(quote_choices: Sequence[str] = ()) -> dict:
    lim = GRAMMAR_LIMITS
    schema = json_schema(quote_choices)
    schema["properties"]["clauses"]["maxItems"] = lim["clauses"]
    schema["properties"]["follow_up"]["maxLength"] = lim["follow_up"]
    clause = schema["$defs"]["ClauseJudgement"]["properties"]
    clause["clause"]["maxLength"] = lim["clause"]
    clause["quotes"]["maxItems"] = lim["quotes"]
    if quote_choices:
        # Pinned quotes come before the verdict: a grammar samples fields in order, and a small model
        # that has already picked the piece it relies on judges that piece, not the clause in the air.
        order = ["id", "clause", "quotes", "verdict", "reason"]
        defn = schema["$defs"]["ClauseJudgement"]
        defn["properties"] = {k: clause[k] for k in order}
        defn["required"] = order
    else:
        clause["quotes"]["items"]["maxLength"] = lim["quote"]
    clause["reason"]["maxLength"] = lim["reason"]
    return schema
