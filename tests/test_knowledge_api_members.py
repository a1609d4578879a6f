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
