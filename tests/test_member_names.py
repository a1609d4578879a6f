"""Name-constrained decoding: after a dot on an Ibis chain the model writes only real names.

Where the constraint applies (chains, strings, comments, ``ibis.``), the names it allows
(from the schemas and the installed Ibis), the vocabulary index with the real tokenizer,
the worker's request field, and the real small model writing an existing name where,
left free, it invents one."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ibis_copilot.assistant.complete import CompleteWorkflow, CompletionRequest
from ibis_copilot.expressions.member_names import member_names, roots_in
from ibis_copilot.models.base import CancelToken, stop_at
from ibis_copilot.models.member_names import MemberNames
from ibis_copilot.models.registry import local_generator
from ibis_copilot.models.worker_server import RequestError, parse_params

TABLES = {
    "orders": {"name": "orders", "schema": {"order_id": "int64", "amount": "float64"}},
    "customers": {"name": "customers", "schema": {"customer_id": "int64", "name": "string"}},
}
NAMES = MemberNames(
    roots=frozenset({"orders", "ibis", "_"}),
    members=frozenset({"filter", "amount", "sum", "select"}),
    modules={"ibis": frozenset({"desc", "literal"})},
    columns=frozenset({"order_id", "amount"}),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = orders.", ("", NAMES.members)),
        ("orders.filter(orders.amount > 1).su", ("su", NAMES.members)),
        ("print(orders.amo", ("amo", NAMES.members)),
        ("orders[0].", ("", NAMES.members)),
        ("ibis.de", ("de", NAMES.modules["ibis"])),
        ("ibis.desc('amount').", ("", NAMES.members)),
        ("df.hea", None),  # not an Ibis root
        ("1.5", None),  # a number
        ('con.read_parquet("orders.', None),  # inside a string
        ("# see orders.", None),  # inside a comment
        ("(orders.amount + 1).", None),  # a chain that does not start at a name
    ],
)
def test_where_the_constraint_applies(text: str, expected: object) -> None:
    assert NAMES.allowed_after(text) == expected


@pytest.mark.parametrize(
    ("text", "partial"),
    [
        ('orders.select("', ""),
        ('orders.select("order_id", "am', "am"),
        ("orders.group_by('", ""),
        ('orders.order_by(ibis.desc("ord', "ord"),
        ('orders["am', "am"),
        ('recent = orders\nrecent.select(\n    "order_id",\n    "', None),  # not a root here
        ('orders.select(\n    "order_id",\n    "', ""),
        ('orders.amount.cast("', None),  # a type, not a column
        ('orders.filter(orders.amount.contains("', None),  # a value
        ('con.read_parquet("', None),  # not an Ibis root
        ('orders.select("order_id")', None),  # the string is closed
        ('orders.select("a b', None),  # not a name
    ],
)
def test_a_string_that_names_a_column_takes_only_columns(text: str, partial: str | None) -> None:
    expected = None if partial is None else (partial, NAMES.columns)
    assert NAMES.allowed_after(text) == expected
    assert replace(NAMES, columns=frozenset()).allowed_after(text) is None, "no columns known"


def test_a_column_the_code_makes_may_be_named_in_a_string_too() -> None:
    text = 'orders.group_by(month=orders.order_date.month()).agg(n=_.count()).order_by("mo'
    partial, names = NAMES.allowed_after(text) or ("", frozenset())
    assert partial == "mo"
    assert {"month", "n", "order_id", "amount"} <= names


def test_member_names_travel_as_json_and_bad_ones_are_refused() -> None:
    assert MemberNames.from_json(NAMES.to_json()) == NAMES
    params = parse_params({"max_tokens": 4, "member_names": NAMES.to_json()})
    assert params.member_names == NAMES
    with pytest.raises(RequestError, match="'members' must be a list of names"):
        parse_params({"member_names": {"roots": ["t"], "members": "filter"}})
    with pytest.raises(RequestError, match="must be an object"):
        parse_params({"member_names": ["filter"]})


def test_roots_and_names_come_from_the_schemas_the_code_and_installed_ibis() -> None:
    code = "recent = orders.filter(orders.amount > 1)\nbig = recent.select('amount')\nn = 3\n"
    assert roots_in(code, TABLES) == {"orders", "customers", "ibis", "_", "recent", "big"}
    names = member_names(code, TABLES)
    assert names.before.endswith("n = 3\n"), "the code the completion continues"
    assert {"amount", "customer_id", "name"} <= names.members, "every table's columns"
    assert names.columns == {"order_id", "amount", "customer_id", "name"}
    assert {"filter", "group_by", "agg", "mean", "over", "upper"} <= names.members
    assert not {"map", "apply", "groupby", "to_f32c"} & names.members, "invented names"
    assert {"desc", "literal", "row_number"} <= names.modules["ibis"]


@pytest.mark.slow
def test_the_vocabulary_index_allows_only_tokens_that_continue_a_real_name() -> None:
    model = local_generator("smollm2-135m-instruct")
    tokens = model.token_table
    decode = model._tokenizer.decode  # the tokenizer the index was built from
    for partial, names in (("", frozenset({"filter", "amount"})), ("fil", frozenset({"filter"}))):
        allowed = {decode([token]) for token in tokens.allowed(partial, names)}
        assert allowed, f"something continues {partial!r}"
        for text in allowed:
            word = re.match(r"\w*", text).group(0)  # type: ignore[union-attr]
            if word == text:  # the name goes on
                assert any(name.startswith(partial + word) for name in names), text
            else:  # the name ends here, exactly
                assert partial + word in names, text
    complete = {decode([token]) for token in tokens.allowed("amount", frozenset({"amount"}))}
    assert {"(", ")", " "} <= complete, "after a complete name, punctuation may follow"


@pytest.mark.slow
def test_the_real_model_writes_a_real_name_where_free_it_invents_one() -> None:
    model = local_generator("smollm2-135m-instruct")
    specs = {
        "orders": {
            "name": "orders",
            "schema": {"order_id": "int64", "customer_id": "int64", "amount": "float64"},
        }
    }
    request = CompletionRequest("x = orders.filter(orders.", "", tables=specs)
    prompt, params = CompleteWorkflow().prepare(model, request)
    assert params.member_names is not None

    def written(constrained: bool) -> list[str]:
        cancel = CancelToken()
        chosen = params if constrained else replace(params, member_names=None)
        text = "".join(stop_at(model.stream(prompt, chosen, cancel), params.stop, cancel))
        whole = prompt + text
        names = []
        for match in re.finditer(r"\.(\w+)", whole[len(prompt) - 1 :]):
            at = len(prompt) - 1 + match.start() + 1
            position = params.member_names.allowed_after(whole[:at])  # type: ignore[union-attr]
            if position is not None:
                names.append((match.group(1), position[1]))
        return [name for name, allowed in names if name not in allowed]

    # Measured: left free, the greedy model writes ``orders.map(lambda ...)``.
    assert written(constrained=False), "free, it writes a name that does not exist"
    assert written(constrained=True) == [], "constrained, every name after a dot exists"


@pytest.mark.slow
def test_the_real_model_names_a_real_column_in_a_select_string() -> None:
    model = local_generator("smollm2-135m-instruct")
    specs = {"orders": {"name": "orders", "schema": {"order_id": "int64", "amount": "float64"}}}
    request = CompletionRequest('x = orders.select("', "", tables=specs)
    prompt, params = CompleteWorkflow().prepare(model, request)

    def first_string(constrained: bool) -> str:
        cancel = CancelToken()
        chosen = params if constrained else replace(params, member_names=None)
        text = "".join(stop_at(model.stream(prompt, chosen, cancel), params.stop, cancel))
        return re.match(r"\w*", text).group(0)  # type: ignore[union-attr]

    free, constrained = first_string(constrained=False), first_string(constrained=True)
    assert free not in {"order_id", "amount"}, f"free, it writes {free!r}: no column"
    assert constrained in {"order_id", "amount"}
