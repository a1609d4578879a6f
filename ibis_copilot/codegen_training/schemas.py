"""Generated table schemas, each with a dimension table to join, and rows to run on.

The domains are generic (trips, flights, payments, ...); none is the shop dataset of
the code-generation benchmark, so the benchmark measures Ibis on schemas never trained on.
Most schemas spell some columns differently from their domain (``trip_day`` or
``trip_trip_date``... see :func:`respelt`), in snake, camel or upper case, while requests
keep the domain's words ("trip date"): a model trained on them must take a column's name
from the schema it is shown, not recall it from a domain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

#: Column kinds: a categorical string, a free string, integers, floats, dates, timestamps.
CATEGORY, TEXT, INT, FLOAT, DATE, TIMESTAMP = "category", "text", "int", "float", "date", "ts"
IBIS_TYPE = {
    CATEGORY: "string",
    TEXT: "string",
    INT: "int64",
    FLOAT: "float64",
    DATE: "date",
    TIMESTAMP: "timestamp",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    values: tuple[Any, ...] = ()  # categories, or (low, high) for numbers
    nullable: bool = False
    said: str = ""  # how a user names the column; empty: its name in words


@dataclass(frozen=True)
class Domain:
    """A fact table keyed by ``key`` with a foreign key into a small dimension table."""

    table: str
    key: str
    dimension: str
    foreign_key: str
    columns: tuple[Column, ...]
    dimension_columns: tuple[Column, ...]


def _cat(name: str, *values: str, nullable: bool = False) -> Column:
    return Column(name, CATEGORY, values, nullable)


REGIONS = _cat("region", "north", "south", "east", "west")
DOMAINS = (
    Domain(
        "trips", "trip_id", "drivers", "driver_id",
        (
            _cat("city", "Lisbon", "Porto", "Madrid", "Lyon", "Turin"),
            _cat("payment_type", "card", "cash", "wallet"),
            Column("distance_km", FLOAT, (0.5, 40.0)),
            Column("fare", FLOAT, (3.0, 90.0)),
            Column("tip", FLOAT, (0.0, 15.0), nullable=True),
            Column("trip_date", DATE),
            Column("started_at", TIMESTAMP),
        ),
        (Column("driver_name", TEXT), REGIONS, Column("rating", FLOAT, (3.0, 5.0))),
    ),
    Domain(
        "employees", "employee_id", "departments", "department_id",
        (
            _cat("title", "engineer", "analyst", "manager", "designer"),
            _cat("city", "Berlin", "Oslo", "Austin", "Pune", nullable=True),
            Column("salary", FLOAT, (30000.0, 160000.0)),
            Column("age", INT, (21, 65)),
            Column("hire_date", DATE),
            Column("bonus", FLOAT, (0.0, 20000.0), nullable=True),
        ),
        (Column("department_name", TEXT), _cat("floor", "1", "2", "3")),
    ),
    Domain(
        "flights", "flight_id", "carriers", "carrier_code",
        (
            _cat("origin", "JFK", "LAX", "ORD", "SFO", "SEA"),
            _cat("dest", "BOS", "MIA", "DEN", "ATL", "PHX"),
            Column("distance", INT, (150, 3000)),
            Column("dep_delay", INT, (-15, 240), nullable=True),
            Column("flight_date", DATE),
            Column("departed_at", TIMESTAMP),
        ),
        (Column("carrier_name", TEXT), _cat("country", "US", "CA", "MX")),
    ),
    Domain(
        "payments", "payment_id", "accounts", "account_id",
        (
            _cat("method", "card", "transfer", "paypal"),
            _cat("currency", "EUR", "USD", "GBP"),
            _cat("state", "settled", "failed", "refunded"),
            Column("value", FLOAT, (1.0, 2500.0)),
            Column("fee", FLOAT, (0.0, 30.0), nullable=True),
            Column("paid_at", TIMESTAMP),
            Column("paid_on", DATE),
        ),
        (Column("holder", TEXT), REGIONS, Column("opened_on", DATE)),
    ),
    Domain(
        "readings", "reading_id", "sensors", "sensor_id",
        (
            _cat("metric", "temperature", "humidity", "pressure"),
            Column("measurement", FLOAT, (-10.0, 110.0), nullable=True),
            Column("battery", INT, (0, 100)),
            Column("recorded_at", TIMESTAMP),
            Column("recorded_on", DATE),
        ),
        (Column("location", TEXT), _cat("model", "S1", "S2", "X9")),
    ),
    Domain(
        "tickets", "ticket_id", "agents", "agent_id",
        (
            _cat("priority", "low", "medium", "high", "urgent"),
            _cat("channel", "email", "phone", "chat"),
            Column("opened_on", DATE),
            Column("satisfaction", INT, (1, 5), nullable=True),
            Column("minutes_spent", INT, (1, 600)),
            Column("subject", TEXT),
        ),
        (Column("agent_name", TEXT), _cat("team", "tier1", "tier2", "billing")),
    ),
    Domain(
        "enrollments", "enrollment_id", "students", "student_id",
        (
            _cat("course", "math", "physics", "history", "art"),
            _cat("term", "spring", "summer", "fall"),
            Column("grade", FLOAT, (0.0, 100.0), nullable=True),
            Column("credits", INT, (1, 6)),
            Column("enrolled_on", DATE),
        ),
        (Column("student_name", TEXT), _cat("major", "science", "arts", "law")),
    ),
    Domain(
        "listings", "listing_id", "hosts", "host_id",
        (
            _cat("neighbourhood", "Centro", "Harbor", "Old Town", "Hills"),
            _cat("room_type", "entire", "private", "shared"),
            Column("nightly_price", FLOAT, (25.0, 600.0)),
            Column("reviews", INT, (0, 400)),
            Column("listed_on", DATE),
            Column("headline", TEXT),
        ),
        (Column("host_name", TEXT), Column("superhost_since", DATE)),
    ),
    Domain(
        "sales", "sale_id", "stores", "store_id",
        (
            _cat("sku", "A-100", "B-200", "C-300", "D-400"),
            _cat("channel", "online", "retail", nullable=True),
            Column("units", INT, (1, 50)),
            Column("revenue", FLOAT, (5.0, 5000.0)),
            Column("discount", FLOAT, (0.0, 0.5), nullable=True),
            Column("sold_on", DATE),
        ),
        (Column("store_name", TEXT), REGIONS, Column("size_m2", INT, (80, 2000))),
    ),
    Domain(
        "visits", "visit_id", "patients", "patient_id",
        (
            _cat("clinic", "central", "riverside", "uptown"),
            _cat("diagnosis", "flu", "sprain", "checkup", nullable=True),
            Column("cost", FLOAT, (20.0, 1200.0)),
            Column("wait_minutes", INT, (0, 180)),
            Column("visit_date", DATE),
            Column("checked_in_at", TIMESTAMP),
        ),
        (Column("patient_name", TEXT), Column("birth_year", INT, (1940, 2015))),
    ),
    Domain(
        "shipments", "shipment_id", "warehouses", "warehouse_id",
        (
            _cat("carrier", "DHL", "UPS", "FedEx", "Post"),
            _cat("state", "delivered", "in_transit", "lost"),
            Column("weight_kg", FLOAT, (0.1, 80.0)),
            Column("shipped_on", DATE),
            Column("delivered_on", DATE, nullable=True),
            Column("parcels", INT, (1, 12)),
        ),
        (Column("warehouse_name", TEXT), REGIONS),
    ),
    Domain(
        "matches", "match_id", "teams", "team_id",
        (
            _cat("venue", "home", "away", "neutral"),
            _cat("competition", "league", "cup", "friendly"),
            Column("goals", INT, (0, 7)),
            Column("attendance", INT, (500, 80000), nullable=True),
            Column("played_on", DATE),
            Column("kickoff_at", TIMESTAMP),
        ),
        (Column("team_name", TEXT), _cat("league", "A", "B", "C")),
    ),
)  # fmt: skip

WORDS = (
    "amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris",
    "juniper", "kestrel", "lumen", "maple", "nova", "onyx", "pine", "quartz", "river",
)  # fmt: skip
FIRST_DAY = date(2022, 1, 1)
SPAN_DAYS = 3 * 365


@dataclass
class Table:
    """A generated table: its name, columns (kind by name) and rows."""

    name: str
    columns: dict[str, Column]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def ibis_schema(self) -> dict[str, str]:
        return {name: IBIS_TYPE[column.kind] for name, column in self.columns.items()}

    def of_kind(self, *kinds: str) -> list[str]:
        return [name for name, column in self.columns.items() if column.kind in kinds]


@dataclass
class GeneratedSchema:
    """The fact table and its dimension, made from one seed."""

    seed: int
    domain: Domain
    fact: Table
    dimension: Table

    @property
    def tables(self) -> dict[str, Table]:
        return {self.fact.name: self.fact, self.dimension.name: self.dimension}


def _moment(rng: random.Random, kind: str) -> date | datetime:
    day = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
    if kind == DATE:
        return day
    return datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60))


def _value(rng: random.Random, column: Column, index: int) -> Any:
    value: Any = None
    if column.nullable and rng.random() < 0.12:
        value = None
    elif column.kind == CATEGORY:
        value = rng.choice(column.values)
    elif column.kind == TEXT:
        value = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {index}".title()
    elif column.kind == INT:
        value = rng.randint(*column.values)
    elif column.kind == FLOAT:
        value = round(rng.uniform(*column.values), 2)
    else:
        value = _moment(rng, column.kind)
    return value


#: Other endings a column's name often has in real tables.
ENDINGS = {
    "_date": ("_day", "_dt", "_on"),
    "_on": ("_date", "_day"),
    "_at": ("_ts", "_time", "_timestamp"),
    "_id": ("_key", "_no", "id"),
}
#: Case styles of a whole schema, and how often each is drawn.
STYLES = {"snake": 70, "camel": 12, "upper": 12, "pascal": 6}


def singular(table: str) -> str:
    if table.endswith("ches"):
        return table[:-2]
    return table[:-1] if table.endswith("s") else table


def styled(name: str, style: str) -> str:
    """``name`` (snake case) in ``style``."""
    parts = name.split("_")
    if style == "camel":
        return parts[0] + "".join(part.title() for part in parts[1:])
    if style == "pascal":
        return "".join(part.title() for part in parts)
    return name.upper() if style == "upper" else name


def _respelt_name(name: str, prefix: str, rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.5:
        return name
    for ending, others in ENDINGS.items():
        if name.endswith(ending) and draw < 0.8:
            return name[: -len(ending)] + rng.choice(others)
    return name if name.startswith(prefix) else f"{prefix}_{name}"


def respelt(domain: Domain, seed: int) -> Domain:
    """``domain`` with columns renamed for ``seed``: about half of them given another
    ending or the table's name as a prefix, all in one case style; each column keeps the
    domain's words for it in ``said``. A quarter of the seeds keep the domain as it is."""
    rng = random.Random(seed * 104_729 + 7)  # noqa: S311 - data generation
    if rng.random() < 0.25:
        return domain
    style = rng.choices(list(STYLES), weights=list(STYLES.values()))[0]
    names: dict[str, str] = {}

    def renamed(name: str, table: str) -> str:
        if name not in names:
            new = styled(_respelt_name(name, singular(table), rng), style)
            names[name] = name if new in names.values() else new
        return names[name]

    def column(original: Column, table: str) -> Column:
        said = original.said or original.name.replace("_", " ")
        return replace(original, name=renamed(original.name, table), said=said)

    return Domain(
        domain.table,
        renamed(domain.key, domain.table),
        domain.dimension,
        renamed(domain.foreign_key, domain.dimension),
        tuple(column(c, domain.table) for c in domain.columns),
        tuple(column(c, domain.dimension) for c in domain.dimension_columns),
    )


def generate_schema(seed: int, rows: int = 60) -> GeneratedSchema:
    """A domain (:func:`respelt` for ``seed``), a random subset of its columns, and rows,
    all from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - data generation, not security
    domain = respelt(DOMAINS[seed % len(DOMAINS)], seed)
    optional = list(domain.columns)
    kept = [c for c in optional if rng.random() < 0.8 or c.kind in (CATEGORY, DATE)]
    keys = max(3, rows // 8)
    fact_columns = {
        domain.key: Column(domain.key, INT),
        domain.foreign_key: Column(domain.foreign_key, INT, (1, keys + 2)),
        **{column.name: column for column in kept},
    }
    fact = Table(domain.table, fact_columns)
    fact.rows = [
        (index + 1, rng.randint(1, keys + 2), *(_value(rng, c, index) for c in kept))
        for index in range(rows)
    ]  # a few foreign keys have no dimension row: joins and anti-joins differ
    dimension = Table(
        domain.dimension,
        {
            domain.foreign_key: Column(domain.foreign_key, INT),
            **{column.name: column for column in domain.dimension_columns},
        },
    )
    dimension.rows = [
        (key, *(_value(rng, c, key) for c in domain.dimension_columns))
        for key in range(1, keys + 1)
    ]
    return GeneratedSchema(seed, domain, fact, dimension)


def connect(schema: GeneratedSchema) -> Any:
    """An in-memory DuckDB connection holding the schema's tables."""
    import ibis

    con = ibis.duckdb.connect()
    for table in schema.tables.values():
        names = list(table.columns)
        data = {name: [row[i] for row in table.rows] for i, name in enumerate(names)}
        con.create_table(table.name, ibis.memtable(data, schema=table.ibis_schema()))
    return con
