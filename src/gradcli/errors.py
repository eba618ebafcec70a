"""Errors gradcli raises for bad input, and how they are rendered for people.

Every error a user can cause derives from :class:`GradcliError`. The CLI turns any of
them into one message on stderr (or a JSON error document) and exit code 2.
"""

from __future__ import annotations


class GradcliError(Exception):
    """Bad input of any kind: syntax, names, shapes, bindings, files, limits."""

    kind = "error"
    # The Python exception a lesson program's `except` clause sees (None: not catchable).
    pytype: "str | None" = "RuntimeError"

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        self.where = where
        self.hint = hint

    def at(self, line: int, column: int, source: str | None) -> "GradcliError":
        """Attach a position unless one is already known; returns self for `raise`."""
        if self.line is None:
            self.line, self.column = line, column
            if self.source is None:
                self.source = source
        return self

    def to_dict(self) -> dict:
        return {
            "type": type(self).__name__,
            "message": self.message if not self.hint else f"{self.message} ({self.hint})",
            "line": self.line,
            "column": self.column,
        }

    def render(self) -> str:
        """The message a person sees: what, where (with a caret), and a hint."""
        parts = [f"error: {self.message}"]
        if self.where:
            parts.append(f"  in {self.where}")
        if self.line is not None and self.column is not None:
            parts.append(f"  at line {self.line}, column {self.column}")
            if self.source is not None:
                parts.extend(caret_lines(self.source, self.line, self.column))
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)


class UsageError(GradcliError):
    """The command line itself is malformed: an unknown option or command, a bad option
    value."""


class ParseError(GradcliError):
    """The program text does not follow the grammar."""


class ProgramError(GradcliError):
    """An exception a lesson program raises or meets, as Python or PyTorch raises it
    (`pytype`: RuntimeError, TypeError, AssertionError, ...)."""

    def __init__(self, message: str, pytype: str = "RuntimeError", **kw) -> None:
        super().__init__(message, **kw)
        self.pytype = pytype

    def to_dict(self) -> dict:
        return {**super().to_dict(), "exception": self.pytype}


class UnboundNameError(GradcliError):
    """A name is read that no binding or assignment gives."""

    pytype = "NameError"
    name: "str | None" = None  # the unbound name


class UnknownFunctionError(GradcliError):
    """A call names a function or method gradcli does not know."""

    pytype = "AttributeError"


class BindingError(GradcliError):
    """A binding is malformed, unused, or has an unusable value."""


class ShapeError(GradcliError):
    """Tensor shapes do not fit the operation."""


class ArgumentError(GradcliError):
    """An operation got the wrong number or kind of arguments."""

    pytype = "TypeError"


class BackwardError(GradcliError):
    """backward() cannot run from the chosen output."""


class InputFileError(GradcliError):
    """A file the user named cannot be read or understood."""


class LimitError(GradcliError):
    """A size limit would be exceeded."""

    pytype = None


class NonFiniteError(GradcliError):
    """A NaN or infinity was produced and --strict asked for that to fail."""


_WINDOW = 72


def caret_lines(source: str, line: int, column: int) -> list[str]:
    """The offending source line and a caret under `column` (1-based), clipped to a window."""
    lines = source.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return []
    text = lines[line - 1].replace("\t", " ")
    col = max(column - 1, 0)
    start = 0
    if len(text) > _WINDOW:
        start = max(0, min(col - _WINDOW // 2, len(text) - _WINDOW))
        text = text[start : start + _WINDOW]
        if start > 0:
            text = "…" + text[1:]
        if start + _WINDOW < len(lines[line - 1]):
            text = text[:-1] + "…"
    return [f"    {text}", "    " + " " * (col - start) + "^"]


# Python errors that bad input can still provoke deep inside NumPy or the standard library
# (a value NumPy cannot convert, an integer beyond float range, an allocation the machine
# refuses). The interpreters turn them into GradcliError at the statement that caused them.
CONVERTIBLE = (ValueError, OverflowError, TypeError, IndexError, KeyError, ZeroDivisionError,
               AttributeError, MemoryError, RecursionError)


def from_python(e: BaseException, what: str = "") -> GradcliError:
    """The GradcliError for a Python error raised while running the user's program."""
    prefix = f"{what}: " if what else ""
    if isinstance(e, MemoryError):
        return LimitError(f"{prefix}out of memory: the program needs more memory than "
                          "gradcli may use", hint="see --max-memory and --max-elements")
    if isinstance(e, RecursionError):
        return LimitError(f"{prefix}nested too deeply")
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    if isinstance(e, OverflowError) or "too large" in text or "too big" in text:
        if "int too large to convert to float" in text:
            text = "an integer is too large to convert to float (beyond float range)"
        return ProgramError(f"{prefix}{text}", "OverflowError")
    pytype = type(e).__name__ if type(e).__name__ in (
        "ValueError", "TypeError", "IndexError", "KeyError", "ZeroDivisionError") else \
        "RuntimeError"
    return ProgramError(f"{prefix}{text}", pytype)
