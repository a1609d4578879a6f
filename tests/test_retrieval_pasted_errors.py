"""A pasted Ibis error is searched as what the repair rules say about it: the method to
write instead comes first, not the expression classes and internals the message names."""

from __future__ import annotations

import ibis
import pytest
from knowledge_helpers import ListSource, api_chunk

from ibis_copilot.knowledge.error_queries import guessed_tables, lead_code, read_error_query
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

orders = ibis.table(
    {"order_id": "int64", "amount": "float64", "status": "string", "created_at": "timestamp"},
    name="orders",
)


def pasted(code: str) -> str:
    """``Type: message`` of the error ``code`` raises, as a user pastes it."""
    try:
        eval(code, {"orders": orders, "ibis": ibis})  # noqa: S307 - fixed test snippets
    except Exception as error:  # noqa: BLE001 - the error is the test's input
        return f"{type(error).__name__}: {error}"
    raise AssertionError(f"{code} did not raise")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    chunks = [
        api_chunk("ibis.expr.types.relations.Table.order_by", "Sort a table by one or more keys."),
        api_chunk("ibis.expr.types.strings.StringValue.contains", "Whether a substring is in."),
        api_chunk("ibis.expr.types.maps.MapValue.contains", "Whether the map has a key."),
        api_chunk("ibis.expr.types.arrays.ArrayValue.contains", "Whether the array has a value."),
        api_chunk(
            "ibis.expr.types.temporal.TimestampValue.truncate", "Truncate to a unit: Y Q M W D."
        ),
        api_chunk("ibis.expr.types.numeric.IntegerColumn", "An integer column of an Ibis table."),
        api_chunk("ibis.expr.types.strings.StringColumn", "A string column of an Ibis table."),
        api_chunk("ibis.expr.types.relations.Table", "A table expression: order_id, status."),
    ]
    knowledge = KnowledgeBase(tmp_path_factory.mktemp("kb"))
    knowledge.index([ListSource("api", chunks)], progress=False)
    return knowledge


def test_a_question_is_not_read_as_an_error() -> None:
    assert read_error_query("how do I sort a table by two columns") is None


def test_a_pandas_habit_is_searched_as_its_ibis_method(base: KnowledgeBase) -> None:
    query = pasted("orders.sort_values('amount')")
    assert query == "AttributeError: 'Table' object has no attribute 'sort_values'"
    read = read_error_query(query)
    assert read is not None
    assert "order_by" in read.names
    assert "in Ibis: `t.order_by(" in read.text, "the rules' diagnosis is searched"
    top = base.search(query, k=2)[0]
    assert top.path == "api:ibis.expr.types.relations.Table.order_by"


@pytest.mark.parametrize(
    ("code", "page"),
    [
        ("orders.status.contains(orders.order_id)", "StringValue.contains"),
        ("orders.created_at.truncate('Q1')", "TimestampValue.truncate"),
    ],
)
def test_a_signature_error_finds_the_method_not_the_classes_it_names(
    base: KnowledgeBase, code: str, page: str
) -> None:
    query = pasted(code)
    assert "UnboundTable: orders" in query
    read = read_error_query(query)
    assert read is not None
    assert "UnboundTable" not in read.text, "the table's repr is not searched"
    assert "order_id    int64" not in read.text
    top = base.search(query, k=3)
    assert top[0].path.endswith(page), "the operation's first word picks the class"
    assert not any(r.path.endswith(("IntegerColumn", "StringColumn")) for r in top[:1])


def test_without_the_error_reading_the_classes_named_come_first(base: KnowledgeBase) -> None:
    """What the reading changes: the same message, searched as an ordinary query (names
    written as code are pinned), puts the expression class it names first."""
    message = pasted("orders.status.contains(orders.order_id)").split(": ", 1)[1]
    top = base.search(f"why {message}", k=1)[0]
    assert read_error_query(f"why {message}") is None
    assert not top.path.endswith("StringValue.contains")


def test_expression_classes_in_the_message_are_searched_as_words() -> None:
    read = read_error_query("AttributeError: 'FloatingColumn' object has no attribute 'arccos'")
    assert read is not None
    assert "floating column" in read.text
    assert "FloatingColumn" not in read.text
    read = read_error_query("AttributeError: 'JSONValue' object has no attribute 'keys'")
    assert read is not None
    assert "json value" in read.text


MESSAGE = "AttributeError: 'Table' object has no attribute 'sort_values'"


@pytest.mark.parametrize(
    "query",
    [
        f"getting this: {MESSAGE}",
        f"orders.sort_values('amount')\n{MESSAGE}",
        f"ibis.common.exceptions.{MESSAGE}",
        f"FutureWarning: `Table.fillna` is deprecated\n{MESSAGE}",
        "why 'Table' object has no attribute 'sort_values'",
    ],
    ids=["lead-in with a colon", "code line first", "dotted name", "warning first", "no name"],
)
def test_an_error_is_read_however_it_is_pasted(base: KnowledgeBase, query: str) -> None:
    read = read_error_query(query)
    assert read is not None
    assert "order_by" in read.names
    assert base.search(query, k=1)[0].path == "api:ibis.expr.types.relations.Table.order_by"


def test_a_traceback_keeps_the_users_line_and_drops_the_librarys() -> None:
    python = (
        "Traceback (most recent call last):\n"
        '  File "<stdin>", line 1, in <module>\n'
        "    orders.sort_values('amount')\n"
        '  File "/venv/lib/python3.11/site-packages/ibis/expr/types/relations.py", line 9\n'
        "    return self._fast_bind(*args)\n"
        f"{MESSAGE}"
    )
    ipython = (
        "-" * 40 + "\nAttributeError          Traceback (most recent call last)\n"
        "Cell In[3], line 2\n      1 top = orders\n----> 2 top.sort_values('amount')\n\n"
        "File ~/venv/lib/python3.11/site-packages/ibis/expr/types/relations.py:512, in f\n"
        "    510 pass\n--> 512 return self._fast_bind(*args)\n\n"
        f"{MESSAGE}"
    )
    for query, line in ((python, "orders.sort_values('amount')"), (ipython, "top.sort_values")):
        read = read_error_query(query)
        assert read is not None
        assert line in read.text
        assert "_fast_bind" not in read.text
        assert "Traceback" not in read.text
        assert "order_by" in read.names


def test_what_the_user_wrote_around_the_error_is_searched() -> None:
    read = read_error_query(f"padding ids: {MESSAGE} -- with zeros on the left")
    assert read is not None
    assert read.text.startswith("padding ids:")
    assert "with zeros on the left" in read.text


def test_a_message_is_the_last_exception_of_a_chain() -> None:
    query = f"ValueError: first\n\nThe above exception was the direct cause:\n\n{MESSAGE}"
    read = read_error_query(query)
    assert read is not None
    assert "order_by" in read.names


def test_the_code_pasted_before_the_error_is_read_and_prose_is_not() -> None:
    lead = "getting this when I run it:\n`orders.amount.shift(1)` fails | orders.status.upper()"
    assert lead_code(lead) == "orders.amount.shift(1)\norders.status.upper()"
    assert lead_code("getting this | hello world") == ""


def test_the_method_the_rules_fix_writes_is_named_first() -> None:
    code = 'orders.order_by("amount DESC").limit(10)'
    message = pasted(code)
    assert read_error_query(message) is not None
    assert "desc" not in read_error_query(message).names, "the message alone does not say"
    with_code = read_error_query(f"{code}\n\n{message}")
    assert with_code is not None
    assert with_code.names[0] == "desc", "the rules' fix writes ibis.desc(...) into the code"


def test_a_missing_attribute_is_not_named_even_when_the_rules_quote_it() -> None:
    code = "orders.filter(orders.created_at.notna())"
    read = read_error_query(f"{code}\n\n{pasted(code)}")
    assert read is not None
    assert read.names == ["notnull"], "the rules quote `.notna`, which the column lacks"


def test_a_call_inside_a_line_of_prose_is_read_as_the_code() -> None:
    lead = "Computing due dates: loans.mutate(due=loans.loaned + loans.days) gives"
    assert lead_code(lead) == "loans.mutate(due=loans.loaned + loans.days)"
    assert lead_code("so the run raises this") == ""


def test_the_tables_of_pasted_code_are_told_from_the_classes_the_message_names() -> None:
    code = "loans.mutate(due=loans.loaned + loans.days)"
    message = "unsupported operand type(s) for +: 'DateColumn' and 'IntegerColumn'"
    tables = guessed_tables(code, message)
    assert tables["loans"].schema() == ibis.schema({"loaned": "date", "days": "int64"})
    # one class for two columns: both are taken to be of it; none named: numbers
    one_class = guessed_tables(code, "'DateColumn' object is not callable")
    assert one_class["loans"].schema() == ibis.schema({"loaned": "date", "days": "date"})
    no_class = guessed_tables(code, "TypeError: bad operand")
    assert no_class["loans"].schema() == ibis.schema({"loaned": "float64", "days": "float64"})
    # two classes that do not pair up with the columns: nothing is guessed
    assert guessed_tables("t.a + t.b + t.c", "'DateColumn' and 'IntegerColumn'") == {}


def test_a_column_no_class_is_named_for_is_of_a_type_with_the_methods_used_on_it() -> None:
    code = "deps.mutate(slot=deps.departs_at.minute // 15, first=deps['stop'].upper())"
    tables = guessed_tables(code, "unsupported operand type(s) for //: 'method' and 'int'")
    assert tables["deps"].schema() == ibis.schema({"departs_at": "timestamp", "stop": "string"})
    read = read_error_query(
        f"{code}\nTypeError: unsupported operand type(s) for //: 'method' and 'int'"
    )
    assert read is not None
    assert read.names[0] == "minute", "the rules say the method is called: departs_at.minute()"


def test_with_the_tables_told_the_rules_name_the_method_an_array_needs() -> None:
    code = "t.mutate(n_tags=len(t.tags)) raises"
    read = read_error_query(f"{code} TypeError: object of type 'ArrayColumn' has no len()")
    assert read is not None
    assert read.names[0] == "length", "the rules' fix writes t.tags.length()"
    no_class = read_error_query(f"{code} TypeError: has no len()")
    assert no_class is not None
    assert "length" not in no_class.names, "without the column's class the rules cannot tell"


def test_a_pasted_row_test_of_several_columns_names_the_selector_that_does_it() -> None:
    code = "readings.filter((readings[['vib_1', 'vib_2']] > 7.1).any(axis=1))"
    read = read_error_query(
        f"{code}\n\nTypeError: '>' not supported between instances of 'Table' and 'float'"
    )
    assert read is not None
    assert read.names[0] == "if_any", "the rules' fix writes ibis.selectors.if_any(...)"


def test_a_python_function_applied_to_a_pasted_column_names_its_ibis_method() -> None:
    code = "members.mutate(bucket=members.member_id.apply(hash) % 10)"
    read = read_error_query(
        f"{code}\n\nAttributeError: 'StringColumn' object has no attribute 'apply'"
    )
    assert read is not None
    assert read.names == ["hash"]


def test_pythons_boolean_operators_are_searched_as_the_ibis_operators_they_stand_for() -> None:
    truth = "ValueError: The truth value of an Ibis expression is not defined"
    negated = read_error_query(f"t.filter(not t.is_active)\n\n{truth}")
    both = read_error_query(f"t.filter((t.delay > 15) and (t.route == 'North'))\n\n{truth}")
    unknown = read_error_query(truth)
    assert negated is not None
    assert both is not None
    assert unknown is not None
    assert negated.names[0] == "negate"
    assert both.names[:2] == ["and_", "__and__"]
    assert "negate" not in both.names, "the code has no `not`"
    assert unknown.names[:2] == ["and_", "__and__"], "without code, the diagnosis' order"


def test_a_builtin_of_pasted_columns_of_no_named_class_names_its_ibis_function() -> None:
    code = "bins.mutate(billable_kg=max(bins.fill_kg, bins.cap_kg))"
    read = read_error_query(
        f"{code}\n\nValueError: The truth value of an Ibis expression is not defined"
    )
    assert read is not None
    assert read.names[0] == "greatest", "the rules' fix writes ibis.greatest(...)"
