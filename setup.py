"""Build glue that pyproject.toml cannot express: the top-level rubric/ and prompts/ folders stay where
editors find them in the repository, and ship inside the wheel as package data of
reviewer._bundled.rubric / reviewer._bundled.prompts (read through reviewer.resources), so an installed
`review` (pip install ., pipx install ., a built wheel) works outside the checkout."""

from setuptools import find_packages, setup

BUNDLED = {"rubric": ["*.yaml"], "prompts": ["*.j2"]}

setup(
    packages=find_packages(include=["reviewer", "reviewer.*"]) + [f"reviewer._bundled.{name}" for name in BUNDLED],
    package_dir={f"reviewer._bundled.{name}": name for name in BUNDLED},
    package_data={
        "reviewer": ["data/**/*", "memo/templates/**/*"],  # ** : subfolders (data/layouts/) too
        **{f"reviewer._bundled.{name}": globs for name, globs in BUNDLED.items()},
    },
)
