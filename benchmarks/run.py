"""gradcli's performance targets, measured side by side in one run (medians of repeats).

    uv run python benchmarks/run.py [--quick]

Prints one table: case, gradcli, baseline, ratio, target. Each ratio compares gradcli
with its baseline measured in the same run, interleaved, so machine noise hits both.
If PyTorch is importable, a column shows its time for the same computation.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import gradcli  # noqa: E402
from gradcli.batch import run_text as batch_run_text  # noqa: E402
from gradcli.syntax import parse  # noqa: E402

try:
    import torch  # noqa: F401
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False


def median_pair(a, b, repeats: int) -> tuple[float, float]:
    """Median seconds of a() and b(), interleaved."""
    ta, tb = [], []
    for _ in range(repeats):
        t = time.perf_counter(); a(); ta.append(time.perf_counter() - t)
        t = time.perf_counter(); b(); tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def command(args: list[str]):
    # As on a normal installation, Python may cache bytecode: with PYTHONDONTWRITEBYTECODE
    # set, every changed module would be compiled again on every run.
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
           "NO_COLOR": "1"}
    return lambda: subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=env, check=False)


def startup(repeats: int) -> list[tuple]:
    py = sys.executable
    exe = str(Path(py).parent / "gradcli")
    base = command([py, "-c", "import numpy"])
    prog = ["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"]
    command([exe, *prog, "--format", "json"])()  # warm the grammar cache and the OS
    rows = []
    for label, args, target in [("startup: eval --format json", [*prog, "--format", "json"], 1.0),
                                ("startup: eval (table)", prog, 1.15)]:
        g, b = median_pair(command([exe, *args]), base, repeats)
        rows.append((label, g, b, "python -c 'import numpy'", target))
    return rows


def terms(n: int) -> str:
    return " + ".join(f"x*{i}" for i in range(1, n + 1))


def peak_rss_of(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    return float(out.stdout.strip().splitlines()[-1])


def scale(repeats: int) -> list[tuple]:
    p100, p200 = terms(100_000), terms(200_000)
    f100 = lambda: gradcli.evaluate(p100, {"x": 1.5})  # noqa: E731
    f200 = lambda: gradcli.evaluate(p200, {"x": 1.5})  # noqa: E731
    t200, t100 = median_pair(f200, f100, repeats)
    rss = ("import tracemalloc, gradcli\n"
           "p = ' + '.join(f'x*{{i}}' for i in range(1, {n} + 1))\n"
           "tracemalloc.start()\n"
           "r = gradcli.evaluate(p, {{'x': 1.5}})\n"
           "print(tracemalloc.get_traced_memory()[1] / 1024)")
    m100, m200 = peak_rss_of(rss.format(n=100_000)), peak_rss_of(rss.format(n=200_000))
    depth = 100_000
    nested = "(" * depth + "x" + ")" * depth
    t = time.perf_counter()
    gradcli.evaluate(nested, {"x": 1.0})
    t_nested = time.perf_counter() - t
    rows = [("scale: 200k terms vs 100k (time)", t200, t100, "the 100k-term program", 2.3),
            ("scale: 200k terms vs 100k (peak memory, MiB)", m200 / 1024, m100 / 1024,
             "the 100k-term program",
             2.3),
            ("scale: 100k nested parentheses (s)", t_nested, None, "works", None)]
    parse_times = []
    for _ in range(repeats):
        t = time.perf_counter()
        parsed = parse(p200)
        parse_times.append(time.perf_counter() - t)
    rows.append(("parse: 200k-term sum (us per term)",
                 statistics.median(parse_times) / 200_000 * 1e6, 15.0,
                 "the goal: 15 us per term", 1.0))
    t = time.perf_counter()
    gradcli.evaluate(parsed, {"x": 1.5})
    rows.append(("scale: 200k terms, evaluate+backward only (s)",
                 time.perf_counter() - t, None, "parsing excluded", None))
    if HAVE_TORCH:
        import torch
        def torch_loop():
            x = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
            y = x * 1
            for i in range(2, 200_001):
                y = y + x * i
            y.backward()
        t = time.perf_counter(); torch_loop(); tt = time.perf_counter() - t
        rows.append(("scale: 200k terms, PyTorch Python loop", t200, tt, "PyTorch eval+backward",
                     None))
    return rows


RNN = ("h2h = torch.mm(W_h, prev_h.t()); i2h = torch.mm(W_x, x.t())\n"
       "next_h = h2h + i2h; next_h = next_h.tanh(); loss = next_h.sum()")


TORCH_TIMER = """
import sys, time, statistics
import numpy as np
import torch
torch.set_num_threads(2)
repeats = int(sys.argv[1])
setup, body = sys.stdin.read().split("\\n#---\\n")
ns = {"torch": torch, "np": np}
exec(setup, ns)
exec(body, ns)  # warm up
ts = []
for _ in range(repeats):
    t = time.perf_counter()
    exec(body, ns)
    ts.append(time.perf_counter() - t)
print(statistics.median(ts))
"""


def torch_time(setup: str, body: str, repeats: int) -> float | None:
    """Median seconds of `body` run by PyTorch (the reference venv, in a subprocess that
    times its own work after `setup`), or None without a PyTorch to run."""
    tpy = _torch_python()
    if tpy is None:
        return None
    out = subprocess.run([tpy, "-c", TORCH_TIMER, str(repeats)], input=setup + "\n#---\n" + body,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


SMALL = ("a = (x @ W + b).tanh(); c = a * x - W.t() @ a; d = torch.sigmoid(c) + a.exp() / 3;"
         " e = (d * d).sum(0) + (c - b).abs().mean(1); f = torch.relu(d - 0.5) @ W;"
         " loss = (f * x).sum() + e.sum() + (a @ a.t()).trace()")
SMALL_OPS = 21  # ops in SMALL, backward included: each is one forward and one backward node


def tensors(repeats: int) -> list[tuple]:
    # as the gradcli command runs a program with megabyte tensors: freed memory is kept
    # for the next array (gradcli.command.keep_freed_memory)
    from gradcli.command import keep_freed_memory

    keep_freed_memory()
    rng = np.random.default_rng(0)
    n = 1000
    b = {"W_h": rng.standard_normal((n, n)), "W_x": rng.standard_normal((n, n)),
         "x": rng.standard_normal((1, n)), "prev_h": rng.standard_normal((1, n))}
    prog = parse(RNN)

    def ours():
        gradcli.evaluate(prog, b, no_grad=["x", "prev_h"])

    def numpy_by_hand():
        W_h, W_x, x, prev_h = b["W_h"], b["W_x"], b["x"], b["prev_h"]
        xt, ht = x.T, prev_h.T
        h2h = W_h @ ht
        i2h = W_x @ xt
        pre = h2h + i2h
        nh = np.tanh(pre)
        nh.sum()
        g = np.ones_like(nh)
        g_pre = g * (1 - nh * nh)
        return g_pre @ ht.T, g_pre @ xt.T

    g, base = median_pair(ours, numpy_by_hand, repeats)
    rows = [("tensors: RNN cell 1000x1000, evaluate+backward", g, base,
             "NumPy forward+backward by hand", 1.3)]
    setup = ("rng = np.random.default_rng(0); n = 1000\n"
             "W_h = torch.tensor(rng.standard_normal((n, n)), requires_grad=True)\n"
             "W_x = torch.tensor(rng.standard_normal((n, n)), requires_grad=True)\n"
             "x = torch.tensor(rng.standard_normal((1, n)))\n"
             "prev_h = torch.tensor(rng.standard_normal((1, n)))")
    body = ("W_h.grad = None; W_x.grad = None\n"
            "h2h = torch.mm(W_h, prev_h.t()); i2h = torch.mm(W_x, x.t())\n"
            "next_h = h2h + i2h; next_h = next_h.tanh(); loss = next_h.sum(); loss.backward()")
    t = torch_time(setup, body, repeats * 3)
    if t is not None:
        g = statistics.median(_timed(ours) for _ in range(repeats))
        rows[0] = ("tensors: RNN cell 1000x1000, evaluate+backward", g, t,
                   "PyTorch 2.13 eager, same program", 1.3)
    # 3x3 tensors: the per-op cost of a small program, forward and backward
    rng = np.random.default_rng(3)
    sb = {"x": rng.standard_normal((3, 3)), "W": rng.standard_normal((3, 3)),
          "b": rng.standard_normal((3, 3))}
    sprog = parse(SMALL.replace("; ", "\n"))

    def small():
        gradcli.evaluate(sprog, sb)

    g = statistics.median(_timed(small) for _ in range(repeats * 20)) / SMALL_OPS * 1e6
    setup = ("rng = np.random.default_rng(3)\n"
             + "\n".join(f"{k} = torch.tensor(rng.standard_normal((3, 3)), requires_grad=True)"
                         for k in ("x", "W", "b")))
    body = ("for v in (x, W, b): v.grad = None\n" + SMALL.replace("; ", "\n")
            + "\nloss.backward()")
    t = torch_time(setup, body, repeats * 20)
    rows.append(("tensors: 3x3 program, per op fwd+bwd (us)", g,
                 None if t is None else t / SMALL_OPS * 1e6,
                 "PyTorch 2.13 eager, same program" if t is not None else "no torch", 1.5))
    return rows


HESS = "(torch.tanh(x) ** 2).sum() + (x * x).sum() * x.sum()"
JAC = "torch.tanh(A @ x)"


def derivatives(repeats: int) -> list[tuple]:
    """Hessians and Jacobians of n-dimensional functions, gradcli (evaluate, then
    autodiff.hessian/jacobian: batched forward passes) against
    torch.autograd.functional.hessian/jacobian(..., vectorize=True) on the same function.
    The growth row compares how the time grows from n=100 to n=1000 with PyTorch's growth
    (each Hessian row is an n-vector, so both grow about n^2)."""
    from gradcli import autodiff

    rows, times = [], {}
    for n in (100, 1000):
        rng = np.random.default_rng(n)
        x = rng.standard_normal(n)
        A = rng.standard_normal((n, n))

        def hess():
            r = gradcli.evaluate(HESS, {"x": x})
            autodiff.hessian(r, autodiff.leaves_named(r, ["x"]))

        def jac():
            r = gradcli.evaluate(JAC, {"x": x, "A": A}, no_grad=["A"], differentiate=False)
            autodiff.jacobian(r, autodiff.leaves_named(r, ["x"]))

        hess(), jac()
        setup = (f"torch.set_default_dtype(torch.float64); rng = np.random.default_rng({n})\n"
                 f"x = torch.tensor(rng.standard_normal({n})); "
                 f"A = torch.tensor(rng.standard_normal(({n}, {n})))\n"
                 "F = torch.autograd.functional\n"
                 "def h(x): return (torch.tanh(x) ** 2).sum() + (x * x).sum() * x.sum()\n"
                 "def j(x): return torch.tanh(A @ x)")
        for kind, f, body in (("hessian", hess, "F.hessian(h, x, vectorize=True)"),
                              ("jacobian", jac, "F.jacobian(j, x, vectorize=True)")):
            g = statistics.median(_timed(f) for _ in range(repeats))
            t = torch_time(setup, body, repeats)
            times[kind, n] = (g, t)
            rows.append((f"{kind}: n={n} ({'scalar' if kind == 'hessian' else 'vector'} f)",
                         g, t, "torch.autograd.functional, vectorize=True" if t else
                         "no torch", 1.5))
    g100, t100 = times["hessian", 100]
    g1000, t1000 = times["hessian", 1000]
    if t100 and t1000:
        rows.append(("hessian: growth n=100 -> 1000, vs PyTorch's", g1000 / g100,
                     t1000 / t100, "PyTorch's growth over the same rows", 1.5))
    return rows


def batch(rows_n: int, repeats: int) -> list[tuple]:
    rng = np.random.default_rng(1)
    lines = [json.dumps({"x": float(a), "w": float(c)})
             for a, c in rng.uniform(-3, 3, size=(rows_n, 2))]
    prog = parse("(x+w)*(w+1)")
    dumps = json.dumps

    def ours(write):  # as `gradcli batch` writes its lines
        for text, _ in batch_run_text(prog, lines):
            write(text)

    def bare_loop(write):  # the same bytes, by json.loads/dumps per line
        for n, line in enumerate(lines, 1):
            d = json.loads(line)
            x, w = d["x"], d["w"]
            a, b = x + w, w + 1
            write(dumps({"schema": "gradcli/1", "line": n, "value": a * b,
                         "grads": {"x": b, "w": b + a}}, allow_nan=False,
                        ensure_ascii=False) + "\n")

    for f in (ours, bare_loop):  # both write the same bytes (checked on the first rows)
        parts: list[str] = []
        f(parts.append)
        first = "".join(parts)[:200_000]
        if f is ours:
            want = first
        elif first != want:
            raise SystemExit("batch benchmark: the bare loop does not write gradcli's bytes")
    sink = open(os.devnull, "w")
    g, b = median_pair(lambda: ours(sink.write), lambda: bare_loop(sink.write), repeats)
    return [(f"batch: {rows_n:,} JSONL rows", g, b, "bare json.loads/dumps loop", 0.5)]


LESSON = Path(__file__).resolve().parent / "linear_regression.py"
TORCH_PYTHON = os.environ.get("GRADCLI_TORCH_PYTHON", "/tmp/torchref/bin/python")
LOOP_TIMER = """
import sys, time
import torch  # imported before the clock starts: the lesson's own import is then free
text = open(sys.argv[1]).read()
t = time.perf_counter()
exec(compile(text, sys.argv[1], "exec"), {"__name__": "__main__"})
sys.stderr.write(repr(time.perf_counter() - t))
"""


def _torch_python() -> str | None:
    """A Python with torch for the side-by-side runs (the reference venv), if any."""
    if HAVE_TORCH:
        return sys.executable
    if Path(TORCH_PYTHON).exists():
        return TORCH_PYTHON
    return None


def lesson(repeats: int) -> list[tuple]:
    """The course's linear-regression loop, gradcli against PyTorch: end to end (each
    a fresh process: `gradcli eval -f lesson.py` and `python lesson.py`) and the loop
    alone (gradcli's evaluate in process, PyTorch's exec of the same text after import)."""
    py = sys.executable
    exe = str(Path(py).parent / "gradcli")
    ours = command([exe, "eval", "-f", str(LESSON), "--format", "json"])
    ours()
    text = LESSON.read_text()
    prog = parse(text)

    def ours_loop():
        gradcli.evaluate(prog, {}, dtype="float32")

    tpy = _torch_python()
    rows: list[tuple] = []
    if tpy is None:
        g = statistics.median(_timed(ours) for _ in range(repeats))
        rows.append(("lesson: linear regression 1000 it., end to end", g, None,
                     "no torch to compare with", None))
        g = statistics.median(_timed(ours_loop) for _ in range(repeats))
        rows.append(("lesson: linear regression loop alone", g, None, "", None))
        return rows
    theirs = command([tpy, str(LESSON)])
    theirs()
    g, t = median_pair(ours, theirs, repeats)
    rows.append(("lesson: linear regression 1000 it., end to end", g, t,
                 "python lesson.py with PyTorch 2.13", 1.0))
    loop_g, loop_t = [], []
    for _ in range(repeats):
        loop_g.append(_timed(ours_loop))
        out = subprocess.run([tpy, "-c", LOOP_TIMER, str(LESSON)], capture_output=True,
                             text=True, check=True)
        loop_t.append(float(out.stderr.strip().splitlines()[-1]))
    rows.append(("lesson: linear regression loop alone", statistics.median(loop_g),
                 statistics.median(loop_t), "the same loop in PyTorch (after import)", 3.0))
    return rows


def _timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def math_ports(repeats: int) -> list[tuple]:
    """sleef.py's float32 ports on 2000 elements (ms) against NumPy's float64 function
    rounded to float32, what gradcli computed before (and still does for MKL's ones)."""
    from gradcli import ops, sleef
    x = (np.random.default_rng(0).standard_normal(2000) * 3).astype(np.float32)
    rows = []
    for name, base in [("sigmoid", lambda v: 1 / (1 + np.exp(-v))), ("expm1", np.expm1),
                       ("sinh", np.sinh)]:
        f = sleef.torch_float32(name)

        def ours(f=f):
            for _ in range(20):
                f(x)

        def numpy_wide(base=base):
            for _ in range(20):
                base(x.astype(np.float64)).astype(np.float32)
        g, b = median_pair(ours, numpy_wide, repeats)
        rows.append((f"math: float32 {name}, 2000 elements (ms)", g / 20 * 1e3, b / 20 * 1e3,
                     "NumPy float64, rounded to float32", None))
    assert ops.REGISTRY["sigmoid"].forward(x).dtype == np.float32
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--only", default="startup,scale,tensors,derivatives,batch,lesson,math",
                    help="comma-separated groups to run (default: all)")
    args = ap.parse_args()
    r = 3 if args.quick else 7
    groups = {"startup": lambda: startup(r * 3), "scale": lambda: scale(max(3, r - 2)),
              "tensors": lambda: tensors(r * 2),
              "batch": lambda: batch(100_000, r) + batch(1_000_000, max(1, r // 3)),
              "lesson": lambda: lesson(r), "math": lambda: math_ports(r * 3),
              "derivatives": lambda: derivatives(r)}
    wanted = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = [g for g in wanted if g not in groups]
    if unknown:
        ap.error(f"unknown group {unknown[0]!r}; choose from {', '.join(groups)}")
    rows = [row for g in wanted for row in groups[g]()]
    print(f"{'case':50s} {'gradcli':>10s} {'baseline':>10s} {'ratio':>7s} {'target':>7s}  "
          f"baseline is")
    for case, g, b, what, target in rows:
        if b is None:
            print(f"{case:50s} {g:10.3f} {'':>10s} {'':>7s} {'':>7s}  {what}", flush=True)
            continue
        ratio = g / b
        tgt = f"<={target}" if target else ""
        ok = "" if target is None else ("  met" if ratio <= target else "  NOT MET")
        print(f"{case:50s} {g:10.3f} {b:10.3f} {ratio:7.2f} {tgt:>7s}  {what}{ok}")


if __name__ == "__main__":
    main()
