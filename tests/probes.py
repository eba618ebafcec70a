"""Run gradcli the way a user does, bounded in time and memory, cheaply.

`run_cli` forks the test process (gradcli and NumPy already imported), gives the child
fresh standard streams (files, /dev/full, or none), its environment, an address-space
limit and an alarm, and runs `gradcli.main()` with the arguments. The parent collects the
exit code, stdout and stderr, and which files the child opened (an audit hook). A probe
that runs too long or needs too much memory fails instead of bringing the machine down.
`run_real` starts a new interpreter instead, for what only start-up decides (the
encoding of standard output, a closed standard input).
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import gradcli  # noqa: F401  (imported before forking: every child starts warm)
import gradcli.cli  # noqa: F401
import gradcli.evaluator  # noqa: F401
from gradcli.syntax import parse

parse("x + 1")  # build the parser tables once, in the parent

MEMORY = 1536 * 2**20  # address space each probe may add to what the parent uses
TIMEOUT = 20  # seconds of wall time per probe


@dataclass
class Outcome:
    code: int | None  # None: killed (timeout or signal)
    out: str
    err: str
    opened: list[str] = field(default_factory=list)
    why: str = ""

    @property
    def text(self) -> str:
        return self.out + self.err

    def __repr__(self) -> str:
        return (f"Outcome(code={self.code}, why={self.why!r}, out={self.out[-800:]!r}, "
                f"err={self.err[-800:]!r})")


def _vm_size() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def run_cli(args: list[str], *, stdin: "bytes | str | None" = b"", cwd: "str | Path | None" = None,
            env: "dict[str, str] | None" = None, stdout: "str | None" = None,
            timeout: float = TIMEOUT, memory: int = MEMORY) -> Outcome:
    """`gradcli ARGS` in a forked child. stdin: bytes to feed, a path to open, or None for a
    closed standard input; stdout: a path to write to instead of a capture file."""
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "out")
        err_path = os.path.join(tmp, "err")
        opened_path = os.path.join(tmp, "opened")
        in_path = None
        if isinstance(stdin, bytes):
            in_path = os.path.join(tmp, "in")
            Path(in_path).write_bytes(stdin)
        elif isinstance(stdin, str):
            in_path = stdin
        limit = _vm_size() + memory
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 99
            try:
                code = _child(args, in_path, out_path if stdout is None else stdout, err_path,
                              opened_path, cwd, env or {}, limit, timeout)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out = Path(out_path).read_text(errors="replace") if stdout is None else ""
        err = Path(err_path).read_text(errors="replace")
        opened = (json.loads(Path(opened_path).read_text())
                  if os.path.exists(opened_path) else [])
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            why = "timed out" if sig == signal.SIGALRM else f"killed by signal {sig}"
            return Outcome(None, out, err, opened, why)
        return Outcome(os.WEXITSTATUS(status), out, err, opened)


def _child(args, in_path, out_path, err_path, opened_path, cwd, env, limit, timeout) -> int:
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(int(timeout))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if cwd is not None:
        os.chdir(cwd)
    os.environ.pop("COLUMNS", None)
    os.environ.setdefault("NO_COLOR", "1")
    os.environ.update(env)
    if in_path is None:
        os.close(0)
    else:
        fd = os.open(in_path, os.O_RDONLY)
        os.dup2(fd, 0)
        os.close(fd)
    for target, path, flags in ((1, out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
        fd = os.open(path, flags, 0o600)
        os.dup2(fd, target)
        os.close(fd)
    enc = env.get("PYTHONIOENCODING", "utf-8")
    sys.stdin = None if in_path is None else io.TextIOWrapper(
        io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)),
                                  encoding=enc, errors="strict")
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", write_through=True)
    opened: list[str] = []

    def hook(event, hargs):
        if event == "open" and isinstance(hargs[0], (str, bytes)):
            opened.append(os.path.realpath(os.fsdecode(hargs[0])))

    sys.addaudithook(hook)
    sys.argv = ["gradcli", *args]
    code = 0
    try:
        gradcli.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:  # what main let through: a test failure, shown as exit 98
        sys.stderr.write(f"ESCAPED {type(e).__name__}: {e}\n")
        code = 98
    try:
        sys.stdout.flush()
    except BaseException as e:
        sys.stderr.write(f"ESCAPED at exit {type(e).__name__}: {e}\n")
        code = 97
    with open(opened_path, "w") as f:
        json.dump(opened, f)
    return code


def run_real(args: list[str], *, stdin=subprocess.DEVNULL, env=None, cwd=None,
             close_stdin: bool = False, timeout: float = TIMEOUT,
             memory: int = 2 * MEMORY) -> Outcome:
    """`python -m gradcli ARGS` in a new interpreter (address space bounded)."""
    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if close_stdin:
            os.close(0)

    full_env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    full_env.update({"NO_COLOR": "1", **(env or {})})
    try:
        r = subprocess.run([sys.executable, "-m", "gradcli", *args], stdin=stdin,
                           capture_output=True, env=full_env, cwd=cwd, timeout=timeout,
                           preexec_fn=limits)
    except subprocess.TimeoutExpired as e:
        return Outcome(None, (e.stdout or b"").decode(errors="replace"),
                       (e.stderr or b"").decode(errors="replace"), why="timed out")
    return Outcome(r.returncode, r.stdout.decode(errors="replace"),
                   r.stderr.decode(errors="replace"))


def run_api(fn, *, timeout: float = TIMEOUT, memory: int = MEMORY) -> Outcome:
    """Call fn() in a forked child (bounded); its return value (a string) is the output,
    an exception that escapes it is reported in err with exit code 1."""
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "out")
        limit = _vm_size() + memory
        pid = os.fork()
        if pid == 0:
            code = 99
            try:
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
                signal.alarm(int(timeout))
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
                try:
                    text, code = str(fn()), 0
                except BaseException as e:
                    text, code = f"{type(e).__module__}.{type(e).__name__}: {e}"[:4000], 1
                Path(out_path).write_text(text)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out = Path(out_path).read_text() if os.path.exists(out_path) else ""
        if os.WIFSIGNALED(status):
            return Outcome(None, out, "", why=f"signal {os.WTERMSIG(status)}")
        return Outcome(os.WEXITSTATUS(status), out, "")
