"""Source: an Ibis git repository (a URL is cloned, a path read as is).

From it come three sources: its docs folder, the API read from its source tree, and
the error messages its code raises, so an error text finds where it comes from.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from ibis_copilot.errors import BadRequestError
from ibis_copilot.knowledge.api_source import ApiSource
from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.index import Source

GITHUB = re.compile(r"github\.com[:/](?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")
MAX_MESSAGES = 12


class RepoError(BadRequestError):
    """The repository cannot be cloned or read; the message says why."""


def _git(*args: str, cwd: Path | None = None) -> str:
    git = shutil.which("git")
    if git is None:
        raise RepoError("git is not installed")
    try:
        result = subprocess.run(  # noqa: S603 - fixed git arguments, no shell
            [git, *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=600
        )
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or "").strip().splitlines()
        raise RepoError(f"git {args[0]} failed: {detail[-1] if detail else error}") from None
    except subprocess.TimeoutExpired:
        raise RepoError(f"git {args[0]} timed out") from None
    return result.stdout.strip()


def is_url(spec: str) -> bool:
    return "://" in spec or spec.startswith("git@")


def checkout(spec: str, clones: Path) -> Path:
    """A local tree for ``spec``: the path itself, or a shallow clone kept in ``clones``."""
    if not is_url(spec):
        path = Path(spec).expanduser()
        if not path.is_dir():
            raise RepoError(f"--repo {spec}: not a directory or a git URL")
        return path
    name = re.sub(r"[^\w.-]+", "_", spec.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1])
    target = clones / name
    if (target / ".git").is_dir():
        _git("fetch", "--depth", "1", "origin", cwd=target)
        _git("reset", "--hard", "FETCH_HEAD", cwd=target)
    else:
        clones.mkdir(parents=True, exist_ok=True)
        _git("clone", "--depth", "1", spec, str(target))
    return target


def commit_of(path: Path) -> str | None:
    try:
        return _git("rev-parse", "HEAD", cwd=path)
    except RepoError:
        return None


def blob_base(path: Path, commit: str | None) -> str:
    """``https://github.com/<owner>/<repo>/blob/<commit>/`` when the origin is GitHub."""
    try:
        origin = _git("remote", "get-url", "origin", cwd=path)
    except RepoError:
        return ""
    match = GITHUB.search(origin)
    return f"https://github.com/{match['repo']}/blob/{commit}/" if match and commit else ""


def repo_sources(spec: str, clones: Path, package: str = "ibis") -> list[Source]:
    """The docs, API and error-message sources of one repository."""
    path = checkout(spec, clones)
    commit = commit_of(path)
    provenance: dict[str, object] = {"repo": spec, "commit": commit}
    sources: list[Source] = []
    if (path / "docs").is_dir():
        sources.append(DocsFolderSource(path / "docs", "repo-docs", provenance))
    if (path / package).is_dir():
        sources.append(ApiSource([path], package, "repo-api", provenance))
        sources.append(ErrorMessageSource(path, package, blob_base(path, commit), provenance))
    if not sources:
        raise RepoError(f"--repo {spec}: found neither docs/ nor {package}/ in it")
    return sources


def _message(node: ast.expr | None) -> str:
    """The text of an exception's first argument; f-string fields shown as ``{expr}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(part.value) if isinstance(part, ast.Constant) else f"{{{ast.unparse(part.value)}}}"
            for part in node.values
            if isinstance(part, ast.Constant | ast.FormattedValue)
        )
    return ""


class _RaiseCollector(ast.NodeVisitor):
    """``raise X("message")`` statements, grouped by the enclosing function or class."""

    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: dict[str, list[tuple[int, str, str]]] = {}

    def _visit_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope  # noqa: N815

    def visit_Raise(self, node: ast.Raise) -> None:
        call = node.exc
        if isinstance(call, ast.Call):
            error = ast.unparse(call.func).rsplit(".", 1)[-1]
            message = _message(call.args[0] if call.args else None)
            if message and error[:1].isupper():
                qualname = ".".join(self.scope) or "<module>"
                self.found.setdefault(qualname, []).append((node.lineno, error, message))


class ErrorMessageSource:
    """One chunk per function: the exceptions it raises and their messages."""

    name = "repo-errors"

    def __init__(
        self, root: Path, package: str, blob: str = "", provenance: dict[str, object] | None = None
    ) -> None:
        self.root, self.package, self.blob = root, package, blob
        self.provenance = provenance or {}

    def chunks(self) -> Iterator[Chunk]:
        for file in sorted((self.root / self.package).rglob("*.py")):
            relative = file.relative_to(self.root).as_posix()
            if "/tests/" in f"/{relative}" or file.name.startswith("conftest"):
                continue
            try:
                tree = ast.parse(file.read_text(encoding="utf-8"), filename=relative)
            except (SyntaxError, UnicodeDecodeError):
                continue
            collector = _RaiseCollector()
            collector.visit(tree)
            module = relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            for qualname, raises in collector.found.items():
                yield self._chunk(relative, module, qualname, raises)

    def _chunk(
        self, relative: str, module: str, qualname: str, raises: list[tuple[int, str, str]]
    ) -> Chunk:
        where = f"{module}.{qualname}"
        lines = [f"- {error}: {message}" for _, error, message in raises[:MAX_MESSAGES]]
        first_line = raises[0][0]
        return Chunk(
            source=self.name,
            path=f"src:{relative}:{qualname}",
            title=where,
            heading="errors raised",
            url=f"{self.blob}{relative}#L{first_line}" if self.blob else "",
            kind="source",
            text=f"{where} ({relative}, line {first_line}) raises:\n" + "\n".join(lines),
            extra={"line": str(first_line)},
        )
