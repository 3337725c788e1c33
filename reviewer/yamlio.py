"""YAML in, with PyYAML's C parser when it is built in (it is in the manylinux wheels).

The rubric, the word lists and the question templates are parsed in every process; the pure-Python
parser took about a third of a --no-llm review's wall time. Same safe subset either way.
"""

from __future__ import annotations

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Flow collections nested deeper than this are refused before parsing: libyaml before PyYAML 6.0.4's
# build had no depth limit and overflowed the C stack (a segfault, not an error) on "[[[[…".
MAX_FLOW_DEPTH = 200


class NestingError(yaml.YAMLError):
    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem  # what callers show, as for PyYAML's own marked errors


def _flow_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}" and depth:
            depth -= 1
    return deepest


def load_yaml(stream):
    """Like yaml.safe_load (raises yaml.YAMLError the same way)."""
    text = stream.read() if hasattr(stream, "read") else stream
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise NestingError(f"exceeded maximum nesting depth ({MAX_FLOW_DEPTH} levels of [ ] or {{ }})")
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python
