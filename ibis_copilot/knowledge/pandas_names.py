"""pandas' names for Ibis methods, read off the repair rules' pandas habits.

The repair rules already know what each pandas habit is in Ibis (``melt`` →
``t.pivot_longer(...)``, ``shift`` → ``col.lag(n)``); the index uses the same knowledge
so that a question in pandas' words finds the Ibis method. No second list is kept here.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ibis_copilot.repair.diagnose import PANDAS_HABITS

#: A method called in a hint's code: ``t.pivot_longer(`` → ``pivot_longer``.
CALLED = re.compile(r"\.(\w+)\(")


def pandas_names() -> dict[str, list[str]]:
    """Ibis method name → the pandas names it stands for (``lag`` → ``shift``, ``diff``)."""
    found: dict[str, list[str]] = defaultdict(list)
    for pandas, (hint, rename) in PANDAS_HABITS.items():
        for name in dict.fromkeys([*([rename] if rename else []), *CALLED.findall(hint)]):
            found[name].append(pandas)
    return dict(found)
