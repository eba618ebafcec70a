"""The command line: parses arguments, calls the library, hands the Result to one view.

Bindings are free-form options (`--x 2`), so commands accept unknown options and
:func:`gradcli.bindings.split_args` sorts them out. Heavy or rarely used modules (Rich,
SymPy) are imported inside the branch that needs them.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Any, List, Optional

import typer

from .errors import GradcliError

app = typer.Typer(
    name="gradcli",
    help="A command-line expression differentiator with PyTorch's autograd semantics.\n\n"
         "Example: gradcli eval \"(x+w)*(w+1)\" --x 2 --w 1",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)



@app.callback()
def _group() -> None:
    """gradcli: build the autograd graph of an expression and show every gradient."""


FREE = {"allow_extra_args": True, "ignore_unknown_options": True}


class EvalFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


class DType(str, Enum):
    float64 = "float64"
    float32 = "float32"


# Options shared by every command that evaluates a program.
ProgramArg = typer.Argument(None, metavar="PROGRAM", show_default=False,
                            help="The program text, or - to read it from standard input.")
FileOpt = typer.Option(None, "-f", "--file", help="Read the program from FILE.")
VarOpt = typer.Option([], "--var", metavar="NAME=VALUE",
                      help="A binding whose name clashes with an option.")
BindingsOpt = typer.Option(None, "--bindings", metavar="FILE|-",
                           help="A JSON object of bindings.")
NoGradOpt = typer.Option([], "--no-grad", metavar="NAMES",
                         help="Bound names that do not require grad (comma-separated).")
RetainOpt = typer.Option([], "--retain-grad", metavar="NAMES",
                         help="Named tensors whose .grad PyTorch would keep (comma-separated).")
SeedOpt = typer.Option(None, "--seed", help="Seed for randn/rand in bindings and program.")
DTypeOpt = typer.Option(DType.float64, "--dtype", help="Floating point precision.")
MaxElemOpt = typer.Option(10**8, "--max-elements", help="Refuse tensors larger than this.")
StrictOpt = typer.Option(False, "--strict", help="Exit 2 if any NaN or infinity is produced.")


def _names(values: List[str]) -> list[str]:
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def _program_text(program: Optional[str], file: Optional[Path], extra: list[str]) -> str:
    from .errors import InputFileError

    if extra:
        raise GradcliError(f"unexpected argument {extra[0]!r}",
                           hint="give the program once; bindings look like --x 2")
    if file is not None:
        if program is not None:
            raise GradcliError("give the program either as an argument or with -f, not both")
        try:
            return file.read_text(encoding="utf-8")
        except OSError as e:
            raise InputFileError(f"cannot read program file {str(file)!r}: {e.strerror}") from None
        except UnicodeDecodeError:
            raise InputFileError(f"program file {str(file)!r} is not UTF-8 text") from None
    if program is None:
        raise GradcliError("no program given", hint='e.g. gradcli eval "(x+w)*(w+1)" --x 2 --w 1')
    if program == "-":
        return sys.stdin.read()
    return program


def load(ctx: typer.Context, program: Optional[str], file: Optional[Path], var: List[str],
         bindings_file: Optional[str], no_grad: List[str], retain_grad: List[str],
         seed: Optional[int], dtype: DType, max_elements: int, strict: bool):
    """Everything the evaluating commands share: program, bindings, evaluation."""
    import numpy as np

    from .bindings import binding_value, parse_var, read_bindings_file, split_args
    from .evaluator import evaluate, to_array

    tokens = ([program] if program is not None else []) + list(ctx.args)
    positional, pairs = split_args(tokens)
    text = _program_text(positional[0] if positional else None, file, positional[1:])
    pairs += [parse_var(v) for v in var]
    np_dtype = np.dtype(dtype.value)
    rng = np.random.default_rng(None if seed is None else [seed, 1])
    values: dict[str, Any] = {}
    if bindings_file is not None:
        for name, v in read_bindings_file(bindings_file).items():
            values[name] = (binding_value(name, v, dtype=np_dtype, rng=rng,
                                          max_elements=max_elements)
                            if isinstance(v, str) else to_array(name, v, np_dtype))
    seen: set[str] = set()
    for name, raw in pairs:
        if name in seen:
            raise GradcliError(f"--{name} is given twice")
        seen.add(name)
        values[name] = binding_value(name, raw, dtype=np_dtype, rng=rng,
                                     max_elements=max_elements)
    result = evaluate(text, values, no_grad=_names(no_grad), retain_grad=_names(retain_grad),
                      dtype=dtype.value, seed=seed, max_elements=max_elements)
    if strict and result.warnings:
        from .errors import NonFiniteError

        raise NonFiniteError(result.warnings[0], hint="--strict turns NaN/inf into an error")
    return result


def _console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 160
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


def fail(err: GradcliError, as_json: bool) -> None:
    if as_json:
        from .result import SCHEMA, dumps

        print(dumps({"schema": SCHEMA, "error": err.to_dict()}))
    else:
        sys.stderr.write(err.render() + "\n")
    raise typer.Exit(2)


@app.command("eval", context_settings=FREE)
def eval_cmd(
    ctx: typer.Context,
    program: Optional[str] = ProgramArg,
    file: Optional[Path] = FileOpt,
    var: List[str] = VarOpt,
    bindings_file: Optional[str] = BindingsOpt,
    no_grad: List[str] = NoGradOpt,
    retain_grad: List[str] = RetainOpt,
    seed: Optional[int] = SeedOpt,
    dtype: DType = DTypeOpt,
    max_elements: int = MaxElemOpt,
    strict: bool = StrictOpt,
    format: EvalFormat = typer.Option(EvalFormat.table, "--format", help="Output format."),
    torch: bool = typer.Option(False, "--torch", help="Show .grad as PyTorch keeps it."),
    full: bool = typer.Option(False, "--full", help="Print whole tensors, not summaries."),
) -> None:
    """Evaluate PROGRAM at the bindings, run backward, show every node.

    Bindings are options named after the program's variables:

        gradcli eval "(x+w)*(w+1)" --x 2 --w 1

        gradcli eval "torch.mm(W, v).sum()" --W "randn(3,2)" --v "[[1],[2]]" --seed 0
    """
    as_json = format in (EvalFormat.json, EvalFormat.jsonl)
    try:
        result = load(ctx, program, file, var, bindings_file, no_grad, retain_grad, seed,
                      dtype, max_elements, strict)
    except GradcliError as e:
        fail(e, as_json)
    if as_json:
        from .result import dumps

        print(dumps(result.to_dict(), indent=None if format == EvalFormat.jsonl else 2))
        return
    from .views import table

    table.render(result, _console(), full=full, torch=torch)


def main() -> None:
    """Console entry point: no traceback ever reaches the user."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as e:  # a bug in gradcli, not bad input
        if os.environ.get("GRADCLI_DEBUG"):
            raise
        sys.stderr.write(f"gradcli: internal error: {type(e).__name__}: {e}\n"
                         "please report this with the command you ran "
                         "(GRADCLI_DEBUG=1 shows the traceback)\n")
        sys.exit(3)
