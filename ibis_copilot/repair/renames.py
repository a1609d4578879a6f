"""APIs that Ibis removed or renamed, taken from Ibis's own release notes.

Each entry cites the release whose "BREAKING CHANGES" list (docs/release_notes_generated.qmd
in the Ibis repository) or release post removed the old name. ``rewrite`` is True only
where the new name takes the same arguments, so replacing the name is a complete fix;
otherwise the diagnosis names the replacement and the user (or the model) adapts the call.
A test checks every entry against the installed Ibis: the old name is gone, the new exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rename:
    """``owner.old`` became ``owner_new.new`` in Ibis ``release``."""

    owner: str  # "ibis" for top-level functions, else the expression class
    old: str
    new: str
    release: str
    rewrite: bool
    hint: str = ""


RENAMES: tuple[Rename, ...] = (
    Rename("StringValue", "to_date", "as_date", "11.0.0", rewrite=True),
    Rename("StringValue", "to_timestamp", "as_timestamp", "11.0.0", rewrite=True),
    Rename("IntegerValue", "to_interval", "as_interval", "11.0.0", rewrite=True),
    Rename("IntegerValue", "to_timestamp", "as_timestamp", "11.0.0", rewrite=True),
    Rename(
        "StructValue",
        "destructure",
        "unpack",
        "11.0.0",
        rewrite=False,
        hint="unpack is a table method: `t.unpack('struct_column')`",
    ),
    Rename(
        "ibis",
        "case",
        "cases",
        "11.0.0",
        rewrite=False,
        hint="`ibis.cases((condition, value), ..., else_=default)`",
    ),
    Rename(
        "Table",
        "relabel",
        "rename",
        "10.0.0",
        rewrite=False,
        hint="the mapping is new name → old name: `t.rename(new='old')`",
    ),
    Rename("StringValue", "initcap", "capitalize", "10.0.0", rewrite=True),
    Rename("ibis", "where", "ifelse", "10.0.0", rewrite=True),
    Rename(
        "IntegerValue",
        "label",
        "cases",
        "10.0.0",
        rewrite=False,
        hint="`expr.cases(*enumerate(labels))`",
    ),
    Rename(
        "ibis",
        "negate",
        "negate",
        "10.0.0",
        rewrite=False,
        hint="negate is a method now: `t.col.negate()`",
    ),
    Rename(
        "Value",
        "greatest",
        "greatest",
        "10.0.0",
        rewrite=False,
        hint="use the function: `ibis.greatest(a, b)`",
    ),
    Rename(
        "Value",
        "least",
        "least",
        "10.0.0",
        rewrite=False,
        hint="use the function: `ibis.least(a, b)`",
    ),
)


def find_rename(owner_type: str, attribute: str) -> Rename | None:
    """The rename for ``attribute`` missing on an object of ``owner_type`` (a class name
    such as ``StringColumn`` or ``module`` for ``ibis.x``)."""
    for rename in RENAMES:
        if rename.old != attribute:
            continue
        if owner_type == "module" and rename.owner == "ibis":
            return rename
        if owner_type == "?" and rename.owner != "ibis":
            return rename  # the message named only the attribute
        if owner_type != "module" and rename.owner != "ibis" and _same_family(owner_type, rename):
            return rename
    return None


def _same_family(owner_type: str, rename: Rename) -> bool:
    """``StringColumn``/``StringScalar`` belong to ``StringValue``; ``Value`` to all."""
    family = rename.owner.removesuffix("Value")
    return rename.owner in {"Value", owner_type} or (bool(family) and owner_type.startswith(family))
