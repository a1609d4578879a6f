"""How users ask for API objects and docs pages whose names they do not know.

``user_words.json`` holds, for each API object (by canonical path, under ``"api"``) and
each bundled docs page (by its path in the docs folder, under ``"pages"``), short phrases
in the words of people who want what it does or explains: the task in plain words
("running total", "run the same query on two databases"), other tools' names for it
(SQL's ``string_agg``, a spreadsheet's ``VLOOKUP``, dplyr's ``lag``) and statistics
terms ("moving average"). The index puts an object's phrases in its vocabulary sibling
(:func:`ibis_copilot.knowledge.api_source.bridge_chunk`) and a page's in a chunk of its
own cited as the page, where BM25 and both vectors see them: the bridge the SQL of the
examples builds, written out where nothing mechanical knows the words. The phrases were
written once per object and page from its docstring or text, without the question sets
in view; it is data to grow as questions show gaps. Objects or pages a new Ibis moves or
drops are simply not matched.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

WORDS_FILE = Path(__file__).with_name("user_words.json")
#: How the phrases open in the chunk that carries them.
USER_WORDS_LINE = "Asked as: "


@cache
def _load() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return loaded


def _phrases(section: str) -> dict[str, list[str]]:
    return {key: [str(p) for p in phrases] for key, phrases in _load()[section].items() if phrases}


def user_words() -> dict[str, list[str]]:
    """API path → the phrases users ask for the object with."""
    return _phrases("api")


def page_words() -> dict[str, list[str]]:
    """Docs page path (``how-to/input-output/basics.qmd``) → the phrases users ask with."""
    return _phrases("pages")
