"""Prompt templates: one text file per part, ``$name`` placeholders (code keeps its braces)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

PROMPTS = Path(__file__).parent / "prompts"


@cache
def template(name: str) -> Template:
    """The template ``prompts/<name>.txt``."""
    return Template((PROMPTS / f"{name}.txt").read_text(encoding="utf-8"))


def render(name: str, **values: str) -> str:
    """Fill a template; a missing value is an error, not a silent ``$name``."""
    return template(name).substitute(**values).strip()
