"""Members a class inherits from a private mixin are indexed once, on the public class
that mixes it in, not again on every public subclass."""

from __future__ import annotations

from pathlib import Path

from ibis_copilot.knowledge.api_source import ApiSource

PACKAGE = '''
"""Values and columns, as Ibis arranges them."""

__all__ = ["Column", "Value"]


class _DayMixin:
    def day(self):
        """The day of the month."""


class _Hidden(_DayMixin):
    """A private layer between."""


class Value(_Hidden):
    """A value."""


class Column(Value):
    """A column."""
'''


def test_mixin_members_are_indexed_on_the_first_public_class_only(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(PACKAGE)
    paths = {chunk.path for chunk in ApiSource([tmp_path], package="pkg").chunks()}
    assert paths == {"api:pkg.Value", "api:pkg.Value.day", "api:pkg.Column"}


COPIES = '''
"""A table, and the result of a join that finishes into one."""

__all__ = ["Join", "Table"]


def _join_method(how):
    def join(self, other):
        return other

    return join


def finished(method):
    return method


class Table:
    """A table."""

    def union(self, other):
        """Rows of both tables."""

    left_join = _join_method("left")


class Join(Table):
    """A join in progress."""

    union = finished(Table.union)
'''


def test_a_copy_of_another_method_is_left_to_the_original(tmp_path: Path) -> None:
    """``Join.union = finished(Table.union)`` is ``Table.union``: indexed once, where its
    text is; a method made by a call of its own (``left_join``) is kept."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(COPIES)
    paths = {chunk.path for chunk in ApiSource([tmp_path], package="pkg").chunks()}
    assert "api:pkg.Table.union" in paths
    assert "api:pkg.Table.left_join" in paths
    assert "api:pkg.Join.union" not in paths
