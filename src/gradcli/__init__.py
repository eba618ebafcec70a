"""gradcli: parse an expression, build its autograd graph as PyTorch would, differentiate it.

    >>> import gradcli
    >>> r = gradcli.evaluate("(x+w)*(w+1)", {"x": 2, "w": 1})
    >>> r.value, r.grads
    (6.0, {'x': 2.0, 'w': 5.0})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import GradcliError

__all__ = ["GradcliError", "Result", "check", "evaluate", "explain", "graph", "json_schema",
           "parse"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .result import Result
    from .syntax import Program


def evaluate(program: "str | Program", bindings: "dict[str, Any] | None" = None,
             **options: Any) -> "Result":
    """Evaluate `program` at `bindings` (numbers, nested lists or NumPy arrays) and run
    backward. Options: no_grad, retain_grad, dtype ("float64"|"float32"), seed,
    max_elements. Raises a GradcliError subclass for any bad input."""
    from .evaluator import evaluate as _evaluate

    return _evaluate(program, bindings, **options)


def explain(program: str, bindings: "dict[str, Any] | None" = None, wrt: Any = None,
            **options: Any) -> Any:
    """`gradcli explain` in Python: the chain rule over every path (see gradcli.api)."""
    from .api import explain as _explain

    return _explain(program, bindings, wrt, **options)


def check(program: str, bindings: "dict[str, Any] | None" = None,
          expect: "dict[str, Any] | None" = None, **options: Any) -> Any:
    """`gradcli check` in Python: a report, truthy when every check passes (see
    gradcli.api)."""
    from .api import check as _check

    return _check(program, bindings, expect, **options)


def graph(program: str, bindings: "dict[str, Any] | None" = None, **options: Any) -> Any:
    """`gradcli graph` in Python: DOT, Mermaid, SVG; a notebook displays it (see
    gradcli.api)."""
    from .api import graph as _graph

    return _graph(program, bindings, **options)


def json_schema() -> dict:
    """The JSON Schema (2020-12) of every document gradcli prints (schema gradcli/1)."""
    import json
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for path in (here / "schema" / "result.schema.json",  # installed from a wheel
                 here.parent.parent / "schema" / "result.schema.json"):  # a source tree
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise GradcliError("gradcli's JSON schema is missing from this installation")


def parse(program: str) -> "Program":
    """Parse program text into the AST; raises ParseError."""
    from .syntax import parse as _parse

    return _parse(program)


def command_line() -> None:
    """The ``gradcli`` executable and ``python -m gradcli``: :func:`main`, ending the
    process as soon as a plain ``eval`` line has printed its output (see
    :func:`gradcli.command.exit_now`)."""
    main(fast_exit=True)


def main(fast_exit: bool = False) -> None:
    """The ``gradcli`` command.

    Start-up (importing NumPy, Typer and gradcli, and Typer building its commands)
    allocates many long-lived objects and no garbage, so the cyclic garbage collector is
    paused until the command runs. A plain ``gradcli eval PROGRAM --x 2 ...`` line is run
    without importing Typer at all (see :mod:`gradcli.command`).
    """
    import gc
    import os
    import sys

    gc.disable()
    # OpenBLAS starts a thread per core when NumPy loads it, which costs a third of a
    # scalar run's start-up; gradcli's matrices are small, so one thread unless the user
    # asks for more (OPENBLAS_NUM_THREADS=4 gradcli ...).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from . import command

    command.MEMORY_GUARD = True
    command.ascii_fallback()

    plan = None if command.completing() else command.quick_plan(sys.argv[1:])
    if plan is not None:
        from . import bindings, evaluator  # noqa: F401  (NumPy and the engine, GC paused)

        gc.freeze()
        gc.enable()
        code = command.guarded(lambda: command.run_eval(*plan))
        if fast_exit:
            command.exit_now(code)
        sys.exit(code)
    from . import cli

    cli.GC_PAUSED = True
    cli.main()


def __getattr__(name: str) -> Any:
    if name == "Result":
        from .result import Result

        return Result
    raise AttributeError(name)
