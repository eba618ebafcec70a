"""What gradcli's commands share, without Typer: reading the program and its bindings,
evaluating once, printing `eval`'s output, turning errors into exit codes.

:mod:`gradcli.cli` defines the command line with Typer and calls these. The plainest
and most frequent command line, ``gradcli eval PROGRAM --x 2 --w 1 [--format F]``, is
also run from here directly (:func:`quick_plan`, :func:`run_eval`) when :func:`gradcli.main` sees one,
because importing Typer and building its commands costs a fifth of a run. Anything else
(another command, another option, ``--help``, a malformed line) goes to Typer, and a test
checks that both routes print the same bytes and exit with the same code.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any, Callable, Optional

from .errors import GradcliError

if TYPE_CHECKING:
    from pathlib import Path

EVAL_FORMATS = ("table", "tree", "json", "jsonl")


def names(values: list[str]) -> list[str]:
    """Comma-separated names from repeated options: ["a,b", "c"] -> ["a", "b", "c"]."""
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def program_text(program: Optional[str], file: Optional[Path], extra: list[str]) -> str:
    from .bindings import decode, read_bounded, stdin_bytes
    from .syntax import MAX_PROGRAM_CHARS

    if extra:
        raise GradcliError(f"unexpected argument {extra[0]!r}",
                           hint="give the program once; bindings look like --x 2")
    if file is not None:
        if program is not None:
            raise GradcliError("give the program either as an argument or with -f, not both")
        what = f"program file {str(file)!r}"
        return decode(read_bounded(str(file), what, MAX_PROGRAM_CHARS), what)
    if program is None:
        raise GradcliError("no program given", hint='e.g. gradcli eval "(x+w)*(w+1)" --x 2 --w 1')
    if program == "-":
        stdin_hint("the program", "end it with Ctrl-D, or pipe it: cat prog.py | gradcli eval -")
        what = "the program on standard input"
        return decode(read_bounded(stdin_bytes(), what, MAX_PROGRAM_CHARS), what)
    return program


def stdin_hint(what: str, how: str) -> None:
    """A person at a terminal is told what gradcli waits for, instead of a silent wait."""
    stdin = sys.stdin
    if stdin is not None and stdin.isatty():
        sys.stderr.write(f"reading {what} from the terminal ({how})\n")
        sys.stderr.flush()


class Progress:
    """A progress bar on stderr for a long job: only when stderr is a terminal, and only
    once the job has run for AFTER seconds (short jobs print nothing). Call it with the
    count done; it redraws at most ten times a second. Used as a context manager."""

    AFTER = 0.5

    def __init__(self, label: str, total: "int | None" = None) -> None:
        import time

        self.label, self.total = label, total
        self.on = sys.stderr is not None and sys.stderr.isatty()
        self.bar = None
        self.clock = time.monotonic
        self.next = self.clock() + self.AFTER

    def __enter__(self) -> "Progress":
        return self

    def __call__(self, done: int) -> None:
        if not self.on:
            return
        now = self.clock()
        if now < self.next:
            return
        self.next = now + 0.1
        if self.bar is None:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar,
                                       SpinnerColumn, TextColumn, TimeElapsedColumn)

            columns = ([TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn()] if self.total else
                       [SpinnerColumn(), TextColumn("{task.description} {task.completed:,}"),
                        TimeElapsedColumn()])
            self.bar = Bar(*columns, console=console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


class Loaded:
    """A program with its bindings and options, evaluated once; can evaluate it again."""

    def __init__(self, text: str, values: dict, options: dict, trace: bool,
                 differentiate: Optional[bool] = True, max_steps: int = 10**6,
                 lesson_ok: bool = False) -> None:
        from .evaluator import evaluate
        from .result import single_graph
        from .syntax import parse

        self.program = parse(text)
        self.values = values
        self.options = options
        with Progress("lesson: statements run") as progress:
            result = evaluate(self.program, values, trace=trace, differentiate=differentiate,
                              max_steps=max_steps, progress=progress if progress.on else None,
                              **options)
        # eval shows a whole lesson; the other commands work on its last backward pass
        self.result = result if lesson_ok else single_graph(result)

    def rerun(self, name: str, value: Any):
        from .evaluator import evaluate
        from .result import single_graph

        if name in self.values:
            r = evaluate(self.program, {**self.values, name: value}, **self.options)
        else:
            r = evaluate(self.program, self.values, overrides={name: value}, **self.options)
        return single_graph(r)


def load(tokens: list[str], *, file: Optional[Path] = None, var: list[str] = (),
         bindings_file: Optional[str] = None, no_grad: list[str] = (),
         retain_grad: list[str] = (), seed: Optional[int] = None, dtype: str = "float64",
         max_elements: int = 10**8, strict: bool = False, trace: bool = False,
         differentiate: Optional[bool] = True, max_steps: int = 10**6,
         lesson_ok: bool = False, backward: Optional[str] = None,
         allow_file_refs: bool = False, max_memory: Optional[str] = None,
         max_flops: Optional[str] = None) -> Loaded:
    """Read the program and bindings (`tokens`: the program argument, if any, then the
    `--name value` bindings as typed), evaluate once; bad input raises GradcliError."""
    import numpy as np

    from .bindings import binding_value, parse_var, read_bindings_file, split_args
    from .errors import BindingError
    from .evaluator import Randomness, to_array

    limits = check_limits(seed=seed, max_elements=max_elements, max_memory=max_memory,
                          max_flops=max_flops)
    positional, pairs = split_args(tokens)
    text = program_text(positional[0] if positional else None, file, positional[1:])
    pairs += [parse_var(v) for v in var]
    np_dtype = np.dtype(dtype)
    rng = Randomness(seed)  # bindings draw first, in order; the program continues after them
    values: dict[str, Any] = {}
    if bindings_file is not None:
        if bindings_file == "-":
            stdin_hint("a JSON object of bindings", "end it with Ctrl-D")
        for name, v in read_bindings_file(bindings_file).items():
            if isinstance(v, str) and v.strip().startswith("@") and not allow_file_refs:
                raise BindingError(
                    f"the bindings file asks to read the file {v.strip()[1:]!r} for {name!r}: "
                    "refused", hint="a bindings file may name other files only with "
                                    "--allow-file-refs")
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
    options = dict(no_grad=names(no_grad), retain_grad=names(retain_grad), dtype=dtype,
                   seed=seed, max_elements=max_elements, **limits,
                   random_state=None if rng._generator is None else rng.generator.get_state())
    if backward is not None:  # which lesson pass's graph to keep for the view
        options["keep_graphs"] = keep_graphs(backward)
    if MEMORY_GUARD:
        keep_freed_memory()
    loaded = Loaded(text, values, options, trace, differentiate, max_steps, lesson_ok)
    if strict and loaded.result.warnings and not getattr(loaded.result, "lesson", False):
        from .errors import NonFiniteError

        raise NonFiniteError(loaded.result.warnings[0],
                             hint="--strict turns NaN/inf into an error")
    return loaded


_UNITS = {"": 1, "B": 1, "K": 2**10, "KB": 2**10, "KIB": 2**10, "M": 2**20, "MB": 2**20,
          "MIB": 2**20, "G": 2**30, "GB": 2**30, "GIB": 2**30, "T": 2**40, "TB": 2**40,
          "TIB": 2**40}


def parse_amount(option: str, text: str, *, units: bool = False) -> int:
    """A positive whole amount: 1000, 1e9, 10**9, or with a unit (512M, 2G) for bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?(?:[eE]\+?\d+)?|\d+\s*\*\*\s*\d+)\s*([A-Za-z]*)\s*",
                     text)
    unit = m.group(2).upper() if m else ""
    if m is None or (unit and (not units or unit not in _UNITS)):
        raise GradcliError(f"{option} expects a positive number"
                           f"{' of bytes such as 512M or 2G' if units else ''} (got {text!r})")
    number = m.group(1)
    if "**" in number:
        base, exp = (int(p) for p in number.split("**"))
        value = base ** min(exp, 400)
    else:
        value = float(number) if any(c in number for c in ".eE") else int(number)
    if value == float("inf"):
        raise GradcliError(f"{option} must be a finite number (got {text!r})")
    value = int(min(value, 2**62) * _UNITS[unit])
    if value <= 0:
        raise GradcliError(f"{option} must be positive (got {text!r})")
    return value


def check_limits(*, seed: Optional[int], max_elements: int, max_memory: Optional[str],
                 max_flops: Optional[str]) -> dict:
    """Validate the limit options; the evaluate() options they give."""
    if seed is not None and not 0 <= seed < 2**64:
        raise GradcliError(f"--seed must be a whole number from 0 to 2**64 - 1 (got {seed})")
    if max_elements < 1:
        raise GradcliError(f"--max-elements must be positive (got {max_elements})")
    limits: dict = {}
    if max_memory is not None:
        limits["max_memory"] = parse_amount("--max-memory", max_memory, units=True)
    if max_flops is not None:
        limits["max_flops"] = parse_amount("--max-flops", max_flops)
    guard_memory(limits.get("max_memory"))
    return limits


# Set by gradcli.main: the process itself may be limited (never a test runner's process).
MEMORY_GUARD = False


def guard_memory(max_memory: Optional[int]) -> None:
    """Cap the process's data segment at what it uses now plus --max-memory and some room,
    so that no allocation anywhere (a lesson's lists, NumPy temporaries) can take the
    machine: it fails with MemoryError, which ends the run with exit code 2."""
    if not MEMORY_GUARD:
        return
    try:
        import resource

        from .engine import default_max_memory

        used = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
        budget = max_memory if max_memory is not None else default_max_memory()
        cap = used + budget + 512 * 2**20  # the tensors, and room for the rest
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft == resource.RLIM_INFINITY or cap < soft:
            resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    except (OSError, ValueError, OverflowError, ImportError):
        pass  # not Linux: the limits gradcli checks itself still hold


def keep_freed_memory() -> None:
    """Let the C allocator keep memory that is freed for the next allocation instead of
    returning it to the system: a program with megabyte tensors (a 1000x1000 weight's
    gradient, pass after pass) otherwise maps fresh pages for each new array and pays a
    page fault per 4 KiB, which took half of an RNN cell's run (benchmarks/run.py).
    Only in the gradcli command, never in a process that imports gradcli; glibc only
    (NumPy has imported ctypes already)."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED or not sys.platform.startswith("linux"):
        return
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep up to 1 GiB of freed memory
        libc.mallopt(-3, 1 << 28)  # M_MMAP_THRESHOLD: arrays below 256 MiB from the heap
    except (OSError, AttributeError, ImportError):
        pass  # another C library: the defaults stay


_MALLOC_TUNED = False


def keep_graphs(backward: str) -> Any:
    """--backward N|all as the graphs a lesson keeps: "all", or the pass number."""
    if backward == "all":
        return "all"
    try:
        k = int(backward)
    except ValueError:
        raise GradcliError(f"--backward expects a number or 'all' (got {backward!r})") from None
    if k == 0:
        raise GradcliError("--backward 0: passes are numbered from 1 (-1 is the last)")
    return k


class _Trimmed:
    """A text stream that drops the spaces Rich pads lines with before each newline:
    piped output has no trailing spaces."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        if lines:
            self.stream.write("\n".join(line.rstrip(" ") for line in lines) + "\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def terminal_width() -> Optional[int]:
    """The width of the terminal a person runs gradcli in, when stdout goes to a pipe
    (`| head`, `| less`): the terminal of stderr or stdin; None without one."""
    for stream in (sys.stderr, sys.stdin):
        try:
            if stream is not None and stream.isatty():
                return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            continue
    return None


def console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    tty = stream.isatty()
    # piped: the person's terminal width if there is one (| head), else 160 (files, CI)
    width = None if tty or os.environ.get("COLUMNS") else terminal_width() or 160
    # No markup or emoji codes: program text such as v[red] or a:b: is shown as written.
    out = Console(file=None if tty else _Trimmed(stream), stderr=stderr, highlight=False,
                  soft_wrap=False, width=width, markup=False, emoji=False)
    if out.width < MIN_WIDTH:  # COLUMNS=0: a table would squash its columns
        out.width = 160        # to nothing; write full lines and let the terminal wrap them
    return out


MIN_WIDTH = 20  # narrower than this (COLUMNS=0, 1): full lines that the terminal wraps


def is_plain(text: str) -> bool:
    """Printable ASCII only (one cell per character: no tab, control or wide character)."""
    return text.isascii() and text.isprintable()


class PlainConsole:
    """What :func:`console` gives when the output is a pipe or a file, for the views
    whose output is mostly plain lines (eval's table): those lines are written as they
    are, without importing Rich (a quarter of a table run's start-up), when they come out
    the same as Rich would print them (styles are not shown off a terminal; see
    :func:`plain_console`). Anything else -- a line longer than the width, a character
    that is not printable ASCII, any Rich renderable -- goes to the Rich console that
    :func:`console` makes, created when first needed, writing to the same stream."""

    plain = True

    def __init__(self, stream, width: int) -> None:
        self.stream = stream
        self.width = width
        self._rich = None

    def rich(self):
        if self._rich is None:
            self._rich = console()
        return self._rich

    def write_lines(self, lines: list[str]) -> None:
        """Lines already laid out (no trailing spaces are written, as off a terminal)."""
        self.stream.write("".join(line.rstrip(" ") + "\n" for line in lines))

    def print(self, text: Any = "", *, style: Any = None, highlight: Any = None,
              markup: Any = None) -> None:
        if isinstance(text, str) and len(text) <= self.width and is_plain(text):
            self.stream.write(text.rstrip(" ") + "\n")
        else:
            self.rich().print(text, style=style, highlight=highlight, markup=markup)

    def __getattr__(self, name: str):
        return getattr(self.rich(), name)


def plain_console() -> "PlainConsole | None":
    """A :class:`PlainConsole` where the Rich console :func:`console` makes would write no
    styles or control codes and have the width computed here: standard output is not a
    terminal, nothing forces terminal output (FORCE_COLOR, TTY_COMPATIBLE) or sets the
    width (COLUMNS), it is not Windows or Jupyter, and the encoding is UTF. None
    otherwise."""
    import builtins

    stream = sys.stdout
    env = os.environ
    if (stream is None or stream.isatty() or os.name == "nt"
            or any(k in env for k in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS"))
            or hasattr(builtins, "get_ipython")
            or not (getattr(stream, "encoding", None) or "utf-8").lower().startswith("utf")):
        return None
    width = terminal_width() or 160
    return PlainConsole(stream, width if width >= MIN_WIDTH else 160)


def report(err: GradcliError, as_json: bool, *, one_line: bool = False) -> None:
    """Say what was wrong: a JSON error document on stdout, or the message on stderr."""
    if as_json:
        from .result import SCHEMA, dumps

        print(dumps({"schema": SCHEMA, "error": err.to_dict()}, indent=None if one_line else 2))
    else:
        sys.stderr.write(err.render() + "\n")


def print_lines(out, lines: list[str], *, gap: bool = False, wrap: bool = False) -> None:
    """Lines of text; with `wrap`, long ones are broken between words to the console's
    width (continuations indented as the line, no trailing spaces)."""
    if gap:
        out.print("")
    for line in lines:
        if wrap and len(line) > out.width:
            import textwrap

            indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
            for part in textwrap.wrap(line, out.width, subsequent_indent=indent,
                                      break_long_words=False, break_on_hyphens=False):
                out.print(part.replace("\u00a0", " "), highlight=False, markup=False)
            continue
        out.print(line.replace("\u00a0", " ") if wrap else line, highlight=False,
                  markup=False)


def show_eval(result, format: str, *, torch: bool = False, full: bool = False,
              steps: bool = False, all_rows: bool = False,
              backward: Optional[str] = None) -> int:
    """`gradcli eval`'s output in one of EVAL_FORMATS; the exit code (2 when a lesson
    program ended in an error)."""
    if getattr(result, "lesson", False):
        from .views import lesson

        return lesson.show(result, format, backward=backward, full=full, torch=torch,
                           all_rows=all_rows, steps=steps)
    if format in ("json", "jsonl"):
        from .result import dumps

        print(dumps(result.to_dict(), indent=None if format == "jsonl" else 2))
        return 0
    out = (plain_console() if format == "table" else None) or console()
    if format == "tree":
        from .views import tree

        tree.render(result, out, full=full)
    else:
        from .views import table

        table.render(result, out, full=full, torch=torch, all_rows=all_rows)
    if steps:
        from .views.explain import steps as step_lines

        print_lines(out, step_lines(result), gap=True)
    return 0


def option_hint(name: str, value: Any = "VALUE", command_path: str = "gradcli eval") -> str:
    """The hint for an unbound name that is also one of the command's options (`--seed 3`
    sets the option, not a variable `seed`)."""
    return (f"--{name} is an option of {command_path}; bind the variable with "
            f"--var {name}={value}")


def run_eval(tokens: list[str], format: str) -> int:
    """Evaluate and print with eval's defaults; the exit code (0, or 2 for bad input)."""
    as_json = format in ("json", "jsonl")
    try:
        result = load(tokens, lesson_ok=True).result
    except GradcliError as e:
        name = getattr(e, "name", None)
        if name is not None and ({f"--{name}", f"-{name}"} & (EVAL_OPTIONS | {"-h"})):
            e.hint = option_hint(name)  # as Typer's route words it (cli.py)
        report(e, as_json, one_line=format == "jsonl")
        return 2
    return show_eval(result, format)


# `gradcli eval`'s own option names: a command line using any of them goes to Typer.
# tests/test_startup.py checks this list against the options Typer defines.
EVAL_OPTIONS = frozenset({
    "--file", "-f", "--var", "--bindings", "--no-grad", "--retain-grad", "--seed", "--dtype",
    "--max-elements", "--strict", "--format", "--torch", "--full", "--steps", "--all",
    "--backward", "--max-steps", "--help", "--max-memory", "--max-flops", "--allow-file-refs"})
_BINDING = re.compile(r"--[A-Za-z_][A-Za-z_0-9]*(=.*)?", re.S)


def completing() -> bool:
    """Whether the shell is asking for completions (Typer answers those)."""
    return any(k.startswith("_GRADCLI_COMPLETE") for k in os.environ)


def quick_plan(argv: list[str]) -> Optional[tuple[list[str], str]]:
    """For ``eval PROGRAM (--name value | --name=value)* [--format F]``: the tokens for
    :func:`load` and the format. None for any other command line: Typer runs it."""
    if len(argv) < 2 or argv[0] != "eval" or argv[1].startswith("-"):
        return None
    tokens = [argv[1]]
    format = "table"
    rest = argv[2:]
    i = 0
    while i < len(rest):
        tok = rest[i]
        if tok == "--format" and i + 1 < len(rest) and rest[i + 1] in EVAL_FORMATS:
            format = rest[i + 1]
        elif (_BINDING.fullmatch(tok) and tok.split("=", 1)[0] not in EVAL_OPTIONS
              and ("=" in tok or (i + 1 < len(rest) and not rest[i + 1].startswith("--")))):
            if "=" in tok:
                tokens.append(tok)
                i += 1
                continue
            tokens += [tok, rest[i + 1]]
        else:
            return None
        i += 2
    return tokens, format


def _drop_stdout() -> None:
    """Send what is still buffered for standard output nowhere (it cannot be written)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _flushed(run: Callable[[], Any]) -> Any:
    try:
        return run()
    finally:
        if sys.stdout is not None:
            sys.stdout.flush()  # a write error shows now, not at exit


def ascii_fallback() -> None:
    """On a standard output that cannot encode gradcli's symbols (PYTHONIOENCODING=ascii,
    a Latin-1 terminal), write ASCII stand-ins instead of failing."""
    import codecs

    out = sys.stdout
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        "┃━╇│✓✗…▁█→·×".encode(encoding)
        return
    except (UnicodeEncodeError, LookupError):
        pass
    codecs.register_error("gradcli-ascii", _ascii_symbol)
    try:
        out.reconfigure(errors="gradcli-ascii")
    except (AttributeError, ValueError):
        pass


_ASCII = {"┃": "|", "│": "|", "━": "-", "─": "-", "╇": "+", "┼": "+", "✓": "ok", "✗": "x",
          "…": "...", "→": "->", "←": "<-", "·": ".", "×": "x", "≈": "~", "∂": "d", "±": "+-",
          "▁": "_", "▂": "_", "▃": "-", "▄": "-", "▅": "=", "▆": "=", "▇": "#", "█": "#",
          "└": "`", "├": "|", "┌": "+", "┐": "+", "┘": "+", "┬": "+", "┴": "+", "⁻": "-",
          "¹": "1", "²": "2", "³": "3", "—": "--", "–": "-", "≤": "<=", "≥": ">=", "≠": "!=",
          "∇": "grad", "Σ": "sum", "∑": "sum", "∏": "prod", "√": "sqrt"}


def _ascii_symbol(e: UnicodeEncodeError) -> tuple[str, int]:
    text = e.object[e.start:e.end]
    return "".join(_ASCII.get(c, "?") for c in text), e.end


def exit_now(code: int) -> None:
    """End the process with `code` once its output is written, without tearing the
    interpreter down: freeing NumPy's and gradcli's modules object by object costs a
    plain eval about 5 ms (a twentieth of the run) and changes nothing anyone sees. Only
    when nothing could miss the teardown (no atexit function, profiler, tracer or
    ``python -i``); otherwise, and if the output cannot be flushed, ``sys.exit``."""
    import atexit

    pending = getattr(atexit, "_ncallbacks", lambda: 1)()
    if not pending and sys.getprofile() is None and sys.gettrace() is None \
            and not sys.flags.inspect:
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
        except (OSError, ValueError):
            pass  # Python's own exit reports it as it always did
        else:
            os._exit(code)
    sys.exit(code)


def guarded(run: Callable[[], Any]) -> Any:
    """Run the command: no traceback ever reaches the user."""
    try:
        return _flushed(run)
    except SystemExit:
        raise
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as Click does
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except MemoryError:
        _drop_stdout()
        sys.stderr.write("error: out of memory: the run needs more memory than gradcli may "
                         "use\nhint: see --max-memory and --max-elements\n")
        sys.exit(2)
    except OSError as e:  # standard output cannot be written (a full disk: > /dev/full)
        if e.errno is None or getattr(e, "filename", None) is not None:
            raise
        _drop_stdout()
        sys.stderr.write(f"error: cannot write the output: {e.strerror or e}\n")
        sys.exit(2)
    except Exception as e:  # a bug in gradcli, not bad input
        if os.environ.get("GRADCLI_DEBUG"):
            raise
        sys.stderr.write(f"gradcli: internal error: {type(e).__name__}: {e}\n"
                         "please report this with the command you ran "
                         "(GRADCLI_DEBUG=1 shows the traceback)\n")
        sys.exit(3)
