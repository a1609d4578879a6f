"""Where a failure from deep inside Ibis started: the API call of the user's code that
raised, its signature, and the argument the error message points at.

An error raised inside Ibis often says nothing of the call the user wrote: ``too many
values to unpack (expected 1)`` from ``t.unnest([...])``, ``invalid literal for int()``
from ``s.rpad(".", 10)``. The traceback knows: the first Ibis frame under the user's own
frames is the method or function the user called, and its local variables are the
arguments it was given. This is the last thing said when no rule explains a failure: it
locates the mistake and says what the call takes, never what was meant, and has no fix.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import sysconfig
from pathlib import Path
from traceback import walk_tb
from types import FrameType, TracebackType

import ibis
import ibis.selectors

from ibis_copilot.repair.failure import Diagnosis, Failure

IBIS_DIR = str(Path(ibis.__file__).parent) + os.sep
#: Where code that is not the user's lives: the standard library, installed packages and
#: this package (the snippet runner, the kernel hook).
LIBRARY_DIRS = tuple(
    {sysconfig.get_paths()[key] + os.sep for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    | {str(Path(__file__).parent.parent) + os.sep}
)
MAX_SHOWN = 120


def raising_call(failure: Failure) -> Diagnosis | None:
    """The Ibis call in the user's code that raised, said with its signature and, where the
    message quotes one argument's value, that argument; None when the error was raised
    in the user's own code or outside Ibis."""
    frame = _entry_frame(failure.error.__traceback__, failure.code)
    if frame is None:
        return None
    name = frame.f_code.co_name
    shown, function = _api_function(frame, name)
    if function is None:
        return None
    try:
        signature = _plain_signature(inspect.signature(function))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    call = _call_text(failure.code, name)
    written = f"`{_shorten(call)}`" if call else f"`{name}(...)`"
    message = (
        f"{written} failed inside `{shown}{_shorten(signature)}`: "
        f"{type(failure.error).__name__}: {_first_line(failure.error)}"
    )
    if argument := _argument_in_message(frame, signature, str(failure.error)):
        message += f"; its argument `{argument[0]}` was given `{_shorten(argument[1])}`"
    return Diagnosis("failing call", message + ": compare the call's arguments with its signature")


def _entry_frame(traceback: TracebackType | None, code: str) -> FrameType | None:
    """The first Ibis frame under the last frame of the user's code whose function the code
    names (a decorator's wrapper between them is passed over)."""
    frames = [frame for frame, _line in walk_tb(traceback)]
    users = [i for i, frame in enumerate(frames) if not _is_library(frame.f_code.co_filename)]
    if not users or users[-1] == len(frames) - 1:
        return None
    for frame in frames[users[-1] + 1 :]:
        name = frame.f_code.co_name
        if not frame.f_code.co_filename.startswith(IBIS_DIR):
            return None
        if not name.startswith("_") and re.search(rf"(?<![\w]){name}\s*\(", code):
            return frame
    return None


def _is_library(filename: str) -> bool:
    return filename.startswith(LIBRARY_DIRS) or "site-packages" in filename


def _api_function(frame: FrameType, name: str) -> tuple[str, object | None]:
    """How the function is named to users (``Table.unnest``, ``ibis.memtable``) and the
    function itself."""
    owner = frame.f_locals.get("self")
    if owner is not None:
        cls = next((c for c in type(owner).__mro__ if name in vars(c)), None)
        return (f"{cls.__name__}.{name}", getattr(cls, name)) if cls else ("", None)
    for prefix, module in (("ibis", ibis), ("ibis.selectors", ibis.selectors)):
        function = getattr(module, name, None)
        if getattr(function, "__code__", None) is frame.f_code or (
            callable(function) and getattr(function, "__name__", "") == name
        ):
            return f"{prefix}.{name}", function
    return "", None


def _plain_signature(signature: inspect.Signature) -> str:
    """``(length, pad=' ')``: the parameters without ``self`` or annotations."""
    parameters = [
        p.replace(annotation=inspect.Parameter.empty)
        for p in signature.parameters.values()
        if p.name != "self"
    ]
    return str(signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty))


def _call_text(code: str, name: str) -> str:
    """The source of the first call of ``name`` in ``code`` (``t.a.rpad('.', 10)``)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == name:
                return ast.get_source_segment(code, node) or ""
    return ""


def _argument_in_message(frame: FrameType, signature: str, message: str) -> tuple[str, str] | None:
    """The one parameter whose value the message quotes (``'.'``) or whose value's type
    the message names (``... not int``)."""
    names = re.findall(r"[(,]\s*\**(\w+)", signature)
    values = {n: frame.f_locals[n] for n in names if n != "self" and n in frame.f_locals}
    quoted = [n for n, v in values.items() if isinstance(v, str) and repr(v) in message]
    typed = [
        n
        for n, v in values.items()
        if v is not None
        and not isinstance(v, bool)
        and re.search(rf"\b(?:not|got|of type) <?(?:class ')?{type(v).__name__}\b", message)
    ]
    found = quoted if len(quoted) == 1 else typed if not quoted and len(typed) == 1 else []
    return (found[0], repr(values[found[0]])) if found else None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return _shorten(text.splitlines()[0] if text else "(no message)")


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"
