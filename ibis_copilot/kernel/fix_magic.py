"""``%ibis_fix``: put the last proposed fix into the next cell; the user decides to run it."""

from __future__ import annotations

from IPython.core.magic import Magics, line_magic, magics_class

from ibis_copilot.kernel.error_hook import ErrorHelper

NO_FIX = "ibis_fix: no fix to insert (no failing Ibis cell with a proposed fix yet)"


@magics_class
class FixMagics(Magics):
    """Applying a fix is always the user's explicit step: nothing here runs it."""

    @line_magic
    def ibis_fix(self, line: str) -> None:
        """``%ibis_fix``: the last failure's fix (checked first) becomes the next cell, as
        the cell was typed, corrected. Waits for the checks, and for the model's
        explanation when the rules have no checked fix (an interrupt stops it)."""
        del line
        helper = getattr(self.shell, "ibis_copilot_errors", None)
        if not isinstance(helper, ErrorHelper):
            print(NO_FIX)
            return
        try:
            found = helper.fix_to_insert(
                lambda: print("ibis_fix: waiting for the model's explanation (interrupt to stop)")
            )
        except KeyboardInterrupt:
            print("ibis_fix: stopped")
            return
        if found is None:
            print(NO_FIX)
            return
        fix, code = found
        self.shell.set_next_input(code.rstrip("\n"), replace=False)  # type: ignore[union-attr]
        state = "checked" if fix.checked else "NOT checked: read it before running it"
        print(f"ibis_fix: the next cell holds the fix from the {fix.source} ({state})")
