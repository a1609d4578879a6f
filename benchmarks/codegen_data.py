"""The small shop dataset of the code-generation benchmark, the same rows in every engine.

Four tables, generated from a fixed seed (no file to ship, no download):

- ``customers(customer_id, name, email, country, signup_date)``: a few have no email or
  no country, and the last few never order;
- ``products(product_id, name, category, price)``: a few have no category, a few are
  never ordered;
- ``orders(order_id, customer_id, order_date, shipped_date, status, amount)`` in 2023 and
  2024: ``shipped_date`` only once shipped, ``amount`` (the lines' total) missing on a few;
- ``order_items(order_id, product_id, quantity, unit_price)``: one to four lines an order.

:func:`connect` loads them into DuckDB (in memory), SQLite (a file in a given folder) or
PostgreSQL (a running server: ``tests/postgres_server.py`` starts a throwaway one).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SEED = 20240917
ENGINES = ("duckdb", "sqlite", "postgres")
#: Table → column → Ibis type, in column order. The check process gets exactly these.
SCHEMAS: dict[str, dict[str, str]] = {
    "customers": {
        "customer_id": "int64",
        "name": "string",
        "email": "string",
        "country": "string",
        "signup_date": "date",
    },
    "products": {
        "product_id": "int64",
        "name": "string",
        "category": "string",
        "price": "float64",
    },
    "orders": {
        "order_id": "int64",
        "customer_id": "int64",
        "order_date": "date",
        "shipped_date": "date",
        "status": "string",
        "amount": "float64",
    },
    "order_items": {
        "order_id": "int64",
        "product_id": "int64",
        "quantity": "int64",
        "unit_price": "float64",
    },
}

N_CUSTOMERS, NEVER_ORDERING = 80, 6
NEVER_ORDERED = 3
N_ORDERS = 520
FIRST_DAY, LAST_DAY = date(2023, 1, 1), date(2024, 12, 31)

FIRST_NAMES = [
    "Ada", "Alan", "Amira", "Anna", "Ben", "Carla", "Chen", "Diego", "Elena", "Farah",
    "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Luis", "Maya", "Nadia", "Omar",
    "Priya", "Rosa", "Sven", "Tariq", "Yuki", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Silva", "Novak", "Okafor", "Larsen", "Moreau", "Tanaka", "Weber", "Garcia", "Khan",
    "Rossi", "Smith", "Dubois", "Ivanova", "Kim", "Lopez", "Meyer", "Nguyen", "Patel",
]  # fmt: skip
COUNTRIES = [("US", 5), ("DE", 3), ("UK", 3), ("FR", 2), ("BR", 2), ("JP", 2), ("CA", 1)]
DOMAINS = ["example.com", "mail.net", "shop.org"]
CATEGORY_ITEMS = {
    "Books": ["Atlas", "Cookbook", "Novel", "Field Guide", "Poetry Collection"],
    "Electronics": ["Headphones", "Desk Lamp", "Keyboard", "Webcam", "Charger", "Speaker"],
    "Garden": ["Hose", "Shovel", "Planter", "Seed Kit", "Garden Lamp"],
    "Kitchen": ["Kettle", "Knife Set", "Blender", "Teapot", "Cutting Board", "Spice Rack"],
    "Toys": ["Puzzle", "Kite", "Robot Kit", "Board Game", "Yo-Yo"],
}
ADJECTIVES = ["Classic", "Compact", "Deluxe", "Eco", "Mini", "Pro", "Smart", "Travel"]
STATUSES = [("completed", 60), ("shipped", 14), ("pending", 8), ("cancelled", 11), ("returned", 7)]

Rows = dict[str, list[tuple[Any, ...]]]


def _days(start: date, end: date) -> int:
    return (end - start).days


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def generate(seed: int = SEED) -> Rows:
    """Every table's rows (tuples in :data:`SCHEMAS` column order); same seed, same rows."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    customers = []
    for customer_id in range(1, N_CUSTOMERS + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first.lower()}.{last.lower()}{customer_id}@{rng.choice(DOMAINS)}"
        country = _pick(rng, COUNTRIES)
        signup = date(2022, 1, 1) + timedelta(
            days=rng.randrange(_days(date(2022, 1, 1), date(2024, 9, 30)))
        )
        customers.append([customer_id, f"{first} {last}", email, country, signup])
    for index in rng.sample(range(N_CUSTOMERS), 5):
        customers[index][2] = None  # no email
    for index in rng.sample(range(N_CUSTOMERS), 4):
        customers[index][3] = None  # no country

    products = []
    names = [(category, item) for category, items in CATEGORY_ITEMS.items() for item in items]
    rng.shuffle(names)
    for product_id, (category, item) in enumerate(names, start=1):
        price = round(
            rng.uniform(4, 40) if category in ("Books", "Toys") else rng.uniform(8, 320), 2
        )
        products.append([product_id, f"{rng.choice(ADJECTIVES)} {item}", category, price])
    for index in rng.sample(range(len(products)), 3):
        products[index][2] = None  # no category

    orders, items = [], []
    buyers = customers[: N_CUSTOMERS - NEVER_ORDERING]
    sold = products[:-NEVER_ORDERED]
    for order_id in range(1, N_ORDERS + 1):
        customer_id, _, _, _, signup = rng.choice(buyers)
        start = max(signup, FIRST_DAY)
        if start > LAST_DAY - timedelta(days=7):
            start = LAST_DAY - timedelta(days=60)
        order_date = start + timedelta(days=rng.randrange(_days(start, LAST_DAY) + 1))
        status = _pick(rng, STATUSES)
        shipped = None
        if status in ("completed", "shipped", "returned"):
            shipped = order_date + timedelta(days=rng.randint(1, 9))
        total = 0.0
        for product_id, _, _, price in rng.sample(sold, rng.randint(1, 4)):
            quantity = rng.choice([1, 1, 1, 2, 2, 3, 4, 5])
            unit_price = round(price * rng.choice([1, 1, 1, 0.9, 0.8]), 2)
            items.append((order_id, product_id, quantity, unit_price))
            total += quantity * unit_price
        orders.append([order_id, customer_id, order_date, shipped, status, round(total, 2)])
    for index in rng.sample(range(N_ORDERS), 7):
        orders[index][5] = None  # amount not recorded

    return {
        "customers": [tuple(row) for row in customers],
        "products": [tuple(row) for row in products],
        "orders": [tuple(row) for row in orders],
        "order_items": items,
    }


def table_specs() -> dict[str, dict[str, Any]]:
    """The check process's ``tables``: each table under its own name as the variable."""
    return {name: {"name": name, "schema": dict(schema)} for name, schema in SCHEMAS.items()}


def memtables(rows: Rows) -> dict[str, Any]:
    """The rows as ``ibis.memtable``s with exactly :data:`SCHEMAS`' types."""
    import ibis

    tables = {}
    for name, schema in SCHEMAS.items():
        columns = {column: [row[i] for row in rows[name]] for i, column in enumerate(schema)}
        tables[name] = ibis.memtable(columns, schema=ibis.schema(schema))
    return tables


def connect(
    engine: str,
    rows: Rows,
    *,
    workdir: Path | None = None,
    postgres: Mapping[str, object] | None = None,
) -> Any:
    """A connection to ``engine`` holding the four tables (created afresh).

    ``workdir``: the folder of SQLite's file; ``postgres``: ``ibis.postgres.connect``'s
    keyword arguments (host, port, user, database).
    """
    import ibis

    if engine == "duckdb":
        con = ibis.duckdb.connect()
    elif engine == "sqlite":
        if workdir is None:
            raise ValueError("SQLite needs a workdir for its database file")
        path = workdir / "codegen.sqlite"
        path.unlink(missing_ok=True)
        con = ibis.sqlite.connect(path)
    elif engine == "postgres":
        if postgres is None:
            raise ValueError("PostgreSQL needs connection parameters")
        con = ibis.postgres.connect(**postgres)
    else:
        raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    for name, table in memtables(rows).items():
        con.create_table(name, table, overwrite=True)
    return con


def namespace(con: Any) -> dict[str, Any]:
    """``{variable: table}`` bound to ``con``: what a user's notebook would hold."""
    return {name: con.table(name) for name in SCHEMAS}
