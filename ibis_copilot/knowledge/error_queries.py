"""Pasted error messages as search queries: what the repair rules say about them.

An Ibis error pasted into the search names the wrong things: the expression classes of
its values (``IntegerColumn``), the exception class, a table's repr column by column, an
internal operation (``StringContains``). The page that helps is the one for the method
to write instead. The repair rules already know it from the message alone (``sort_values``
→ ``order_by``, a value of the wrong type → ``cast``), so the query is read as a failure
known only as text, the rules' diagnosis is searched with the message, and the methods
the diagnosis names are the API pages looked up by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: ``[why do I get] SomeError: message`` at the start of the query.
PASTED_ERROR = re.compile(r"^(?:[^:\n]*?\b)?(\w*(?:Error|Exception)): (.+)$", re.DOTALL)
#: A table's repr: ``r0 := UnboundTable: t`` and its ``  column  type`` lines.
REPR_LINE = re.compile(r"^\s*(?:r\d+ := \w+: \w+|\w+\s+[\w<>\[\], ()]+|ibis\.Schema \{|\})\s*$")
#: Inside a line: ``<... object at 0x...>``, ``r0 := UnboundTable: t``, ``r0.``.
REPR_FRAGMENT = re.compile(r"<[\w.]+ object(?: at 0x[0-9a-f]+)?>|r\d+ := \w+: \w+|\br\d+\.")
#: A method the diagnosis writes as code: a call (``t.filter(``, ``ibis.desc(``) or a lone
#: attribute (``.group_by``); bare names there are columns and arguments.
CODE = re.compile(r"`([^`]+)`")
CALLED = re.compile(r"\b([a-z]\w*)\s*\(")
SIGNATURE_NOTE = re.compile(r"; signature: `[^`]*`")
ATTRIBUTE = re.compile(r"^\.([a-z_]\w*)$")
SIGNATURE_OPERATION = re.compile(r"^(\w+)\(")
#: An expression class the message names (``FloatingColumn``, ``JSONValue``): searched as
#: words ("floating column"), so that the class's own page does not outrank the method
#: to write (dev, 35 pasted errors: MRR@10 0.715 → 0.735).
EXPRESSION_CLASS = re.compile(
    r"\b((?:[A-Z]+|[A-Z][a-z]+)(?:[A-Z][a-z]+)*(?:Column|Scalar|Value))\b"
)
MAX_NAMES = 3


@dataclass(frozen=True)
class ErrorQuery:
    """A pasted error read for search: the text to search and the API names to pin."""

    text: str
    names: list[str]


def read_error_query(query: str) -> ErrorQuery | None:
    """The search text and API names for a query that is a pasted error, else None."""
    pasted = PASTED_ERROR.match(query.strip())
    if pasted is None:
        return None
    kind, message = pasted.groups()
    findings = _diagnosis(kind, message)
    essential = _without_reprs(message)
    names: list[str] = []
    for finding in findings:
        for code in CODE.findall(SIGNATURE_NOTE.sub("", finding)):
            if code.startswith(("'", '"')):
                continue  # a literal value the error quotes
            attribute = ATTRIBUTE.match(code)
            found = [attribute.group(1)] if attribute else CALLED.findall(code)
            names += [name for name in found if name not in names]
    names = names[:MAX_NAMES]
    if not names and (operation := SIGNATURE_OPERATION.match(message)):
        names = _operation_names(operation.group(1))
    text = EXPRESSION_CLASS.sub(_as_words, " ".join([kind, essential, *findings]))
    return ErrorQuery(text=text, names=names)


def _as_words(match: re.Match[str]) -> str:
    """``FloatingColumn`` → ``floating column``, ``JSONValue`` → ``json value``."""
    return re.sub(r"([a-z])([A-Z])|([A-Z])([A-Z][a-z])", r"\1\3 \2\4", match.group(1)).lower()


def _diagnosis(kind: str, message: str) -> list[str]:
    from ibis_copilot.repair.candidates import findings
    from ibis_copilot.repair.engine import rebuild_error
    from ibis_copilot.repair.failure import Failure

    failure = Failure(rebuild_error(kind, message))
    try:  # no code, so nothing to search: the rules, else the last resort
        return [finding.message for finding in findings(failure, searches=[])]
    except Exception:  # noqa: BLE001 - a rule that trips on odd text leaves the query as it is
        return []


def _without_reprs(message: str) -> str:
    lines = [REPR_FRAGMENT.sub("", line) for line in message.splitlines()]
    return " ".join(line.strip() for line in lines if line.strip() and not REPR_LINE.match(line))


def _operation_names(operation: str) -> list[str]:
    """The API names an operation's name suggests, most specific first: ``StringContains``
    → ``string_contains``, ``stringvalue.contains``, ``stringcolumn.contains``,
    ``contains`` (the retriever skips names the API does not have)."""
    from ibis_copilot.repair.signatures import OPERATORS, operation_words

    if operation in OPERATORS:
        return []
    name = operation_words(operation)
    first, _, rest = name.partition("_")
    if not rest:
        return [name]
    return [name, f"{first}value.{rest}", f"{first}column.{rest}", rest]
