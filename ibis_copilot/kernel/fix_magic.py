"""``%ibis_fix``: put the last proposed fix into the next cell; the user decides to run it."""

from __future__ import annotations

from IPython.core.magic import Magics, line_magic, magics_class

from ibis_copilot.kernel.error_hook import ErrorHelper


@magics_class
class FixMagics(Magics):
    """Applying a fix is always the user's explicit step: nothing here runs it."""

    @line_magic
    def ibis_fix(self, line: str) -> None:
        """``%ibis_fix``: the last failure's fix (checked first) becomes the next cell."""
        del line
        helper = getattr(self.shell, "ibis_copilot_errors", None)
        repair = helper.last if isinstance(helper, ErrorHelper) else None
        if repair is None or repair.best_fix is None:
            print("ibis_fix: no fix to insert (no failing Ibis cell with a proposed fix yet)")
            return
        assert isinstance(helper, ErrorHelper)  # noqa: S101 - narrowed above
        helper.wait()
        fix = repair.best_fix
        assert fix is not None  # noqa: S101 - fixes are never removed
        self.shell.set_next_input(fix.code.rstrip("\n"), replace=False)  # type: ignore[union-attr]
        state = "checked" if fix.checked else "NOT checked: read it before running it"
        print(f"ibis_fix: the next cell holds the fix from the {fix.source} ({state})")
