"""Ibis's ``SignatureValidationError`` read for people: which call, which argument, what
it was given and what it takes.

Every Ibis method builds an operation whose arguments are validated against the
operation's signature; a wrong argument type fails there with a message that names the
operation (``StringContains``), the argument (``needle``), the value's Python class and
the annotation it did not match (``Value[String, DataShape]``), followed by the whole
table's repr. This module turns that into one sentence naming the method the code called,
without a fix (what to pass instead depends on what was meant), except where the value is
one of a few choices spelt another way (``"sha-256"`` for ``"sha256"``, ``"millis"`` for
``"ms"``).
"""

from __future__ import annotations

import ast
import re
from enum import Enum

from ibis_copilot.repair.edits import methods_given, parse, replace_string_argument
from ibis_copilot.repair.failure import Diagnosis, Failure

SIGNATURE_FAILED = re.compile(r"^(\w+)\(.*has failed due to the following errors:", re.DOTALL)
#: One failed argument: its name, the value's repr, its class and what it is not.
ARGUMENT = re.compile(
    r"^  `(\w+)`: (.*?) of type <class '([\w.]+)'> is not (.+?)$", re.DOTALL | re.MULTILINE
)
COERCIBLE = re.compile(r"^(?:either None or )?(a tuple of coercibles to |coercible to )an? (.+)$")
ONE_OF = re.compile(r"^in \{(.+)\}$")
BETWEEN = re.compile(r"^an? (\w+) then matching Between\(lower=(.+?), upper=(.+?)\)$")
EXPECTED = re.compile(r"^Expected signature: (.+)$", re.MULTILINE)
#: An expression's repr ends with ``name: r0.name``; a literal's repr is the literal.
NAMED_VALUE = re.compile(r"(?:^|\n)([^\n:]+): [^\n]*$")
VALUE_TYPE = re.compile(r"^(?:Value|Scalar|Column)\[(.+), (\w+)\]$")
CALLED = re.compile(r"\.(\w+)\(|\bibis\.(\w+)\(")
#: Operators whose dunder methods are validated like operations.
OPERATORS = {
    f"__{name}__": symbol
    for name, symbol in {
        "add": "+", "radd": "+", "sub": "-", "rsub": "-", "mul": "*", "rmul": "*",
        "truediv": "/", "rtruediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
        "and": "&", "or": "|", "xor": "^", "invert": "~", "neg": "-",
    }.items()
}  # fmt: skip
#: Operations named unlike the method that builds them.
ALIASES = {"InValues": "isin", "RegexSearch": "re_search", "RegexExtract": "re_extract"}
SHAPES = {"DataShape": "value", "Columnar": "column", "Scalar": "scalar"}
CASE_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def signature_mismatch(failure: Failure) -> Diagnosis | None:
    """The argument an Ibis operation refused, said with the method the code called."""
    text = str(failure.error)
    failed = SIGNATURE_FAILED.search(text)
    argument = ARGUMENT.search(text)
    if failed is None or argument is None:
        return None
    operation = failed.group(1)
    name, value, cls, wanted = argument.groups()
    method = called_method(operation, failure.code)
    if operation in OPERATORS:
        where = f"`{OPERATORS[operation]}`"
    elif method:
        where = f"`.{method}(...)` (Ibis operation `{operation}`)"
    else:
        where = f"`{operation}`"
    given = _describe_value(value, cls)
    if coercible := COERCIBLE.match(wanted):
        several, annotation = coercible.groups()
        takes = _describe_annotation(annotation)
        if several.startswith("a tuple"):
            given, takes = f"values of which one is not {takes}", f"only {_plural(takes)}"
    elif one_of := ONE_OF.match(wanted):
        takes = f"one of {one_of.group(1)}"
    elif between := BETWEEN.match(wanted):
        kind, lower, upper = between.groups()
        takes = f"a {kind} from {lower} to {upper}"
    else:
        takes = "what its signature says"
    message = f"{where}: its argument `{name}` takes {takes}, but was given {given}"
    expected = EXPECTED.search(text)
    if expected:
        message += f"; signature: `{_plain_signature(expected.group(1))}`"
    return Diagnosis("signature", message)


#: Other tools' names of choices Ibis spells otherwise (units of time, sampling methods).
CHOICE_SYNONYMS = {
    "millis": "ms", "millisecond": "ms", "milliseconds": "ms", "micros": "us",
    "microsecond": "us", "microseconds": "us", "nanos": "ns", "nanosecond": "ns",
    "nanoseconds": "ns", "sec": "s", "second": "s", "seconds": "s",
    # SQL's TABLESAMPLE methods: SYSTEM samples blocks, BERNOULLI rows
    "system": "block", "bernoulli": "row",
}  # fmt: skip


def _plain(value: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).lower())


def _as_written(value: str, code: str) -> str:
    """``value`` as the code writes it: Ibis lower-cases some choices before refusing them
    (``"SHA-256"`` is reported as ``'sha-256'``)."""
    tree = parse(code) or ast.Module(body=[], type_ignores=[])
    texts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    return next((t for t in texts if isinstance(t, str) and t.lower() == value.lower()), value)


def choice_spelling(failure: Failure) -> Diagnosis | None:
    """``hexdigest("sha-256")``, ``as_timestamp("millis")``: one of an argument's few
    choices, spelt another way; the choice it means, when exactly one fits."""
    text = str(failure.error)
    failed, argument = SIGNATURE_FAILED.search(text), ARGUMENT.search(text)
    if failed is None or argument is None or argument.group(3) != "str":
        return None
    name, value, _, wanted = argument.groups()
    if one_of := ONE_OF.match(wanted):
        choices = [ast.literal_eval(choice.strip()) for choice in one_of.group(1).split(",")]
    elif coercible := COERCIBLE.match(wanted):
        choices = [ast.literal_eval(choice) for choice in _enum_values(coercible.group(2))]
    else:
        return None
    given = _as_written(str(ast.literal_eval(value)), failure.code)  # a str: group 3
    meant = [
        choice
        for choice in choices
        if _plain(choice) == _plain(given) or CHOICE_SYNONYMS.get(_plain(given)) == choice
    ]
    given_to = methods_given(failure.code, given)
    method = called_method(failed.group(1), failure.code) or (
        given_to.pop() if len(given_to) == 1 else None
    )
    if len(meant) != 1 or method is None:
        return None
    return Diagnosis(
        "signature",
        f"`.{method}(...)`'s `{name}` is one of {', '.join(sorted(map(repr, choices)))}: "
        f"{given!r} is written {meant[0]!r}",
        lambda code: replace_string_argument(code, method, given, repr(meant[0])),
    )


def snake(name: str) -> str:
    """``StringContains`` → ``string_contains``."""
    return CASE_BOUNDARY.sub("_", name).lower()


def operation_words(operation: str) -> str:
    """The operation's name as a method would spell it: ``string_contains``, ``isin``
    (``InValues``); the method that builds it is this or a ``_``-suffix of it."""
    return snake(ALIASES.get(operation, operation))


def called_method(operation: str, code: str) -> str | None:
    """The method of ``code`` that built ``operation``: ``contains`` for
    ``StringContains``, ``truncate`` for ``DateTruncate`` (None when no call matches)."""
    built = operation_words(operation)
    called: list[str] = [a or b for a, b in CALLED.findall(code)]
    for method in reversed(called):  # the last call on the failing line is likeliest
        if built == method or built.endswith("_" + method.lstrip("_")):
            return method
    return None


def _describe_value(value: str, cls: str) -> str:
    kind = cls.rsplit(".", 1)[-1]
    if "." in cls:  # an Ibis expression: ``a: r0.a`` names it
        named = NAMED_VALUE.search(value.strip())
        words = CASE_BOUNDARY.sub(" ", kind).lower()
        return f"`{named.group(1).strip()}`, {_article(words)}" if named else _article(words)
    shown = value.strip()
    if len(shown) > 40 or "\n" in shown:
        return f"a Python {kind}"
    return f"the Python {kind} `{shown}`"


def _describe_annotation(annotation: str) -> str:
    found = VALUE_TYPE.match(annotation.strip())
    if found:
        dtype, shape = found.groups()
        words = " or ".join(snake(part).replace("_", " ") for part in _dtypes(dtype))
        return _article(f"{words} {SHAPES.get(shape, 'value')}")
    if annotation == "Value":
        return "an Ibis value (a column, a scalar expression or a literal)"
    if annotation == "DataType":
        return 'an Ibis data type, e.g. "string", "int64", "float64", "date" or "timestamp"'
    units = _enum_values(annotation)
    if units:
        return f"a {snake(annotation).replace('_', ' ')} (one of {', '.join(units)})"
    return f"`{annotation}`"


def _enum_values(name: str) -> list[str]:
    from ibis.common import temporal

    found = getattr(temporal, name, None)
    if isinstance(found, type) and issubclass(found, Enum):
        return [repr(member.value) for member in found]
    return []


def _plain_signature(signature: str) -> str:
    """``Value[String, DataShape]`` → ``string`` inside the expected signature."""

    def plain(match: re.Match[str]) -> str:
        return " | ".join(snake(part) for part in _dtypes(match.group(1)))

    return re.sub(r"Value\[((?:Union\[[^\]]+\])|\w+), \w+\]", plain, signature)


def _dtypes(dtype: str) -> list[str]:
    """``Union[Numeric, Boolean]`` → ``["Numeric", "Boolean"]``; ``String`` → ``["String"]``."""
    union = re.fullmatch(r"Union\[(.+)\]", dtype)
    return [part.strip() for part in (union.group(1) if union else dtype).split(",")]


def _plural(described: str) -> str:
    """``a string value`` → ``string values``."""
    if described.startswith("an Ibis value"):
        return "Ibis values (columns, scalar expressions or literals)"
    return f"{described.split(' ', 1)[-1]}s"


def _article(words: str) -> str:
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"
