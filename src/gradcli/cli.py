"""The command line: parses arguments, calls the library, hands the Result to one view.

Bindings are free-form options (`--x 2`), so commands accept unknown options and
:func:`gradcli.bindings.split_args` sorts them out. Heavy or rarely used modules (Rich,
SymPy) are imported inside the branch that needs them.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Any, List, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from .command import (EVAL_FORMATS, Loaded, Progress, completing, guarded, load, option_hint,
                      show_eval)
from .command import console as _console
from .command import names as _names
from .command import print_lines as _print_lines
from .command import report
from .command import program_text as _program_text
from .errors import GradcliError

HELP = {"help_option_names": ["-h", "--help"]}


def _usage_error(e: Exception, argv: list[str]) -> int:
    """A usage error Typer/Click found (a bad option value, an unknown command or option)
    said as gradcli says every error: `error:`/`hint:` on stderr, or a JSON error document
    under --format json|jsonl; exit code 2."""
    from .errors import UsageError

    text = e.format_message().strip()
    hint = None
    if ". Did you mean " in text:
        text, maybe = text.split(". Did you mean ", 1)
        hint = "did you mean " + maybe
    text = text.rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    ctx = getattr(e, "ctx", None)
    path = ctx.command_path if ctx is not None else "gradcli"
    if hint is None:
        hint = f"{path} -h lists the options"
    fmt = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--format"), None)
    fmt = next((a.split("=", 1)[1] for a in argv if a.startswith("--format=")), fmt)
    report(UsageError(text, hint=hint), fmt in ("json", "jsonl"), one_line=fmt == "jsonl")
    return 2


class GradcliGroup(TyperGroup):
    """gradcli's command group: usage errors come out in gradcli's error style."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(args=argv, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, **extra)
        except typer.Abort:
            sys.stderr.write("aborted\n")
            code = 1
        except Exception as e:  # Click's usage errors (vendored by Typer or not)
            if not (hasattr(e, "format_message") and isinstance(getattr(e, "exit_code", None),
                                                                int)):
                raise
            if type(e).__name__ == "NoArgsIsHelpError":  # `gradcli` alone: the help
                sys.stdout.write(e.format_message() + "\n")
                code = 0
            else:
                code = _usage_error(e, argv)
        code = code if isinstance(code, int) else 0
        if not standalone_mode:
            return code
        sys.exit(code)


app = typer.Typer(
    name="gradcli",
    cls=GradcliGroup,
    context_settings=HELP,
    help="A command-line expression differentiator with PyTorch's autograd semantics.\n\n"
         "Example: gradcli eval \"(x+w)*(w+1)\" --x 2 --w 1",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no boxes padded with spaces, no Rich import
)



def _version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"gradcli {__version__}")
        raise typer.Exit(0)


# Set by gradcli.main, which runs start-up with the cyclic garbage collector paused.
GC_PAUSED = False


@app.callback()
def _group(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                        help="Print gradcli's version and exit.")) -> None:
    """gradcli: build the autograd graph of an expression and show every gradient."""
    global GC_PAUSED
    if GC_PAUSED:  # start-up is over: what was built lives until exit, the command may
        import gc  # make garbage

        gc.freeze()
        gc.enable()
        GC_PAUSED = False


FREE = {**HELP, "allow_extra_args": True, "ignore_unknown_options": True}


def join_binding_values(args: list[str], options: set[str]) -> list[str]:
    """`--x -inf` -> `--x=-inf` for bindings (long options the command does not define),
    so that Click does not read a value that starts with a dash as short options:
    `-inf` holds `f`, and `-f` is the program-file option."""
    out: list[str] = []
    i = 0
    while i < len(args):
        tok = args[i]
        if tok == "--":
            out += args[i:]
            break
        if (tok.startswith("--") and "=" not in tok and tok not in options
                and i + 1 < len(args) and args[i + 1].startswith("-")
                and not args[i + 1].startswith("--") and len(args[i + 1]) > 1):
            out.append(f"{tok}={args[i + 1]}")
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


class BindingCommand(TyperCommand):
    """A command whose unknown long options are bindings (`--x 2`): their values are kept
    whole, whatever they start with."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        options = {o for p in self.get_params(ctx) for o in (*p.opts, *p.secondary_opts)}
        return super().parse_args(ctx, join_binding_values(args, options))


# the quick path's formats, and the backward pass as pictures (--steps --format svg|html)
EvalFormat = Enum("EvalFormat", {f: f for f in (*EVAL_FORMATS, "svg", "html")}, type=str)


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
MaxMemOpt = typer.Option(None, "--max-memory", metavar="BYTES",
                         help="Memory the program's tensors may take together (e.g. 512M, "
                              "2G; default: a quarter of the machine, at most 2G).")
MaxFlopsOpt = typer.Option(None, "--max-flops", metavar="N",
                           help="Refuse a matrix product of more operations (default 1e11).")
FileRefsOpt = typer.Option(False, "--allow-file-refs",
                           help="Let a --bindings file name other files (\"@w.npy\").")
StrictOpt = typer.Option(False, "--strict", help="Exit 2 if any NaN or infinity is produced.")


class Common:
    """The inputs every evaluating command shares: the program, its bindings, options."""

    NAMES = ("program", "file", "var", "bindings_file", "no_grad", "retain_grad", "seed",
             "dtype", "max_elements", "strict", "max_memory", "max_flops", "allow_file_refs")

    def __init__(self, ctx: typer.Context, values: dict) -> None:
        self.ctx = ctx
        for name in self.NAMES:
            setattr(self, name, values[name])

    def load(self, trace: bool = False, differentiate: Optional[bool] = True,
             max_steps: int = 10**6, lesson_ok: bool = False,
             backward: Optional[str] = None) -> "Loaded":
        """Read the program and bindings, evaluate once; bad input raises GradcliError."""
        tokens = ([self.program] if self.program is not None else []) + list(self.ctx.args)
        try:
            return self._load(tokens, trace, differentiate, max_steps, lesson_ok, backward)
        except GradcliError as e:
            _option_clash(self.ctx, e)
            raise

    def _load(self, tokens, trace, differentiate, max_steps, lesson_ok, backward) -> "Loaded":
        return load(tokens, file=self.file, var=self.var, bindings_file=self.bindings_file,
                    no_grad=self.no_grad, retain_grad=self.retain_grad, seed=self.seed,
                    dtype=self.dtype.value, max_elements=self.max_elements, strict=self.strict,
                    trace=trace, differentiate=differentiate, max_steps=max_steps,
                    lesson_ok=lesson_ok, backward=backward, max_memory=self.max_memory,
                    max_flops=self.max_flops, allow_file_refs=self.allow_file_refs)


def _option_clash(ctx: typer.Context, err: GradcliError) -> None:
    """An unbound name that is also one of the command's options (`--seed 3` set the
    option, not a variable `seed`): the hint says how to bind it."""
    from .errors import UnboundNameError

    name = getattr(err, "name", None)
    if not isinstance(err, UnboundNameError) or name is None:
        return
    for p in ctx.command.get_params(ctx):
        if f"--{name}" in p.opts or f"-{name}" in p.opts:
            given = ctx.params.get(p.name)
            if isinstance(given, Enum):
                given = given.value
            value = given if given not in (None, p.default, [], False, True) else "VALUE"
            if isinstance(value, (list, tuple)):
                value = value[0] if value else "VALUE"
            err.hint = option_hint(name, value, ctx.command_path)
            return


COMMON_PARAMETERS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
    for name, kind, default in [
        ("program", Optional[str], ProgramArg), ("file", Optional[Path], FileOpt),
        ("var", List[str], VarOpt), ("bindings_file", Optional[str], BindingsOpt),
        ("no_grad", List[str], NoGradOpt), ("retain_grad", List[str], RetainOpt),
        ("seed", Optional[int], SeedOpt), ("dtype", DType, DTypeOpt),
        ("max_elements", int, MaxElemOpt), ("strict", bool, StrictOpt),
        ("max_memory", Optional[str], MaxMemOpt), ("max_flops", Optional[str], MaxFlopsOpt),
        ("allow_file_refs", bool, FileRefsOpt)]
]


def program_command(name: str):
    """Register a command that takes the shared options (defined once, above) followed by
    its own; it receives them as one `Common` argument."""
    def register(f):
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
               for p in inspect.signature(f).parameters.values() if p.name != "common"]

        @functools.wraps(f)
        def command(ctx: typer.Context, **kwargs):
            shared = {k: kwargs.pop(k) for k in Common.NAMES}
            return f(Common(ctx, shared), **kwargs)

        params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    annotation=typer.Context), *COMMON_PARAMETERS, *own]
        command.__signature__ = inspect.Signature(params)
        command.__annotations__ = {p.name: p.annotation for p in params}
        del command.__wrapped__
        app.command(name, cls=BindingCommand, context_settings=FREE)(command)
        return f
    return register


def fail(err: GradcliError, as_json: bool, *, one_line: bool = False) -> None:
    report(err, as_json, one_line=one_line)
    raise typer.Exit(2)


@program_command("eval")
def eval_cmd(
    common: Common,
    format: EvalFormat = typer.Option(EvalFormat.table, "--format", help="Output format."),
    torch: bool = typer.Option(False, "--torch", help="Show .grad as PyTorch keeps it."),
    full: bool = typer.Option(False, "--full", help="Print whole tensors, not summaries."),
    steps: bool = typer.Option(False, "--steps",
                               help="Show the backward pass step by step (with --format "
                                    "svg|html: one picture per step)."),
    all_rows: bool = typer.Option(False, "--all",
                                  help="Show every node of a large graph in the table."),
    backward: Optional[str] = typer.Option(
        None, "--backward", metavar="N|all",
        help="Lessons: show the graph of backward pass N (1 = first, -1 = last, the "
             "default) or of every pass."),
    max_steps: int = typer.Option(10**6, "--max-steps", min=1,
                                  help="Lessons: stop after this many statements."),
) -> None:
    """Evaluate PROGRAM at the bindings, run backward, show every node.

    Bindings are options named after the program's variables:

        gradcli eval "(x+w)*(w+1)" --x 2 --w 1

        gradcli eval "(W @ v).sum()" --W "randn(3,2)" --v "[1, 2]" --seed 0
    """
    as_json = format in (EvalFormat.json, EvalFormat.jsonl)
    pictures = format.value in ("svg", "html")
    try:
        if pictures:
            from .views import graph

            graph.need_graphviz()
        result = common.load(trace=steps or pictures, max_steps=max_steps,
                             lesson_ok=not pictures, backward=backward).result
        if pictures:
            from .views import frames

            sys.stdout.write(frames.svg(result) if format.value == "svg" else
                             frames.html(result))
            return
    except GradcliError as e:
        fail(e, as_json, one_line=format == EvalFormat.jsonl)
    code = show_eval(result, format.value, torch=torch, full=full, steps=steps,
                     all_rows=all_rows, backward=backward)
    if code:
        raise typer.Exit(code)


class TableFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


def _print_json(doc: dict, format: Enum) -> None:
    """A JSON document: indented for json, one line for jsonl."""
    from .result import dumps

    print(dumps(doc, indent=None if format.value == "jsonl" else 2))


def _parse_assignments(option: str, specs: List[str], seed: Optional[int],
                       max_elements: int) -> list[tuple[str, Any]]:
    """NAME=VALUE options (--expect, --tangent), in order; VALUE is a constant expression.
    `option` is named without dashes: errors read "--expect w: ..."."""
    import numpy as np

    from .bindings import binding_value
    from .checking import parse_expect
    from .evaluator import Randomness

    rng = Randomness(seed)
    out = []
    for spec in specs:
        name, raw = parse_expect(spec)
        out.append((name, binding_value(f"{option} {name}", raw, dtype=np.dtype("float64"),
                                        rng=rng, max_elements=max_elements)))
    return out


@program_command("check")
def check_cmd(
    common: Common,
    expect: List[str] = typer.Option([], "--expect", metavar="NAME=VALUE",
                                     help="A leaf's gradient (w=5, or dy/dw=5) or a named "
                                          "node's value (y=6); tensors as JSON."),
    gradcheck: bool = typer.Option(False, "--gradcheck",
                                   help="Compare every leaf gradient with central "
                                        "finite differences (float64)."),
    rtol: float = typer.Option(1e-3, "--rtol", help="Relative tolerance for --expect."),
    atol: float = typer.Option(1e-6, "--atol", help="Absolute tolerance for --expect."),
    format: TableFormat = typer.Option(TableFormat.table, "--format"),
) -> None:
    """Check hand-computed answers: exit 0 if all hold, 1 if any fails, 2 on bad input.

    \b
        gradcli check "(x+w)*(w+1)" --x 2 --w 1 --expect w=5 --expect x=2
        gradcli check "tanh(W @ v).sum()" --W "randn(3,2)" --v "[1,2]" --gradcheck
    """
    from . import checking as check

    as_json = format != TableFormat.table
    try:
        for option, tol in (("--rtol", rtol), ("--atol", atol)):
            if not (tol >= 0 and tol != float("inf")):
                raise GradcliError(f"{option} must be a finite number >= 0 (got {tol})")
        if not expect and not gradcheck:
            raise GradcliError("nothing to check", hint="give --expect NAME=VALUE or --gradcheck")
        loaded = common.load()
        specs = _parse_assignments("expect", expect, common.seed, common.max_elements)
        results = check.check_expectations(loaded.result, specs, rtol=rtol, atol=atol)
        fd = check.gradcheck(loaded.result, loaded.rerun) if gradcheck else []
    except GradcliError as e:
        fail(e, as_json, one_line=format.value == "jsonl")
    from .api import CheckReport

    report_ = CheckReport(results, fd, rtol, atol)
    passed = report_.passed
    if as_json:
        _print_json(report_.to_dict(), format)
    else:
        from .views.check import render

        render(results, fd, _console(), rtol=rtol, atol=atol)
    raise typer.Exit(0 if passed else 1)


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


@program_command("explain")
def explain_cmd(
    common: Common,
    wrt: List[str] = typer.Option([], "--wrt", metavar="NAMES",
                                  help="Differentiate with respect to these (default: all)."),
    latex: bool = typer.Option(False, "--latex", help="Also print the derivative as LaTeX."),
    max_paths: int = typer.Option(12, "--max-paths", help="List at most this many paths."),
    steps: bool = typer.Option(False, "--steps", help="Also show the backward pass."),
    format: ExplainFormat = typer.Option(ExplainFormat.text, "--format"),
) -> None:
    """The chain rule over every path from the output to each variable.

        gradcli explain "(x+w)*(w+1)" --x 2 --w 1 --wrt w
    """
    from .chainrule import explain

    as_json = format != ExplainFormat.text
    try:
        loaded = common.load(trace=steps)
        result = loaded.result
        names = _names(wrt) or [n.label for n in result.leaves]
        if not names:
            raise GradcliError("no variable requires grad: there is nothing to explain")
        explanations = [explain(result, n, max_paths=max(1, max_paths)) for n in names]
    except GradcliError as e:
        fail(e, as_json, one_line=format.value == "jsonl")
    if as_json:
        from .result import SCHEMA

        _print_json({"schema": SCHEMA, "explain": [ex.to_dict() for ex in explanations]},
                    format)
        return
    from .views.explain import chain_rule, steps as step_lines

    console = _console()
    for i, ex in enumerate(explanations):
        _print_lines(console, chain_rule(ex, latex=latex), gap=i > 0, wrap=True)
    if steps:
        _print_lines(console, step_lines(result), gap=True)


class GraphFormat(str, Enum):
    dot = "dot"
    mermaid = "mermaid"
    svg = "svg"
    png = "png"


class RankDir(str, Enum):
    TB = "TB"
    LR = "LR"
    BT = "BT"
    RL = "RL"


@program_command("graph")
def graph_cmd(
    common: Common,
    format: GraphFormat = typer.Option(GraphFormat.dot, "--format", help="Picture format."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to FILE."),
    rankdir: RankDir = typer.Option(RankDir.TB, "--rankdir", help="Layout direction."),
    torch: bool = typer.Option(False, "--torch",
                               help="Draw PyTorch's AccumulateGrad nodes between each leaf "
                                    "that requires grad and its users."),
    hide_constants: bool = typer.Option(False, "--hide-constants",
                                        help="Leave out nodes that do not require grad."),
    dpi: Optional[int] = typer.Option(None, "--dpi", min=10, max=1200,
                                      help="Resolution of PNG (and SVG's scale)."),
    legend: bool = typer.Option(True, "--legend/--no-legend", help="Draw the colour legend."),
    collapse: Optional[bool] = typer.Option(
        None, "--collapse/--no-collapse",
        help="Draw each chain of 3+ one-input ops as one box (default: for graphs of more "
             "than 100 nodes)."),
) -> None:
    """Draw the graph: Graphviz DOT, Mermaid, or SVG/PNG through Graphviz's `dot`. Edges
    carry the local derivative d(user)/d(input) at the bindings (scalar graphs).

        gradcli graph "(x+w)*(w+1)" --x 2 --w 1 --format dot

        gradcli graph "(x+w)*(w+1)" --x 2 --w 1 --format svg -o graph.svg
    """
    from .views import graph

    try:
        dot_path = graph.need_graphviz() if format in (GraphFormat.svg, GraphFormat.png) else None
        if format == GraphFormat.png and output is None and sys.stdout.isatty():
            raise GradcliError("PNG is binary: write it to a file with -o graph.png")
        result = common.load().result
        if format == GraphFormat.mermaid:
            data = graph.mermaid(result, rankdir=rankdir.value,
                                 hide_constants=hide_constants).encode()
        else:
            data = graph.dot(result, rankdir=rankdir.value, hide_constants=hide_constants,
                             torch=torch, dpi=dpi, legend=legend, collapse=collapse).encode()
            if dot_path is not None:
                data = graph.render(data.decode(), format.value, dot_path)
        if output is not None:
            try:
                output.write_bytes(data)
            except OSError as e:
                raise GradcliError(f"cannot write {str(output)!r}: {e.strerror}") from None
            return
    except GradcliError as e:
        fail(e, False)
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


class BatchFormat(str, Enum):
    jsonl = "jsonl"


@app.command("batch", cls=BindingCommand, context_settings=FREE)
def batch_cmd(
    ctx: typer.Context,
    program: Optional[str] = ProgramArg,
    file: Optional[Path] = FileOpt,
    input: str = typer.Option("-", "--input", "-i", metavar="FILE|-",
                              help="JSON Lines of bindings (default: standard input)."),
    nodes: bool = typer.Option(False, "--nodes", help="Include every node in each line."),
    var: List[str] = VarOpt,
    no_grad: List[str] = NoGradOpt,
    seed: Optional[int] = SeedOpt,
    dtype: DType = DTypeOpt,
    max_elements: int = MaxElemOpt,
    max_memory: Optional[str] = MaxMemOpt,
    max_flops: Optional[str] = MaxFlopsOpt,
    format: BatchFormat = typer.Option(BatchFormat.jsonl, "--format",
                                       help="Output format (JSON Lines, always)."),
) -> None:
    """Evaluate PROGRAM once per line of JSON bindings; one result line per input line.

    \b
        printf '{"x": 2}\\n{"x": 3, "w": 0}\\n' | gradcli batch "(x+w)*(w+1)" --w 1

    Bindings given as options (--w 1, --var NAME=VALUE) are shared by every row; a row's
    own value wins. A bad line gives {"line": N, "error": {...}} and the others go on;
    exit 2 if any failed.
    """
    import numpy as np

    from . import batch
    from .bindings import binding_value, parse_var, split_args
    from .evaluator import Randomness
    from .syntax import parse

    try:
        if program == "-" and input == "-":
            raise GradcliError("the program and the bindings cannot both come from standard "
                               "input", hint="give the program as an argument or with -f")
        from .command import check_limits

        limits = check_limits(seed=seed, max_elements=max_elements, max_memory=max_memory,
                              max_flops=max_flops)
        extra, pairs = split_args(list(ctx.args))
        text = _program_text(program, file, extra)
        prog = parse(text)
        rng = Randomness(seed)
        shared = {}
        for name, raw in pairs + [parse_var(v) for v in var]:
            if name in shared:
                raise GradcliError(f"--{name} is given twice")
            value = binding_value(name, raw, dtype=np.dtype(dtype.value), rng=rng,
                                  max_elements=max_elements)
            shared[name] = float(value) if np.ndim(value) == 0 and value.dtype.kind == "f" \
                else value
        stream = _Lines(input)
    except GradcliError as e:
        fail(e, False)
    options = dict(no_grad=_names(no_grad), dtype=dtype.value, seed=seed,
                   max_elements=max_elements, shared=shared, **limits)
    failed = False
    out = sys.stdout
    write = out.write

    with stream as lines:
        for text, bad in batch.run_text(prog, lines, nodes=nodes, **options):
            failed = failed or bad
            write(text)
            out.flush()  # each chunk's results reach the pipe while the input still comes
    out.flush()
    raise typer.Exit(2 if failed else 0)


class _Lines:
    """Lines of the bindings input, decoded; a progress bar on a terminal (bytes of a
    file, lines of standard input)."""

    def __init__(self, spec: str) -> None:
        from .command import stdin_hint

        self.spec = spec
        if spec == "-":
            from .bindings import stdin_bytes

            self.fh = stdin_bytes()
            self.size = None
            stdin_hint("JSON Lines of bindings", "one object per line, end with Ctrl-D; or "
                       "pipe them in, or give --input FILE")
        else:
            try:
                self.fh = open(spec, "rb")
                self.size = os.fstat(self.fh.fileno()).st_size
            except OSError as e:
                from .errors import InputFileError

                raise InputFileError(f"cannot read {spec!r}: {e.strerror}") from None

    def __enter__(self):
        from .command import Progress

        self.progress = Progress("batch: bytes read" if self.size else "batch: lines read",
                                 self.size or None)
        return self._iter()

    def _iter(self):
        """Each line as text, or the error that stands for it: a line longer than the
        limit is not kept (its error line says so); input that is not text (a NUL byte
        in an over-long line, as /dev/zero gives) ends the reading."""
        from .bindings import MAX_TEXT_BYTES
        from .errors import InputFileError, LimitError

        progress = self.progress if self.progress.on else None
        done = 0
        readline = self.fh.readline
        while True:
            raw = readline(MAX_TEXT_BYTES + 1)
            if not raw:
                return
            if progress is not None:
                done += len(raw) if self.size else 1
                progress(done)
            if len(raw) > MAX_TEXT_BYTES and not raw.endswith(b"\n"):
                yield LimitError(f"the line is longer than {MAX_TEXT_BYTES // 2**20} MiB: "
                                 "not read")
                binary = b"\0" in raw
                while not binary:  # skip the rest of the line
                    raw = readline(2**20)
                    if not raw or raw.endswith(b"\n"):
                        break
                    binary = b"\0" in raw
                if binary:
                    yield InputFileError("the input is not text (NUL bytes): the rest is "
                                         "not read")
                    return
                continue
            try:
                yield raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as e:
                yield InputFileError(f"the line is not UTF-8 text (byte {e.start + 1} is "
                                     f"0x{raw[e.start]:02x})")

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)
        if self.spec != "-":
            self.fh.close()


@program_command("jvp")
def jvp_cmd(
    common: Common,
    tangent: List[str] = typer.Option([], "--tangent", metavar="NAME=VALUE",
                                      help="A leaf's tangent (others are 0); tensors as JSON."),
    full: bool = typer.Option(False, "--full", help="Print whole tensors, not summaries."),
    format: TableFormat = typer.Option(TableFormat.table, "--format"),
) -> None:
    """Forward mode: every node's value and tangent along the given direction.

        gradcli jvp "(x+w)*(w+1)" --x 2 --w 1 --tangent w=1
    """
    import numpy as np

    from . import autodiff

    as_json = format != TableFormat.table
    try:
        loaded = common.load(differentiate=None)
        result = loaded.result
        given = dict(_parse_assignments("tangent", tangent, common.seed, common.max_elements))
        if not given:
            raise GradcliError("no tangent given", hint="e.g. --tangent w=1")
        seeds = {}
        for name, t in given.items():
            leaf = autodiff.leaves_named(result, [name])[0]
            try:
                seeds[leaf.id] = np.broadcast_to(t, leaf.value.shape)
            except ValueError:
                raise GradcliError(f"--tangent {name}: shape {list(t.shape)} does not fit "
                                   f"{name}'s shape {list(leaf.value.shape)}") from None
        tans = autodiff.tangents(result, seeds)
    except GradcliError as e:
        fail(e, as_json, one_line=format.value == "jsonl")
    out = result.output_node
    jvp = tans[out.id] if out is not None and tans[out.id] is not None else (
        np.zeros_like(out.value) if out is not None else None)
    reverse = None
    if result.differentiated:
        reverse = float(sum(np.sum(np.asarray(result.grad(result.nodes[i])) * t)
                            for i, t in seeds.items()))
    if as_json:
        from .result import jsonable

        doc = result.to_dict()
        for nd, t in zip(doc["nodes"], tans):
            nd["tangent"] = jsonable(t if t is not None else np.zeros_like(result.nodes[nd["id"]].value))
        doc["tangents"] = {k: jsonable(v) for k, v in given.items()}
        doc["jvp"] = jsonable(jvp)
        doc["reverse"] = jsonable(reverse)
        _print_json(doc, format)
        return
    from .views.autodiff import render_jvp

    render_jvp(result, tans, given, jvp, reverse, _console(), full=full)


@program_command("hessian")
def hessian_cmd(
    common: Common,
    wrt: List[str] = typer.Option([], "--wrt", metavar="NAMES",
                                  help="Variables (default: all), comma-separated."),
    gradcheck: bool = typer.Option(False, "--gradcheck",
                                   help="Cross-check with finite differences of the gradient."),
    format: TableFormat = typer.Option(TableFormat.table, "--format"),
) -> None:
    """Second derivatives by automatic differentiation (reverse over reverse).

        gradcli hessian "(x+w)*(w+1)" --x 2 --w 1 --wrt x,w
    """
    import numpy as np

    from . import autodiff

    as_json = format != TableFormat.table
    try:
        loaded = common.load()
        leaves = autodiff.leaves_named(loaded.result, _names(wrt))
        if sum(leaf.value.size for leaf in leaves) > autodiff.MAX_PASSES:
            raise GradcliError(f"the Hessian would have more than {autodiff.MAX_PASSES} rows",
                               hint="choose fewer variables with --wrt")
        with Progress("hessian: rows", sum(x.value.size for x in leaves)) as progress:
            H, labels = autodiff.hessian(loaded.result, leaves, progress)
        fd_err = None
        if gradcheck:
            fd = autodiff.finite_difference_hessian(loaded.rerun, loaded.result, leaves)
            fd_err = float(np.max(np.abs(fd - H))) if H.size else 0.0
    except GradcliError as e:
        fail(e, as_json, one_line=format.value == "jsonl")
    ok = fd_err is None or fd_err <= 1e-4 * max(1.0, float(np.max(np.abs(H))) if H.size else 1.0)
    if as_json:
        from .result import SCHEMA, jsonable

        doc = {"schema": SCHEMA, "wrt": labels, "hessian": jsonable(H)}
        if fd_err is not None:
            doc["gradcheck"] = {"max_abs_err": jsonable(fd_err), "passed": ok}
        _print_json(doc, format)
    else:
        from .views.autodiff import render_matrix

        console = _console()
        render_matrix(H, labels, labels, console,
                      title=f"Hessian of {loaded.result.output_name}")
        if fd_err is not None:
            mark = "agrees" if ok else "DISAGREES"
            console.print(f"finite-difference cross-check: max |difference| "
                          f"{fd_err:.3g} ({mark})", highlight=False)
    raise typer.Exit(0 if ok else 1)


@program_command("jacobian")
def jacobian_cmd(
    common: Common,
    wrt: List[str] = typer.Option([], "--wrt", metavar="NAMES",
                                  help="Variables (default: all), comma-separated."),
    format: TableFormat = typer.Option(TableFormat.table, "--format"),
) -> None:
    """The Jacobian of a (possibly non-scalar) output with respect to each variable.

        gradcli jacobian "W @ u" --W "[[1,2],[3,4],[5,6]]" --u "[0.5,-1]" --wrt u
    """
    from . import autodiff

    as_json = format != TableFormat.table
    try:
        loaded = common.load(differentiate=False)
        result = loaded.result
        if result.output_node is None or not result.output_node.requires_grad:
            raise GradcliError("the output does not depend on any variable that requires grad")
        leaves = autodiff.leaves_named(result, _names(wrt))
        outputs = result.output_node.value.size
        inputs = sum(leaf.value.size for leaf in leaves)
        if outputs * inputs > common.max_elements:
            raise GradcliError(f"the Jacobian would have {outputs * inputs:,} entries, more "
                               f"than the limit of {common.max_elements:,} (--max-elements)",
                               hint="choose fewer variables with --wrt, or a smaller output")
        if min(outputs, inputs) > autodiff.MAX_PASSES:
            raise GradcliError(f"the Jacobian would need {min(outputs, inputs):,} passes, more "
                               f"than the limit of {autodiff.MAX_PASSES:,} rows",
                               hint="choose fewer variables with --wrt, or a smaller output")
        with Progress("jacobian: input directions", inputs) as progress:
            jac, mode, passes = autodiff.jacobian(result, leaves, progress)
    except GradcliError as e:
        fail(e, as_json, one_line=format.value == "jsonl")
    if as_json:
        from .result import SCHEMA, jsonable

        _print_json({"schema": SCHEMA, "output_shape": list(result.output_node.value.shape),
                     "mode": mode, "passes": passes,
                     "jacobian": {k: jsonable(v) for k, v in jac.items()}}, format)
        return
    from .views.autodiff import render_jacobian

    render_jacobian(result, jac, mode, passes, _console())


class PlotFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    svg = "svg"
    png = "png"


@app.command("plot", cls=BindingCommand, context_settings=FREE)
def plot_cmd(
    ctx: typer.Context,
    program: Optional[str] = ProgramArg,
    file: Optional[Path] = FileOpt,
    var: List[str] = VarOpt,
    wrt: Optional[str] = typer.Option(None, "--wrt", metavar="NAME",
                                      help="The variable on the x axis (default: the one "
                                           "given as a range)."),
    points: Optional[int] = typer.Option(None, "--points", help="Sample points (default 201)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="Write SVG or PNG (by the file's extension)."),
    format: Optional[PlotFormat] = typer.Option(None, "--format",
                                                help="text (default), json, jsonl, svg, png."),
    dpi: int = typer.Option(96, "--dpi", min=10, max=1200, help="PNG resolution."),
    seed: Optional[int] = SeedOpt,
    max_elements: int = MaxElemOpt,
) -> None:
    """f and df/dx over a range of one variable, with a finite-difference check: a
    character plot in the terminal, SVG or PNG with -o. A lesson (a training loop) with no
    range plots the value each backward pass started from: its loss curve.

        gradcli plot "x^2*sin(x)" --x -3:3

        gradcli plot "tanh(w*x + b)" --x -2:2:101 --w 1.5 --b 0.5 -o tanh.svg

        gradcli plot -f lesson.py
    """
    from .bindings import parse_var, split_args
    from .plot import sample
    from .views import plot as views

    fmt = format.value if format is not None else None
    if fmt is None and output is not None:
        fmt = {".svg": "svg", ".png": "png", ".json": "json"}.get(output.suffix.lower(), "text")
    fmt = fmt or "text"
    as_json = fmt in ("json", "jsonl")
    try:
        if fmt == "png" and output is None and sys.stdout.isatty():
            raise GradcliError("PNG is binary: write it to a file with -o plot.png")
        extra, pairs = split_args(list(ctx.args))
        text = _program_text(program, file, extra)
        pairs += [parse_var(v) for v in var]
        from .plot import RANGE, lesson_curve
        from .syntax import is_lesson, parse

        ranged = any(RANGE.match(raw.strip()) for _, raw in pairs)
        with Progress("plot: points") as progress:
            if not ranged and wrt is None and is_lesson(parse(text)):
                curve = lesson_curve(text, pairs, seed=seed, max_elements=max_elements,
                                     progress=progress if progress.on else None)
            else:
                curve = sample(text, pairs, wrt=wrt, points=points, seed=seed,
                               max_elements=max_elements, progress=progress)
        if fmt == "text":
            data = ("\n".join(views.character_plot(curve, _console().width)) + "\n").encode()
        elif as_json:
            from .result import dumps

            data = (dumps(curve.to_dict(), indent=None if fmt == "jsonl" else 2)
                    + "\n").encode()
        else:
            picture = views.svg(curve)
            data = picture.encode() if fmt == "svg" else views.png(picture, dpi)
        if output is not None:
            try:
                output.write_bytes(data)
            except OSError as e:
                raise GradcliError(f"cannot write {str(output)!r}: {e.strerror}") from None
            if fmt in ("svg", "png"):
                sys.stdout.write(views.check_line(curve) + "\n")
            return
    except GradcliError as e:
        fail(e, as_json, one_line=fmt == "jsonl")
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


OPERATORS = ["+", "-", "*", "/", "**", "^", "@", "unary -", "unary +", "<", "<=", ">", ">=",
             "==", "!=", "a[i, j:k]"]


def _ops_catalogue() -> tuple[list[str], list[str], list[dict]]:
    from .dispatch import FUNCTIONS
    from .evaluator import CONSTRUCTORS
    from .ops import JVP, REGISTRY

    functions = sorted(n for n in FUNCTIONS if n != "T")
    registry = [{"key": k, "grad_fn": op.grad_fn, "forward_mode": k in JVP}
                for k, op in REGISTRY.items()]
    return functions, sorted(CONSTRUCTORS), registry


def _probe_grad_fn(name: str) -> tuple[Optional[str], Optional[str]]:
    """The grad_fn a call of `name` makes on a small tensor that requires grad, found by
    evaluating it (the first spelling that works), and that call."""
    from .evaluator import evaluate

    x = [[0.5, -0.25], [0.75, 0.3]]
    for call in (f"torch.{name}(x)", f"torch.{name}(x, dim=0)", f"torch.{name}(x, x)",
                 f"torch.{name}(x, 0)", f"torch.{name}(x, 0, 1)"):
        try:
            r = evaluate(call, {"x": x}, differentiate=False)
        except GradcliError:
            continue
        out = r.output_node
        if out is not None and out.grad_fn:
            return out.grad_fn, call
    return None, None


@app.command("ops", context_settings=HELP)
def ops_cmd(
    name: Optional[str] = typer.Argument(None, metavar="[NAME]", show_default=False,
                                         help="One function, constructor or registry op."),
    format: TableFormat = typer.Option(TableFormat.table, "--format", help="Output format."),
) -> None:
    """List the functions and methods gradcli knows, and each op's PyTorch grad_fn; with
    NAME, what gradcli knows about that one.

        gradcli ops

        gradcli ops tanh
    """
    from .result import SCHEMA

    functions, constructors, registry = _ops_catalogue()
    as_json = format != TableFormat.table
    if name is None:
        if as_json:
            _print_json({"schema": SCHEMA, "functions": functions, "constructors": constructors,
                         "operators": OPERATORS, "ops": registry}, format)
            return
        _print_lines(_console(), [
            "functions and methods (also as torch.NAME, F.NAME, x.NAME()):",
            ", ".join(functions), "constructors:", ", ".join(constructors),
            "operators: " + " ".join(OPERATORS), "registry ops and their grad_fn names:",
            ", ".join(f"{r['key']}\u00a0({r['grad_fn']})" for r in registry)], wrap=True)
        return
    short = name.rsplit(".", 1)[-1]
    own = [r for r in registry if r["key"] == short or r["key"].startswith(short + "_")]
    if short in functions:
        kind = "function"
        grad_fn, example = _probe_grad_fn(short)
        rest = example[len(f"torch.{short}(x"):-1].lstrip(", ") if example else ""
        spellings = [f"torch.{short}(x{', ' if rest else ''}{rest})", f"x.{short}({rest})"]
    elif short in constructors:
        kind, spellings, grad_fn, example = "constructor", [f"{short}(...)",
                                                            f"torch.{short}(...)"], None, None
    elif own:
        kind, spellings, grad_fn, example = "registry op", [], own[0]["grad_fn"], None
    else:
        import difflib

        close = difflib.get_close_matches(short, functions + constructors, n=3)
        fail(GradcliError(f"gradcli does not know {name!r}",
                          hint=("did you mean " + ", ".join(map(repr, close)) + "? " if close
                                else "") + "gradcli ops lists every name"),
             as_json, one_line=format == TableFormat.jsonl)
    if as_json:
        _print_json({"schema": SCHEMA, "name": short, "kind": kind, "spellings": spellings,
                     "example": example, "grad_fn": grad_fn, "registry": own}, format)
        return
    lines = [f"{short}: {kind}"]
    if spellings:
        lines.append("  spellings: " + ", ".join(spellings))
    if grad_fn:
        lines.append(f"  grad_fn: {grad_fn}" + (f"   ({example}, x a 2×2 tensor that "
                                                   "requires grad)" if example else ""))
    for r in own:
        mode = "forward mode too" if r["forward_mode"] else "reverse mode only"
        lines.append(f"  registry op {r['key']}: {r['grad_fn']}, {mode}")
    if kind == "constructor":
        lines.append("  makes a leaf (no grad_fn); requires_grad=True makes it a variable")
    _print_lines(_console(), lines, wrap=True)


def _only(command: str) -> None:
    """Typer builds the Click object of every registered command before it runs one;
    when the command line names a command, register only that one."""
    wanted = [c for c in app.registered_commands if c.name == command]
    if wanted and not completing():
        app.registered_commands = wanted


def main() -> None:
    """Console entry point: no traceback ever reaches the user."""
    if len(sys.argv) > 1:
        _only(sys.argv[1])
    guarded(app)
