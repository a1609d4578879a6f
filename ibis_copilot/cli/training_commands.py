"""``train-codegen``: fully fine-tune the code model on verified and mined Ibis."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ibis_copilot.cli.common import CommandError, print_json, settings
from ibis_copilot.cli.knowledge_commands import _add_source_options


def _check_numbers(args: argparse.Namespace) -> None:
    positive = {
        "--seeds": args.seeds,
        "--per-schema": args.per_schema,
        "--epochs": args.epochs,
        "--batch-size": args.batch_size,
        "--max-length": args.max_length,
        "--save-every": args.save_every,
        "--max-steps": args.max_steps or 1,
        "--max-examples": args.max_examples or 1,
        "--stop-after": args.stop_after or 1,
    }
    for option, value in positive.items():
        if value < 1:
            raise CommandError(f"{option} must be at least 1")
    if args.composed < 0:
        raise CommandError("--composed must be 0 or more")
    if not 0 < args.learning_rate < 1:
        raise CommandError("--learning-rate must be between 0 and 1")
    if not 0 <= args.held_out_share < 1:
        raise CommandError("--held-out-share must be from 0 to below 1")


def _check_device(device: str) -> None:
    import torch

    try:
        kind = torch.device(device).type
    except RuntimeError:
        raise CommandError(f"--device {device}: not a torch device") from None
    if kind == "cuda" and not torch.cuda.is_available():
        raise CommandError(f"--device {device}: no CUDA device is available here")


def _kinds(text: str | None) -> tuple[frozenset[str] | None, dict[str, int]]:
    """``--kinds code=3000,nl=1200,docs``: the kinds, and the caps of those given one."""
    from ibis_copilot.codegen_training.dataset import KINDS

    if not text:
        return None, {}
    names, limits = set(), {}
    for part in filter(None, (part.strip() for part in text.split(","))):
        name, _, limit = part.partition("=")
        names.add(name.strip())
        if limit:
            if not limit.strip().isdigit() or int(limit) < 1:
                raise CommandError(f"--kinds {part}: a cap must be a whole number, at least 1")
            limits[name.strip()] = int(limit)
    if names - set(KINDS) or not names:
        raise CommandError(f"--kinds: choose from {', '.join(KINDS)} (optionally KIND=CAP)")
    return frozenset(names), limits


def _eval_dir(option: str | None) -> Path | None:
    from ibis_copilot.codegen_training.dataset import REPO_EVAL_DIR

    if option:
        if not Path(option).is_dir():
            raise CommandError(f"--eval-dir {option}: not a directory")
        return Path(option)
    return REPO_EVAL_DIR if REPO_EVAL_DIR.is_dir() else None


def cmd_train_codegen(args: argparse.Namespace) -> None:
    """Fully fine-tune a causal LM for Ibis completions and NL → Ibis (no LoRA)."""
    from ibis_copilot.cli.knowledge_commands import _index_sources
    from ibis_copilot.codegen_training.dataset import build_dataset
    from ibis_copilot.codegen_training.formats import SourceBook
    from ibis_copilot.codegen_training.trainer import (
        TrainingOptions,
        TrainingPausedError,
        train_codegen,
    )
    from ibis_copilot.knowledge.repo_source import checkout

    _check_numbers(args)
    _check_device(args.device)
    kinds, limits = _kinds(args.kinds)
    config = settings()
    data_dir = Path(config.data_dir)
    base = args.base or config.chat_model
    eval_dir = _eval_dir(args.eval_dir)
    sources = _index_sources(argparse.Namespace(**{**vars(args), "crawl": None}), data_dir)
    chunks = [chunk for source in sources for chunk in source.chunks()]
    repo = checkout(args.repo, data_dir / "repos") if args.repo else None  # cloned above
    train, held_out, dataset = build_dataset(
        args.seeds,
        chunks,
        eval_dir,
        per_schema=args.per_schema,
        composed=args.composed,
        repo=repo,
        held_out_share=args.held_out_share,
        max_examples=args.max_examples,
        kinds=kinds,
        limits=limits,
        seed=args.seed,
    )
    if not train:
        raise CommandError("no training examples: widen --kinds or add sources")
    output = Path(args.output) if args.output else data_dir / "models" / args.name
    options = TrainingOptions(
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        max_steps=args.max_steps,
        max_length=args.max_length,
        seed=args.seed,
        device=args.device,
        precision=args.precision,
        save_every=args.save_every,
        stop_after=args.stop_after,
    )
    book = None if args.no_sources else SourceBook(chunks)
    try:
        report = train_codegen(
            base,
            train,
            held_out,
            output,
            options,
            book=book,
            data=dataset.to_dict(),
            progress=not args.json,
            resume=not args.no_resume,
        )
    except TrainingPausedError as paused:
        raise CommandError(str(paused)) from None
    except (OSError, ValueError, RuntimeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CommandError(f"training failed: {first}") from None
    if args.json:
        print_json(asdict(report))
        return
    print(
        f"trained {report.steps} steps on {report.train_examples} examples in "
        f"{report.seconds} s ({report.train_sequences_per_second} sequences/s)"
    )
    for name, value in report.metrics.items():
        print(f"{name}: {value}")
    print(f"model: {output}")
    print(f"use it: c.IbisCopilot.completion_model = {str(output)!r} (and/or chat_model)")


def add_parsers(commands: Any) -> None:
    train = commands.add_parser(
        "train-codegen",
        help=cmd_train_codegen.__doc__,
        description=(
            "Build Ibis training data (synthetic expressions checked on DuckDB, docs code "
            "blocks, docstring examples, --repo tests), drop anything that overlaps the "
            "evaluation sets, and fine-tune every weight of a causal LM in the chat and "
            "fill-in-the-middle formats. Saves a Hugging Face checkpoint with a model card "
            "under the data directory; resumes an interrupted run."
        ),
    )
    _add_source_options(train)
    train.add_argument("--base", help="model to start from (default: the chat_model setting)")
    train.add_argument("--name", default="ibis-code-model", help="folder under data_dir/models")
    train.add_argument("--output", metavar="DIR", help="save here instead of data_dir/models")
    train.add_argument("--seeds", type=int, default=400, help="synthetic schemas (default 400)")
    train.add_argument("--per-schema", type=int, default=12, help="expressions per schema")
    train.add_argument(
        "--composed", type=int, default=8, help="composed requests per schema (0 for none)"
    )
    train.add_argument(
        "--kinds", help="only these example kinds, comma-separated; KIND=N caps one at N"
    )
    train.add_argument("--max-examples", type=int, help="sample this many training examples")
    train.add_argument("--eval-dir", help="evaluation sets to exclude (default: the repo's)")
    train.add_argument("--held-out-share", type=float, default=0.1, help="groups held out")
    train.add_argument("--no-sources", action="store_true", help="chat prompts cite no docs")
    train.add_argument("--epochs", type=int, default=1, help="passes over the data")
    train.add_argument("--batch-size", type=int, default=8, help="sequences per step")
    train.add_argument("--learning-rate", type=float, default=1e-4)
    train.add_argument("--max-steps", type=int, help="stop the schedule after this many steps")
    train.add_argument("--max-length", type=int, default=512, help="tokens per sequence")
    train.add_argument("--save-every", type=int, default=25, help="checkpoint interval")
    train.add_argument("--stop-after", type=int, help="pause after N steps (resume later)")
    train.add_argument("--device", default="cpu", help="torch device, e.g. cuda (default cpu)")
    train.add_argument(
        "--precision",
        choices=("auto", "bf16", "fp32"),
        default="auto",
        help="bf16: bfloat16 math, float32 weights; auto: bf16 where the device has it natively",
    )
    train.add_argument("--seed", type=int, default=0, help="sampling and order (default 0)")
    train.add_argument("--no-resume", action="store_true", help="ignore a saved checkpoint")
    train.add_argument("--json", action="store_true", help="machine-readable report")
    train.set_defaults(handler=cmd_train_codegen)
