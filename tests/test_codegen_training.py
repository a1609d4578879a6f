"""The code model's training data and training: synthetic examples that really build,
compile and run on DuckDB; mined docs and docstring code; hygiene against the evaluation
sets; the FIM and chat formats; and (slow) a few real steps of full fine-tuning of the
packaged SmolLM2 with a pause, a resume, a model card and a checkpoint that the
product's own loader completes with."""

from __future__ import annotations

import ast
import json
import random
from collections import Counter
from pathlib import Path

import ibis
import pandas as pd
import pytest

from ibis_copilot.assistant.complete import CompleteWorkflow, CompletionRequest
from ibis_copilot.codegen_training.dataset import REPO_EVAL_DIR, build_dataset
from ibis_copilot.codegen_training.example import CodeExample
from ibis_copilot.codegen_training.formats import fim_split, fim_text
from ibis_copilot.codegen_training.hygiene import (
    ContaminationError,
    EvalIndex,
    check_clean,
    deduplicate,
    split,
)
from ibis_copilot.codegen_training.mined import docs_examples, repo_test_examples
from ibis_copilot.codegen_training.schemas import connect, generate_schema
from ibis_copilot.codegen_training.synthetic import (
    SyntheticReport,
    drafts,
    synthetic_examples,
    verify,
)
from ibis_copilot.codegen_training.templates import Draft
from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.models.fim import IBIS_COPILOT_FIM, detect

CODEGEN_DEV = REPO_EVAL_DIR / "codegen_dev.jsonl"


@pytest.fixture(scope="module")
def made() -> tuple[list[CodeExample], SyntheticReport]:
    report = SyntheticReport()
    return synthetic_examples(range(3), per_schema=12, report=report), report


def _run_independently(code: str, seed: int) -> tuple[object, list[tuple[object, ...]]]:
    """Build the code over a fresh DuckDB copy of the seed's tables, compile it, run it."""
    schema = generate_schema(seed)
    con = connect(schema)
    namespace: dict[str, object] = {"ibis": ibis, "_": ibis._, "s": ibis.selectors}
    namespace |= {name: con.table(name) for name in schema.tables}
    tree = ast.parse(code)
    *statements, last = tree.body
    assert isinstance(last, ast.Expr), "the code ends with the result expression"
    exec(compile(ast.Module(statements, []), "<t>", "exec"), namespace)  # noqa: S102
    expr = eval(compile(ast.Expression(last.value), "<t>", "eval"), namespace)  # noqa: S307
    sql = ibis.to_sql(expr, dialect="duckdb")
    return sql, con.con.execute(str(sql)).fetchall()


def test_every_kept_synthetic_example_builds_compiles_and_runs(
    made: tuple[list[CodeExample], SyntheticReport],
) -> None:
    examples, report = made
    code = [e for e in examples if e.kind == "code"]
    assert report.drafts == 36
    assert len(code) == report.kept >= 30, report.failed
    for example in code:
        seed = int(example.group.removeprefix("seed:"))
        sql, rows = _run_independently(example.code, seed)
        assert rows, f"{example.code} returned no rows"
        to_sql = next(
            e
            for e in examples
            if e.kind == "to_sql" and e.code == example.code and e.group == example.group
        )
        assert to_sql.answer == f"```sql\n{sql}\n```", "Ibis → SQL pairs carry the real SQL"


def test_each_verified_draft_gives_every_kind_and_pandas_only_when_it_agrees(
    made: tuple[list[CodeExample], SyntheticReport],
) -> None:
    examples, _ = made
    kinds = {e.kind for e in examples}
    assert kinds == {"code", "nl", "sql", "to_sql", "pandas"}
    nl = next(e for e in examples if e.kind == "nl")
    assert nl.answer.startswith(f"```python\n{nl.code}\n```\n")
    assert nl.request
    assert "(unbound table)" in nl.context, "the tables as the product describes them"

    schema = generate_schema(0)
    con = connect(schema)
    frames = {n: pd.DataFrame(t.rows, columns=list(t.columns)) for n, t in schema.tables.items()}
    table = schema.fact.name
    wrong = Draft("filter", f"{table}.limit(3)", "three rows", "", f"{table}.head(2)")
    right = Draft("filter", f"{table}.limit(3)", "three rows", "", f"{table}.head(3)")
    assert verify(wrong, schema, con, frames).pandas_ok is False
    assert verify(right, schema, con, frames).pandas_ok is True


@pytest.mark.parametrize(
    ("code", "stage"),
    [
        ("{t}.filter({t}.no_such_column > 1)", "build"),
        ("1 + 1", "build"),
        ("ibis.table({{'a': 'int64'}}, name='elsewhere').a.sum()", "run"),
        ("{t}.filter({t}.{key} < 0)", "empty"),
    ],
)
def test_a_draft_that_fails_a_check_is_dropped_at_that_stage(code: str, stage: str) -> None:
    schema = generate_schema(1)
    draft = Draft("x", code.format(t=schema.fact.name, key=schema.domain.key), "", "")
    with pytest.raises(ValueError, match=f"^{stage}:"):
        verify(draft, schema, connect(schema), {})


def test_the_templates_cover_the_operations_asked_for() -> None:
    ops = {draft.op for seed in range(24) for draft in drafts(generate_schema(seed), 32)}
    assert {
        "filter", "group_by", "join", "window", "dates", "strings", "nulls", "topk",
        "set_ops", "selectors", "distinct", "case",
    } <= ops  # fmt: skip


def test_composed_requests_vary_in_wording_and_every_kept_one_runs() -> None:
    report = SyntheticReport()
    examples = synthetic_examples(range(4), per_schema=0, report=report, composed=8)
    nl = [e for e in examples if e.kind == "nl"]
    assert report.drafts == 32
    assert report.kept >= 28, report.failed
    assert len(nl) == report.kept
    for example in nl[:10]:
        _run_independently(example.code, int(example.group.removeprefix("seed:")))
    openings = Counter(" ".join(e.request.split()[:2]) for e in nl)
    assert len(openings) >= 8, openings  # not one sentence with the names swapped
    endings = {"select", "count", "limit", "agg"}
    assert all(any(f".{name}(" in e.code for e in nl) for name in endings)
    several = [e for e in nl if e.code.count(" & ") + e.code.count("), ") >= 1]
    assert several, "some requests combine conditions"
    code = next(e for e in examples if e.kind == "code")
    assert code.comment
    assert code.comment == next(
        e.request for e in nl if e.code == code.code and e.group == code.group
    )


def test_a_composed_condition_holds_for_its_anchor_row() -> None:
    from ibis_copilot.codegen_training.composed import Composer
    from ibis_copilot.codegen_training.templates import Picker

    for seed in range(6):
        schema = generate_schema(seed)
        con = connect(schema)
        composer = Composer(Picker(schema, random.Random(seed)))  # noqa: S311
        key = schema.domain.key
        for condition in composer.conditions():
            predicate = " & ".join(f"({term})" for term in condition.terms)
            table = con.table(schema.fact.name)
            namespace = {"ibis": ibis, schema.fact.name: table}
            expr = eval(predicate, namespace)  # noqa: S307 - the composer's own code
            kept = table.filter(expr)[key].to_list()
            assert composer.row[key] in kept, (predicate, composer.row)


def test_fim_text_carries_the_users_comment_above_the_code_some_of_the_time() -> None:
    example = CodeExample("code", "seed:0", "t.filter(t.x > 1)", comment="rows with x over 1")
    texts = [fim_text(example, random.Random(i), "<eos>") for i in range(40)]  # noqa: S311
    with_comment = [t for t in texts if "# rows with x over 1\nt." in t]
    assert 10 < len(with_comment) < 35
    assert all(t.index("# rows") < t.index(IBIS_COPILOT_FIM.suffix_token) for t in with_comment)


def test_docs_blocks_come_with_their_prose_and_docstrings_lose_their_prompts() -> None:
    page = Chunk(
        "docs", "how-to/filters.qmd", "Filtering", "Filtering > Rows", "https://x", "how-to",
        "Intro.\n\nKeep the big rows with filter:\n\n```python\nt.filter(t.x > 1)\n```\n\n"
        "```bash\npip install ibis\n```\n\n```python\nthis is not python(\n```",
    )  # fmt: skip
    api = Chunk(
        "api", "api:ibis.Table.limit", "ibis.Table.limit", "ibis.Table", "https://x", "reference",
        "Examples:\n```python\n>>> t = ibis.examples.penguins.fetch()\n>>> t.limit(3)\n```",
    )  # fmt: skip
    found = docs_examples([page, api])
    assert [(e.kind, e.group, e.code) for e in found] == [
        ("docs", "page:how-to/filters.qmd", "t.filter(t.x > 1)"),
        ("docstring", "api:ibis.Table.limit", "t = ibis.examples.penguins.fetch()\nt.limit(3)"),
    ]
    assert found[0].context == "Filtering > Filtering > Rows\nKeep the big rows with filter:"


def test_repo_tests_give_one_example_per_test_function_that_uses_ibis(tmp_path: Path) -> None:
    tests = tmp_path / "ibis" / "backends" / "tests"
    tests.mkdir(parents=True)
    (tests / "test_joins.py").write_text(
        "import ibis\n\n\ndef test_join(con):\n    t = ibis.table({'a': 'int'})\n"
        "    assert t.join(t.view(), 'a') is not None\n\n\ndef test_plain():\n"
        "    assert 1 + 1 == 2\n"
    )
    (tests / "test_broken.py").write_text("def test_(:\n")
    found = repo_test_examples(tmp_path)
    assert [(e.kind, e.group) for e in found] == [
        ("repo", "repo:ibis/backends/tests/test_joins.py")
    ]
    assert found[0].code.startswith("def test_join(con):")


def test_evaluation_items_are_caught_even_reformatted() -> None:
    task = json.loads(CODEGEN_DEV.read_text(encoding="utf-8").splitlines()[0])
    index = EvalIndex.from_dir(REPO_EVAL_DIR)
    assert "codegen_dev.jsonl" in index.files
    assert "repair_heldout.jsonl" in index.files
    copied = CodeExample("code", "seed:1", task["reference"].replace('"', "'").replace("\n", " "))
    asked = CodeExample("nl", "seed:1", "t.count()", request=task["task"], answer="x")
    clean = CodeExample("code", "seed:1", "trips.filter(trips.fare > 3).select('fare')")
    kept, dropped = deduplicate([copied, asked, clean], index)
    assert kept == [clean]
    assert dropped == 2
    with pytest.raises(ContaminationError, match="overlaps an evaluation set"):
        check_clean([clean, copied], index)


def test_the_dataset_drops_what_an_evaluation_set_holds(tmp_path: Path) -> None:
    plain, _, _ = build_dataset(2, [], None, per_schema=4, held_out_share=0.0)
    victim = next(e for e in plain if e.kind == "code").code
    (tmp_path / "codegen_dev.jsonl").write_text(json.dumps({"reference": victim}) + "\n")
    train, held, report = build_dataset(2, [], tmp_path, per_schema=4, held_out_share=0.0)
    assert report.eval_sets == ["codegen_dev.jsonl"]
    assert report.dropped_overlapping_eval >= 4, "code, NL, SQL and Ibis → SQL of it"
    assert victim not in {e.code for e in train + held}
    assert len(train) == len(plain) - report.dropped_overlapping_eval


def test_kind_caps_sample_only_the_kinds_named() -> None:
    plain, _, _ = build_dataset(3, [], None, per_schema=4, held_out_share=0.0)
    by_kind = Counter(e.kind for e in plain)
    capped, _, report = build_dataset(
        3, [], None, per_schema=4, held_out_share=0.0, limits={"nl": 2, "sql": 10_000}
    )
    assert Counter(e.kind for e in capped) == {**by_kind, "nl": 2}
    assert report.train == len(capped)
    assert {e.code for e in capped if e.kind == "nl"} <= {e.code for e in plain if e.kind == "nl"}


def test_the_held_out_split_keeps_seeds_and_pages_whole(
    made: tuple[list[CodeExample], SyntheticReport],
) -> None:
    examples = made[0] + [CodeExample("docs", f"page:p{i}.qmd", "t.count()") for i in range(40)]
    train, held = split(examples, 0.3)
    assert train
    assert held
    assert len(train) + len(held) == len(examples)
    assert not {e.group for e in train} & {e.group for e in held}
    assert split(examples, 0.3) == (train, held), "stable"


def test_fim_splits_reassemble_and_mostly_complete_the_rest_of_a_line() -> None:
    code = 'recent = trips.filter(trips.fare > 3)\nrecent.group_by("city").agg(n=_.count())'
    rng = random.Random(0)  # noqa: S311
    rest_of_line = 0
    for _ in range(200):
        prefix, middle, suffix = fim_split(code, rng)
        assert prefix + middle + suffix == code
        rest_of_line += "\n" not in middle and (suffix == "" or suffix.startswith("\n"))
    assert 120 <= rest_of_line < 200
    example = CodeExample("code", "seed:0", code, context="trips (unbound table): fare float64")
    texts = {fim_text(example, random.Random(n), "<|im_end|>") for n in range(20)}  # noqa: S311
    assert all(
        t.startswith(IBIS_COPILOT_FIM.prefix_token) and t.endswith("<|im_end|>") for t in texts
    )
    assert any("# trips (unbound table): fare float64" in t for t in texts), "schemas as comments"


def test_the_completion_workflow_uses_the_sentinels_a_tuned_tokenizer_has() -> None:
    vocabulary = ["<|im_start|>", "<|im_end|>", *(IBIS_COPILOT_FIM.prefix_token,
                  IBIS_COPILOT_FIM.suffix_token, IBIS_COPILOT_FIM.middle_token)]  # fmt: skip
    assert detect(vocabulary) is IBIS_COPILOT_FIM

    class Tuned:  # what the workflow reads of a generator, for a tuned tokenizer
        fim_format = detect(vocabulary)

    prompt, params = CompleteWorkflow().prepare(Tuned(), CompletionRequest("t.filter(t.", ")"))  # type: ignore[arg-type]
    assert prompt == "<|ibis_fim_prefix|>t.filter(t.<|ibis_fim_suffix|>)<|ibis_fim_middle|>"
    assert "<|im_end|>" in params.stop


def test_cli_refuses_bad_options_in_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    for args, message in [
        (("--device", "cuda"), "no CUDA device"),
        (("--device", "toaster"), "not a torch device"),
        (("--kinds", "code,poems"), "--kinds: choose from"),
        (("--kinds", "code=many"), "--kinds code=many: a cap must be a whole number"),
        (("--kinds", "nl=0"), "--kinds nl=0: a cap must be a whole number"),
        (("--seeds", "0"), "--seeds must be at least 1"),
        (("--composed", "-1"), "--composed must be 0 or more"),
        (("--eval-dir", "/nonexistent/eval"), "not a directory"),
    ]:
        result = cli("train-codegen", *args)
        assert result.exit_code == 1
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_precision_auto_is_bf16_only_where_the_device_has_it() -> None:
    import torch

    from ibis_copilot.codegen_training.trainer import resolve_precision

    native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    assert resolve_precision("auto", "cpu") == ("bf16" if native else "fp32")
    assert resolve_precision("fp32", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "bf16"
    if not torch.cuda.is_available():
        assert resolve_precision("auto", "cuda") == "fp32"
    with pytest.raises(ValueError, match="precision must be one of auto, bf16, fp32"):
        resolve_precision("half", "cpu")


# -- real training (slow) ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(900)  # three loads and saves of a 540 MB float32 model on 2 cores
def test_full_fine_tuning_pauses_resumes_and_the_product_loads_the_result(
    tmp_path: Path,
) -> None:
    import torch

    from ibis_copilot.codegen_training.trainer import (
        CARD,
        CHECKPOINT,
        TrainingOptions,
        TrainingPausedError,
        load_base,
        load_tokenizer,
        train_codegen,
    )
    from ibis_copilot.models.base import CancelToken, GenerationParams
    from ibis_copilot.models.transformers_backend import TransformersGenerator

    train, held, report = build_dataset(
        4,
        [],
        REPO_EVAL_DIR,
        per_schema=3,
        kinds=frozenset({"code", "nl"}),
        max_examples=6,
        held_out_share=0.5,
    )
    assert report.dropped_overlapping_eval == 0
    assert len(train) == 6
    assert held
    options = TrainingOptions(
        batch_size=2, max_length=256, save_every=10, stop_after=1, validation_limit=1
    )
    output = tmp_path / "model"
    with pytest.raises(TrainingPausedError, match=r"paused at step 1 of \d+") as paused:
        train_codegen("smollm2-135m-instruct", train, held, output, options, progress=False)
    assert paused.value.total >= 2
    assert (output / CHECKPOINT / "trainer_state.pt").is_file()

    options.stop_after = None
    result = train_codegen("smollm2-135m-instruct", train, held, output, options, progress=False)
    assert (result.resumed_from_step, result.steps) == (1, paused.value.total)
    assert not (output / CHECKPOINT).exists(), "a finished run leaves nothing to resume"
    card = json.loads((output / CARD).read_text())
    assert sum(card["examples_by_kind"].values()) == 6
    assert card["steps"] == paused.value.total
    assert {"validation_loss_all_before", "validation_loss_all_after"} <= set(card["metrics"])
    assert card["options"]["precision"] in {"bf16", "fp32"}, "the card says what was used"
    assert "smollm2-135m-instruct" in (output / "README.md").read_text()

    # every weight was trained: none equals the base's (sentinel rows added the same way)
    _, base = load_base("smollm2-135m-instruct", "cpu")
    base.resize_token_embeddings(len(load_tokenizer("smollm2-135m-instruct")))
    tuned_model = TransformersGenerator(str(output))
    tuned_model.load()
    tuned = dict(tuned_model._model.named_parameters())
    unchanged = [n for n, p in base.named_parameters() if torch.equal(p, tuned[n])]
    assert unchanged == []

    # the product's loader finds the sentinels, and the completion prompt uses them
    assert tuned_model.fim_format is IBIS_COPILOT_FIM
    prompt, _params = CompleteWorkflow().prepare(tuned_model, CompletionRequest("t.filter(t."))
    assert prompt.startswith(IBIS_COPILOT_FIM.prefix_token)
    text = "".join(tuned_model.stream(prompt, GenerationParams(max_tokens=4), CancelToken()))
    assert tuned_model.count_tokens(text) <= 4
    assert IBIS_COPILOT_FIM.middle_token not in text
    question = [{"role": "user", "content": "How do I count rows in Ibis?"}]
    answer = "".join(
        tuned_model.stream_chat(question, GenerationParams(max_tokens=8), CancelToken())
    )
    assert answer.strip(), "the tuned checkpoint still chats"


def test_respelt_schemas_rename_columns_but_requests_keep_the_domains_words() -> None:
    from ibis_copilot.codegen_training.schemas import DOMAINS, respelt

    def domain_names(seed: int) -> set[str]:
        domain = DOMAINS[seed % len(DOMAINS)]
        return {c.name for c in domain.columns} | {domain.key, domain.foreign_key}

    schemas = [generate_schema(seed) for seed in range(48)]
    renamed = [s for s in schemas if not set(s.fact.columns) <= domain_names(s.seed)]
    assert 20 < len(renamed) < 48, "most schemas, not all, spell some columns their own way"
    assert any(name.isupper() for s in renamed for name in s.fact.columns)
    assert any(
        any(ch.isupper() for ch in name[1:]) and "_" not in name
        for s in renamed
        for name in s.fact.columns
    )
    for seed in range(48):
        domain = respelt(DOMAINS[seed % len(DOMAINS)], seed)
        names = [c.name for c in domain.columns] + [domain.key, domain.foreign_key]
        assert len(set(names)) == len(names), "renaming never makes two columns one"
        assert all(c.said == c.said.lower() and "_" not in c.said for c in domain.columns)

    upper = next(s for s in renamed if any(name.isupper() for name in s.fact.columns))
    report = SyntheticReport()
    examples = synthetic_examples(range(upper.seed, upper.seed + 1), 12, report, composed=4)
    assert report.kept >= 10
    assert set(report.failed) <= {"empty"}
    requests = " ".join(e.request for e in examples if e.kind == "nl")
    said = {c.name: c.said for c in upper.fact.columns.values() if c.said and c.said != c.name}
    assert any(words in requests for words in said.values()), "requests use the domain's words"
    code = " ".join(e.code for e in examples if e.kind == "nl")
    assert any(name in code for name in said), "the code uses the schema's names"
