"""pandas' names for Ibis methods, read off the repair rules' pandas habits.

The repair rules already know what each pandas habit is in Ibis (``melt`` →
``t.pivot_longer(...)``, ``shift`` → ``col.lag(n)``); the index uses the same knowledge
so that a question in pandas' words finds the Ibis method, and the search reads the code
a question writes the same way (``df.shift(1)``, ``np.radians(x)``, ``s.dt.day``). No
second list is kept here.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ibis_copilot.repair.diagnose import PANDAS_HABITS
from ibis_copilot.repair.eager import COMBINING, ELEMENTWISE
from ibis_copilot.repair.names import SYNONYMS

#: A method called in a hint's code: ``t.pivot_longer(`` → ``pivot_longer``.
CALLED = re.compile(r"\.(\w+)\(")


def pandas_names() -> dict[str, list[str]]:
    """Ibis method name → the pandas names it stands for (``lag`` → ``shift``, ``diff``)."""
    found: dict[str, list[str]] = defaultdict(list)
    for pandas, (hint, rename) in PANDAS_HABITS.items():
        for name in dict.fromkeys([*([rename] if rename else []), *CALLED.findall(hint)]):
            found[name].append(pandas)
    return dict(found)


#: Prefixes of a written name that say it is pandas', NumPy's or Python's: what follows is
#: named alike in Ibis when no rule says otherwise (``s.dt.day`` → ``day``).
FOREIGN_PREFIXES = frozenset({"dt", "str", "np", "numpy", "math", "pd", "pl", "list", "arr"})
NUMERIC_PREFIXES = frozenset({"np", "numpy", "math"})
#: pandas' and polars' accessors, and the Ibis type whose method the name is.
ACCESSOR_TYPES = {"str": "stringvalue", "dt": "timestampvalue", "list": "arrayvalue"}


def ibis_names_for(written: str) -> list[str]:
    """The Ibis names a pandas, NumPy or SQL name in a question may stand for, most likely
    first: ``shift`` → ``lag``, ``np.radians`` → ``deg2rad``, ``str.contains`` →
    ``stringvalue.contains``; after a pandas or NumPy prefix, the name itself last."""
    prefix, _, last = written.lower().rpartition(".")
    owner = prefix.rpartition(".")[2]
    found: list[str] = []
    if owner in NUMERIC_PREFIXES:
        found += [ELEMENTWISE[last]] if last in ELEMENTWISE else []
        found += [COMBINING[last].removeprefix("ibis.")] if last in COMBINING else []
    if last in PANDAS_HABITS:
        hint, rename = PANDAS_HABITS[last]
        found += [rename] if rename else CALLED.findall(hint)
    found += [n for n in (SYNONYMS.get(last), ELEMENTWISE.get(last)) if n]
    if last in COMBINING:
        found.append(COMBINING[last].removeprefix("ibis."))
    if owner in FOREIGN_PREFIXES:
        found.append(last)
    typed = ACCESSOR_TYPES.get(owner)
    return list(dict.fromkeys(f"{typed}.{n}" if typed else n for n in found))


#: pandas code whose meaning is in its shape, not its names (a slice of ``.str``, a Python
#: function applied to each list, a keyword), and the Ibis names it stands for.
CODE_SHAPES = (
    (re.compile(r"\.str\[\s*-\d+\s*:\s*\]"), ("stringvalue.right",)),
    (re.compile(r"\.str\[\s*0?\s*:\s*\d+\s*\]"), ("stringvalue.left",)),
    (re.compile(r"\[\s*:\s*:\s*-1\s*\]"), ("stringvalue.reverse",)),
    (re.compile(r"\.(?:apply|map)\(\s*sorted\b"), ("arrayvalue.sort",)),
    (re.compile(r"\.(?:apply|map)\((?:lambda \w+: )?(?:list\()?set\b"), ("arrayvalue.unique",)),
    (re.compile(r"\.(?:apply|map)\(\s*any\b"), ("arrayvalue.anys",)),
    (re.compile(r"\.(?:apply|map)\(\s*all\b"), ("arrayvalue.alls",)),
    (re.compile(r"errors\s*=\s*['\"]coerce"), ("value.try_cast",)),
    (re.compile(r"\brank\([^)]*\bpct\s*=\s*True"), ("percent_rank", "cume_dist")),
    (re.compile(r"~\s*[\w.()\[\]'\"]*\.any\(\)"), ("notany",)),
    (re.compile(r"~\s*[\w.()\[\]'\"]*\.all\(\)"), ("notall",)),
    (re.compile(r"\.to_period\("), ("truncate",)),
    (re.compile(r"['\"][^'\"\s]{1,3}['\"]\s*\*\s*[\w(]"), ("stringvalue.repeat",)),
    (re.compile(r"['\"][^'\"]{0,3}['\"]\.join\(\s*\w+\.\w+\s*\)"), ("group_concat",)),
)


def shape_names(query: str) -> list[str]:
    """The Ibis names the shapes of pandas code in ``query`` stand for: ``s.str[-4:]`` →
    ``stringvalue.right``, ``s.apply(sorted)`` → ``arrayvalue.sort``, ``~g.x.any()`` →
    ``notany``."""
    return [name for shape, names in CODE_SHAPES if shape.search(query) for name in names]
