"""Where the bundled rubric/ and prompts/ folders are.

In the repository they are top-level folders (edited there, reviewed with the code); a built wheel
carries them as package data under reviewer/_bundled/ (see setup.py). Installed, they are read
through importlib.resources; in a checkout (editable install, scripts run from the tree) from the
top-level folders.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path


@lru_cache(maxsize=None)
def bundled(name: str) -> Path:
    """The folder `name` ("rubric" or "prompts") as shipped with this copy of reviewer."""
    packaged = files("reviewer") / "_bundled" / name
    if packaged.is_dir():
        # A wheel installs into a real folder: the resource is a Path (zip imports are not supported).
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / name
