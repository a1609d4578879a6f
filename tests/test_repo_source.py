"""An Ibis-shaped git repository: docs, API from source, and raised error messages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ibis_copilot.knowledge.repo_source import RepoError, blob_base, repo_sources

GIT = shutil.which("git") or "git"
FILES = {
    "docs/how-to/greeting.qmd": "---\ntitle: Greeting\n---\n\n## Say hello\n\nUse `ibis.greet`.\n",
    "ibis/__init__.py": (
        '__all__ = ["greet"]\n\n\ndef greet(name: str) -> str:\n'
        '    """Say hello.\n\n    Parameters\n    ----------\n    name\n        Who to greet.\n'
        '    """\n    return name\n'
    ),
    "ibis/common/__init__.py": "",
    "ibis/expr/__init__.py": "",
    "ibis/expr/types/__init__.py": "",
    "ibis/common/exceptions.py": (
        'class IbisError(Exception):\n    """Base class of Ibis errors."""\n\n\n'
        'class IbisTypeError(IbisError, TypeError):\n    """A type error."""\n'
    ),
    "ibis/expr/types/relations.py": (
        "from ibis.common.exceptions import IbisTypeError\n\n\nclass Table:\n"
        '    """A table."""\n\n    def join(self, left, right):\n'
        '        """Join two tables."""\n        if left is None:\n'
        '            raise IbisTypeError(f"Cannot join {left!r} with {right}")\n'
        '        raise ValueError("right side is empty")\n'
    ),
    "ibis/tests/test_it.py": 'def test():\n    raise AssertionError("test only")\n',
}


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        [GIT, "-c", "user.email=t@example.com", "-c", "user.name=T", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "ibis-repo"
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git("init", "-q", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "initial", cwd=root)
    return root


def chunks_by_source(sources: list) -> dict[str, list]:  # type: ignore[type-arg]
    return {source.name: list(source.chunks()) for source in sources}


def test_a_local_repository_gives_docs_api_and_errors(repo: Path, tmp_path: Path) -> None:
    sources = repo_sources(str(repo), tmp_path / "clones")
    found = chunks_by_source(sources)
    assert set(found) == {"repo-docs", "repo-api", "repo-errors"}
    assert [c.heading for c in found["repo-docs"]] == ["Say hello"]
    api_paths = {chunk.path for chunk in found["repo-api"]}
    assert "api:ibis.greet" in api_paths
    assert "api:ibis.expr.types.relations.Table.join" in api_paths
    assert "api:ibis.common.exceptions.IbisTypeError" in api_paths
    (errors,) = found["repo-errors"]
    assert errors.path == "src:ibis/expr/types/relations.py:Table.join"
    assert "- IbisTypeError: Cannot join {left} with {right}" in errors.text
    assert "- ValueError: right side is empty" in errors.text
    assert "test only" not in errors.text
    commit = git("rev-parse", "HEAD", cwd=repo)
    assert all(source.provenance["commit"] == commit for source in sources)


def test_a_git_url_is_cloned_and_updated(repo: Path, tmp_path: Path) -> None:
    url = repo.as_uri()
    first = repo_sources(url, tmp_path / "clones")
    assert (tmp_path / "clones" / "ibis-repo" / ".git").is_dir()
    (repo / "docs/how-to/greeting.qmd").write_text("## Say goodbye\n\nBye.\n")
    git("commit", "-qam", "change", cwd=repo)
    second = repo_sources(url, tmp_path / "clones")
    assert first[0].provenance["commit"] != second[0].provenance["commit"]
    assert [c.heading for c in second[0].chunks()] == ["Say goodbye"]


def test_github_origin_gives_blob_links(repo: Path) -> None:
    git("remote", "add", "origin", "git@github.com:ibis-project/ibis.git", cwd=repo)
    commit = git("rev-parse", "HEAD", cwd=repo)
    assert blob_base(repo, commit) == f"https://github.com/ibis-project/ibis/blob/{commit}/"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("/no/such/repo", "not a directory or a git URL"),
        ("file:///no/such/repo.git", "git clone failed"),
    ],
)
def test_bad_repositories_are_reported(spec: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(RepoError, match=message):
        repo_sources(spec, tmp_path)


def test_a_folder_without_docs_or_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="found neither docs/ nor ibis/"):
        repo_sources(str(tmp_path), tmp_path / "clones")
