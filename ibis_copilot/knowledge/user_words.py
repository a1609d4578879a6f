"""How users ask for API objects whose names they do not know.

``user_words.json`` maps an API object's canonical path to short phrases in the words of
people who want what it does: the task in plain words ("running total"), other tools'
names for it (SQL's ``string_agg``, a spreadsheet's ``VLOOKUP``, dplyr's ``lag``) and
statistics terms ("moving average"). The index puts them in the object's vocabulary
sibling (:func:`ibis_copilot.knowledge.api_source.bridge_chunk`), where both BM25 and the
sibling's gist vector see them: the same bridge the SQL of its examples builds, written
out where nothing mechanical knows the words. It is data to grow as questions show gaps;
objects a new Ibis moves or drops are simply not matched.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("user_words.json")


@cache
def user_words() -> dict[str, list[str]]:
    """API path → the phrases users ask for it with."""
    loaded = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return {path: [str(p) for p in phrases] for path, phrases in loaded.items() if phrases}
