"""YAML in, with PyYAML's C parser when it is built in (it is in the manylinux wheels).

The rubric, the word lists and the question templates are parsed in every process; the pure-Python
parser took about a third of a --no-llm review's wall time. Same safe subset either way.
"""

from __future__ import annotations

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(stream):
    """Like yaml.safe_load (raises yaml.YAMLError the same way)."""
    return yaml.load(stream, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python
