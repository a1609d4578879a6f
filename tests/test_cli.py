"""The `ibis-copilot` command: in process through ``main(argv)`` (the ``cli`` fixture),
and a few runs of the installed console script, as a user would run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import Cli, CliResult
from knowledge_helpers import DOCS, SEARCH_RESULT_FIELDS

from ibis_copilot import __version__
from ibis_copilot.expressions.compile import PORTABILITY_DIALECTS
from ibis_copilot.settings import CONFIG_FILE

SNIPPET = """
import ibis
import pandas as pd
con = ibis.duckdb.connect()
sales = con.create_table("sales", pd.DataFrame({"region": ["n", "s"], "amount": [1.0, 2.0]}))
sales.group_by("region").agg(total=sales.amount.sum())
"""


def assert_one_line_error(result: CliResult, text: str, label: str = "error") -> None:
    """Exit status 1 and a last line ``ibis-copilot[ COMMAND]: LABEL: ...TEXT...``."""
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ibis-copilot")
    assert f": {label}: " in last
    assert text in last


# --- the installed console script (a few smoke runs in a subprocess) ---------------------


def console_script(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("ibis-copilot", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed next to the interpreter"
    return subprocess.run(
        [exe, *args], input=stdin, capture_output=True, text=True, check=False, timeout=120
    )


def test_console_script_version() -> None:
    result = console_script("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ibis-copilot {__version__}"


def test_console_script_help_lists_the_commands() -> None:
    result = console_script("--help")
    assert result.returncode == 0
    for command in ("sql", "fix", "index", "search", "ask", "status", "config", "stats"):
        assert command in result.stdout


def test_console_script_exit_codes() -> None:
    compiled = console_script("sql", "-", "--dialect", "bigquery", stdin=SNIPPET)
    assert compiled.returncode == 0, compiled.stderr
    assert "SUM(`t0`.`amount`)" in compiled.stdout
    refused = console_script("sql", "-", stdin="1 + 1\n")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1].startswith("ibis-copilot: error: ")


# --- in process --------------------------------------------------------------------------


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ibis-copilot {__version__}"


def test_no_command_shows_the_help_and_exits_1(cli: Cli) -> None:
    result = cli()
    assert result.exit_code == 1
    assert result.stdout.startswith("usage: ibis-copilot")


def test_status_json_reports_versions_and_data_dir(cli: Cli, isolated_user_dirs: Path) -> None:
    status = cli("status", "--json").json()
    assert status["version"] == __version__
    assert status["ibis_version"].startswith("12.")
    assert status["data_dir"] == str(isolated_user_dirs / "ibis-copilot-data")
    assert status["index"]["state"] == "absent"


def test_status_text(cli: Cli) -> None:
    result = cli("status")
    assert result.exit_code == 0
    assert "ibis_version" in result.stdout


def test_sql_from_file_uses_the_bound_backend(cli: Cli, tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET)
    payload = cli("sql", str(snippet), "--json").json()
    assert payload["dialect"] == "duckdb"
    assert 'SUM("t0"."amount")' in payload["sql"]


def test_sql_from_stdin_with_dialect(cli: Cli) -> None:
    result = cli("sql", "-", "--dialect", "bigquery", stdin=SNIPPET)
    assert result.exit_code == 0, result.stderr
    assert "SUM(`t0`.`amount`)" in result.stdout


def test_sql_falls_back_to_last_assigned_expression(cli: Cli) -> None:
    code = "import ibis\nt = ibis.table({'a': 'int'}, name='t')\nq = t.limit(2)\ndone = True\n"
    result = cli("sql", "-", stdin=code)
    assert result.exit_code == 0, result.stderr
    assert "LIMIT 2" in result.stdout


def test_sql_all_dialects_json(cli: Cli) -> None:
    code = "import ibis\nt = ibis.table({'xs': 'array<int>'}, name='t')\nt.xs.unnest()\n"
    rows = cli("sql", "-", "--all-dialects", "--json", stdin=code).json()
    assert [row["dialect"] for row in rows] == list(PORTABILITY_DIALECTS)
    mysql = next(row for row in rows if row["dialect"] == "mysql")
    assert mysql["ok"] is False
    assert "Unnest" in mysql["error"]


def test_sql_all_dialects_table(cli: Cli) -> None:
    code = "import ibis\nibis.table({'a': 'int'}, name='t').count()\n"
    result = cli("sql", "-", "--all-dialects", stdin=code)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["dialect", "compiles", "reason"]
    assert "snowflake" in result.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("sql", "-"), "1 + 1\n", "is a builtins.int, not an Ibis expression"),
        (("sql", "-", "-d", "nosuchsql"), "1\n", "unknown dialect 'nosuchsql'; valid dialects:"),
        (("sql", "-"), "x = (\n", "<stdin>, line 1"),
        (("sql", "-"), "x = 1\n", "neither ends with an expression nor assigns"),
        (("sql", "/no/such/file.py"), "", "cannot read /no/such/file.py"),
        (("sql", "-", "-d", "mysql", "--all-dialects"), "1\n", "not allowed with argument"),
        (("nosuchcommand",), "", "invalid choice"),
    ],
)
def test_bad_input_exits_1_with_one_line(
    cli: Cli, args: tuple[str, ...], stdin: str, message: str
) -> None:
    assert_one_line_error(cli(*args, stdin=stdin), message)


def test_failing_snippet_shows_its_own_traceback(cli: Cli) -> None:
    result = cli("sql", "-", stdin="a = 1\nb = a / 0\n")
    assert_one_line_error(result, "the snippet raised ZeroDivisionError")
    assert 'File "<stdin>", line 2' in result.stderr
    assert "b = a / 0" in result.stderr
    assert "snippet.py" not in result.stderr, "no frames from ibis-copilot itself"


def test_index_then_search_json(cli: Cli) -> None:
    report = cli("index", "--docs", str(DOCS), "--no-package", "--json").json()
    assert report["sources"][0]["source"] == "docs"
    assert report["sources"][0]["added"] > 0

    results = cli("search", "percent of total per group", "-k", "2", "--json").json()
    assert len(results) == 2
    assert results[0]["path"] == "how-to/analytics/windows.qmd"
    assert results[0]["heading"] == "Percent of total per group"
    assert set(results[0]) == SEARCH_RESULT_FIELDS
    assert 0 < results[0]["similarity"] <= 1

    batch = cli("search", "--batch", "-", "-k", "1", stdin="connect to duckdb\n\nparquet\n")
    assert batch.exit_code == 0, batch.stderr
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["connect to duckdb", "parquet"]
    assert lines[1]["results"][0]["path"] == "backends/parquet.ipynb"

    status = cli("status", "--json").json()
    assert status["index"]["state"] == "ready"
    assert status["index"]["sources"]["docs"]["chunks"] == report["sources"][0]["chunks"]


def test_index_shows_progress_on_stderr(cli: Cli) -> None:
    built = cli("index", "--docs", str(DOCS), "--no-package")
    assert built.exit_code == 0, built.stderr
    assert "embedding docs" in built.stderr
    assert "chunks:" in built.stdout


@pytest.mark.parametrize(
    ("args", "label", "message"),
    [
        (("search", "join"), "unavailable", "build it with: ibis-copilot index"),
        (("search", ""), "error", "the query is empty"),
        (("search",), "error", "give a QUERY or --batch FILE"),
        (("index", "--docs", "/no/such/dir"), "error", "--docs /no/such/dir: not a directory"),
    ],
)
def test_knowledge_errors_are_one_line(
    cli: Cli, args: tuple[str, ...], label: str, message: str
) -> None:
    assert_one_line_error(cli(*args), message, label)


def test_index_with_crawl_of_a_local_site(cli: Cli) -> None:
    from crawl_site import Site, page, quarto_page, serve, status

    site = Site(routes={"/robots.txt": status(404)})
    site.routes["/docs/index.html"] = page(
        quarto_page("Crawled home", "<p>Sessionize clickstream events.</p>")
    )
    with serve(site) as running:
        built = cli(
            "index",
            "--docs",
            str(DOCS),
            "--no-package",
            "--json",
            "--crawl",
            f"{running.base}/docs/index.html",
            "--crawl-rate",
            "100",
        ).json()
    crawl = next(row for row in built["sources"] if row["source"] == "crawl")
    assert crawl["chunks"] == 1
    found = cli("search", "sessionize clickstream", "-k", "1", "--json").json()
    assert found[0]["source"] == "crawl"
    assert found[0]["url"] == f"{running.base}/docs/index.html"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--crawl", "ftp://example.com/"), "--crawl ftp://example.com/: not an http(s) URL"),
        (("--crawl", "http://127.0.0.1:9/", "--crawl-rate", "0"), "--crawl-rate must be positive"),
    ],
)
def test_bad_crawl_options(cli: Cli, args: tuple[str, ...], message: str) -> None:
    assert_one_line_error(cli("index", "--docs", str(DOCS), "--no-package", *args), message)


def test_index_with_a_repository_folder(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.qmd").write_text("# Streaming\n\n## Watermarks\n\nLate rows.\n")
    built = cli("index", "--docs", str(DOCS), "--no-package", "--repo", str(tmp_path), "--json")
    rows = {row["source"]: row for row in built.json()["sources"]}
    assert rows["repo-docs"]["chunks"] == 1
    status = cli("status", "--json").json()
    assert status["index"]["sources"]["repo-docs"]["repo"] == str(tmp_path)


def test_bad_repository_is_one_line(cli: Cli) -> None:
    result = cli("index", "--docs", str(DOCS), "--no-package", "--repo", "/no/such/repo")
    assert_one_line_error(result, "--repo /no/such/repo: not a directory or a git URL")


BROKEN = """import ibis
orders = ibis.table({"amount": "float64", "region": "string"}, name="orders")
by_region = orders.groupby("region").agg(total=orders.amount.sum())
by_region.to_pandas()
"""


def test_fix_diagnoses_and_checks_without_a_model(cli: Cli, tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text(BROKEN)
    report = cli("fix", str(script), "--json", "--no-model").json()
    assert report["error_type"] == "AttributeError"
    assert report["diagnosis"] == [
        {"rule": "renamed API", "message": "`.groupby` is `.group_by` in Ibis"}
    ]
    assert report["checked"] is True
    assert report["fix_source"] == "rules"
    assert 'orders.group_by("region")' in report["fixed_code"]
    assert report["explanation"] == ""


def test_fix_text_output_from_stdin(cli: Cli) -> None:
    result = cli(
        "fix",
        "-",
        "--no-model",
        stdin=BROKEN.replace("groupby", "group_by").replace(".amount", ".amout"),
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "diagnosis (unknown column): `amout` is not a column; did you mean `amount`?"
        in result.stdout
    )
    assert "fix (rules, checked):" in result.stdout


def test_fix_on_code_that_works(cli: Cli) -> None:
    result = cli("fix", "-", "--no-model", stdin="x = 1\n")
    assert result.exit_code == 0
    assert "ran without an error; nothing to fix" in result.stdout


def test_fix_on_a_syntax_error_is_one_line(cli: Cli) -> None:
    assert_one_line_error(cli("fix", "-", stdin="x = (\n"), "line 1")


def test_train_embeddings_on_a_small_corpus(cli: Cli, tmp_path: Path) -> None:
    held_out = tmp_path / "queries.jsonl"
    held_out.write_text('{"query": "q", "gold": ["how-to/analytics/windows.qmd"]}\n')
    report = cli(
        "train-embeddings",
        "--docs",
        str(DOCS),
        "--no-package",
        "--batch-size",
        "4",
        "--max-steps",
        "1",
        "--hold-out",
        str(held_out),
        "--name",
        "tiny",
        "--json",
    ).json()
    assert report["steps"] == 1
    assert report["output"].endswith("models/tiny")
    assert Path(report["output"], "ibis-copilot-card.json").is_file()
    assert report["validation_pairs"] > 0, "the held-out page is validation only"


def test_train_embeddings_bad_options_are_one_line(cli: Cli, tmp_path: Path) -> None:
    assert_one_line_error(cli("train-embeddings", "--batch-size", "1"), "--batch-size at least 2")
    assert_one_line_error(
        cli("train-embeddings", "--hold-out", str(tmp_path / "missing.jsonl")), "--hold-out"
    )


def test_ask_answers_with_citations_and_continues_a_conversation(cli: Cli) -> None:
    # The model loads in its worker and writes on a shared 2-core CI machine: the test is
    # about the answer, so the time limit is generous rather than the product's default.
    config = Path(os.environ["JUPYTER_CONFIG_DIR"]) / f"{CONFIG_FILE}.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps({"IbisCopilot": {"request_timeout": 600}}))
    assert cli("index", "--docs", str(DOCS), "--no-package", "--json").exit_code == 0
    answer = cli("ask", "How do I rank rows within each group?", "--json").json()
    assert answer["answer"].strip(), "the model wrote an answer"
    assert answer["citations"][0]["url"].startswith("https://ibis-project.org/")
    follow = cli("ask", "And per island?", "--conversation", answer["conversation_id"])
    assert follow.exit_code == 0, follow.stderr
    assert f"(conversation {answer['conversation_id']}" in follow.stdout


def test_ask_with_a_bad_conversation_id_is_one_line(cli: Cli) -> None:
    assert_one_line_error(
        cli("ask", "hello", "--conversation", "../etc"), "conversation_id must be"
    )
