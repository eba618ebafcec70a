"""The Python a lesson is written in, with CPython as the oracle: each program below runs
in gradcli and in CPython (these are the test's own programs, not user input) and must
print the same; then the limits, errors and command-line behaviour of lesson programs."""

from __future__ import annotations

import contextlib
import io
import json
import textwrap

import jsonschema
import pytest
from typer.testing import CliRunner

import gradcli
from gradcli.cli import app
from test_pipelines import SCHEMA

PROGRAMS = {
    "numpy": """
        import numpy as np
        a = np.array([1.0, 2.0, 3.0])
        print(a, a.shape, a.dtype, type(a), -a)
        print(np.sum(-a * np.log(a)), np.mean(a), a.sum(), a.round(1), a.T.tolist())
        np.random.seed(3)
        print(np.random.normal(0, 1, (2, 2)), np.random.rand(2), np.random.randint(0, 9, 3))
        print('%.3f' % a.mean(), np.zeros(2), np.linspace(0, 1, 3), np.arange(4) % 3)
        d = {'a': 1, 'b': 2}
        print(d.keys(), list(d.values()), d.items())
    """,
    "loops": """
        total = 0
        for i in range(10):
            if i % 2 == 0:
                continue
            if i > 7:
                break
            total += i
        else:
            total = -1
        n = 0
        while n < 5:
            n += 2
        else:
            n *= 10
        print(total, n)
    """,
    "functions": """
        def f(a, b=2, *rest, scale=1, **extra):
            return (a + b + sum(rest)) * scale, sorted(extra)
        print(f(1), f(1, 2, 3, 4, scale=2, z=1, y=2))
        def outer():
            count = 0
            def inc(k=1):
                nonlocal count
                count += k
                return count
            inc(); inc(5)
            return inc()
        print(outer())
        fib = lambda n: n if n < 2 else fib(n - 1) + fib(n - 2)
        print([fib(k) for k in range(12)])
        def deep(n):
            return 0 if n == 0 else 1 + deep(n - 1)
        print(deep(500))
    """,
    "data": """
        xs = [3, 1, 2]
        xs.append(5); xs.extend([0]); xs.sort(); xs.reverse()
        d = {"b": 2, "a": 1}
        d["c"] = 3
        print(xs, len(xs), xs[1:3], xs[-1], d, d.get("z", 0), list(d.keys()))
        a, (b, c), *rest = 1, (2, 3), 4, 5
        print(a, b, c, rest)
        pairs = {k: v * 2 for k, v in zip("xyz", range(3)) if v != 1}
        print(pairs, {k % 3 for k in range(10)}, tuple(x * x for x in range(4)))
        print(sum(x for x in range(5)), max([2, 9, 4]), min(3, 1, key=lambda v: -v))
        print(list(enumerate("ab", 1)), list(reversed([1, 2])), any([0, 1]), all([]))
        print(1 < 2 <= 2 < 3, not 0, None is None, 3 in [1, 3], "q" not in "abc")
        print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** 10, 2 ** -1, 10 / 4, 5 & 3, 5 | 3)
        print(round(2.675, 2), round(3.5), abs(-2.5), int("12") + float("1.5"), int(7.9))
    """,
    "strings": """
        name, value = "loss", 0.123456789
        print(f"{name}: {value:.4f} | {value:>12.3e} | {42:05d} | {name!r} | {{braces}}")
        print("%s=%.2f and %d%%" % (name, value, 7), "{} {:.1f} {k}".format(1, 2.25, k="v"))
        print("a\\tb\\n" + "-" * 10, "x".join(["1", "2"]), "Mixed".upper(), " s ".strip())
        print("line1", "line2", sep=" | ", end="!\\n")
        print(str(1.0), repr("q"), str(None), str([1, "a"]), 0.1 + 0.2, 1e100, 1 / 3)
        print(f"{3.0}", f"{-0.0}", f"{1e-7}", f"{True}", f"{[1.5, None]}")
        print(f"{value=}", f"{value = :.3f}", f"{name=!s}", f"{value==0.1}")
    """,
    "classes": """
        class Counter:
            total = 0
            def __init__(self, start=0):
                self.n = start
            def add(self, k):
                self.n += k
                Counter.total += k
                return self
            def __call__(self, k):
                return self.n * k
        class Doubling(Counter):
            def __init__(self):
                super().__init__(10)
            def add(self, k):
                return super().add(2 * k)
            @staticmethod
            def describe(x):
                return f"doubling {x}"
        c = Counter(1).add(2).add(3)
        d = Doubling()
        d.add(5)
        print(c.n, d.n, Counter.total, c(3), isinstance(d, Counter), isinstance(c, Doubling))
        print(Doubling.describe(4), d.describe(5), type(d).__name__)
    """,
    "exceptions": """
        def risky(n):
            if n < 0:
                raise ValueError("negative: " + str(n))
            return 1 / n
        for v in [2, 0, -1]:
            try:
                print(risky(v))
            except ZeroDivisionError as e:
                print("zero:", e)
            except ValueError as e:
                print("value:", e)
            else:
                print("fine")
            finally:
                print("done", v)
        try:
            assert 1 > 2, "one is not greater"
        except AssertionError as e:
            print("assert:", e)
        try:
            [1][5]
        except IndexError as e:
            print("index:", e)
        try:
            undefined_name
        except NameError as e:
            print("name:", e)
        def leave(k):
            for i in range(3):
                try:
                    if i == k:
                        return "returned at %d" % i
                    if i == 1:
                        continue
                    print("body", i)
                finally:
                    print("finally", i)
            try:
                raise ValueError("v")
            except ValueError:
                return "from handler"
            finally:
                print("finally after handler")
        print(leave(0)); print(leave(2)); print(leave(5))
        for i in range(3):
            try:
                if i == 1:
                    break
            finally:
                print("loop finally", i)
    """,
    "del_and_attributes": """
        x, y = 1, 2
        del x
        try:
            print(x)
        except NameError as e:
            print("NameError", e, type(e).__name__, type(e) is NameError)
        try:
            print(e)
        except NameError as err:
            print("the handler's name is gone:", err)
        d = {"a": 1, "b": 2, "c": 3}
        del d["a"], (d["b"])
        l = [1, 2, 3, 4, 5]
        del l[0], l[-1]
        del l[:1]
        print(d, l)
        try:
            del d["zz"]
        except KeyError as e:
            print("KeyError", e)
        class C:
            pass
        c = C()
        c.v = 3
        setattr(c, "w", 5)
        print(hasattr(c, "v"), getattr(c, "v"), getattr(c, "z", 7), c.w)
        del c.v
        print(hasattr(c, "v"), getattr(c, "w"))
        try:
            getattr(c, "v")
        except AttributeError as e:
            print("AttributeError", e)
    """,
}


def cpython(program: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(program, "<test>", "exec"), {})  # the test's own program, not input
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_python_semantics_match_cpython(name):
    program = textwrap.dedent(PROGRAMS[name]).strip() + "\n"
    r = gradcli.evaluate(program)
    assert r.error is None, r.error.render()
    assert r.stdout == cpython(program)


def lesson(text: str, **options):
    return gradcli.evaluate(textwrap.dedent(text).strip() + "\n", **options)


def test_endless_loop_stops_at_the_step_budget():
    r = lesson("""
        i = 0
        while True:
            i += 1
    """, max_steps=5000)
    assert r.error is not None and "more than 5,000 statements" in r.error.message
    assert r.error.line == 3


def test_recursion_is_bounded_like_python():
    r = lesson("""
        def f(n):
            return f(n + 1)
        f(0)
    """)
    assert r.error is not None and r.error.message == "maximum recursion depth exceeded"
    assert r.error.pytype == "RecursionError"


def test_deep_recursion_within_the_limit_uses_no_python_recursion():
    r = lesson("""
        def depth(n):
            return 0 if n == 0 else 1 + depth(n - 1)
        print(depth(900))
    """)
    assert r.error is None and r.stdout == "900\n"


def test_a_caught_pytorch_error_prints_its_message():
    r = lesson("""
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        try:
            y.backward()
        except RuntimeError as e:
            print("caught:", str(e)[:50])
        print(x.grad)
    """)
    assert r.error is None
    assert r.stdout == ("caught: Trying to backward through the graph a second time\n"
                        "tensor([2., 4.])\n")


def test_backward_passes_are_recorded_with_their_graphs():
    r = lesson("""
        import torch
        w = torch.tensor(1.0, requires_grad=True)
        for step in range(3):
            loss = (w * 3 - 1) ** 2
            loss.backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
            w.grad.zero_()
    """)
    assert [p.kind for p in r.passes] == ["backward"] * 3
    doc = r.to_dict()
    jsonschema.validate(doc, SCHEMA)
    # loss = (3w - 1)^2, w -= 0.1 * 6 (3w - 1) * 3: w = 1, -0.2, 0.76, then -0.008
    assert [b["value"] for b in doc["backwards"]] == pytest.approx([4.0, 2.56, 1.6384])
    assert doc["graph"]["backward"] == 3
    assert {n["grad_fn"] for n in doc["graph"]["nodes"]} == {None, "MulBackward0",
                                                             "SubBackward0", "PowBackward0"}
    assert doc["variables"]["w"]["grad"] == 0.0 and doc["variables"]["w"]["is_leaf"]
    assert doc["variables"]["w"]["value"] == pytest.approx(-0.008, rel=1e-9)


runner = CliRunner()
LOOP = "import torch\nw = torch.tensor(2.0, requires_grad=True)\n" \
       "for i in range(4):\n    y = w * w * (i + 1)\n    y.backward()\nprint(w.grad)\n"


def test_cli_lesson_shows_output_pass_table_and_variables(tmp_path):
    f = tmp_path / "lesson.py"
    f.write_text(LOOP)
    r = runner.invoke(app, ["eval", "-f", str(f)], env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert out.startswith("tensor(40.)\n")
    assert "backward pass 4 of 4" in out and "4 backward passes:" in out
    assert "final state of the program's tensors:" in out


def test_cli_backward_option_and_json(tmp_path):
    f = tmp_path / "lesson.py"
    f.write_text(LOOP)
    r = runner.invoke(app, ["eval", "-f", str(f), "--backward", "2", "--format", "json"])
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert doc["graph"]["backward"] == 2 and doc["stdout"] == "tensor(40.)\n"
    assert [b["value"] for b in doc["backwards"]] == [4.0, 8.0, 12.0, 16.0]
    r = runner.invoke(app, ["eval", "-f", str(f), "--backward", "9"])
    assert r.exit_code == 2 and "ran 4 backward passes" in r.output
    r = runner.invoke(app, ["eval", "-f", str(f), "--backward", "all", "--format", "json"])
    assert len(json.loads(r.stdout)["graphs"]) == 4


def test_cli_uncaught_error_prints_output_then_the_error(tmp_path):
    f = tmp_path / "lesson.py"
    f.write_text("import torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                 "print('before')\nif x > 0:\n    print('never')\n")
    r = runner.invoke(app, ["eval", "-f", str(f)])
    assert r.exit_code == 2
    assert r.stdout == "before\n"
    assert "Boolean value of Tensor with more than one value is ambiguous" in r.stderr
    assert "at line 4" in r.stderr and "Traceback" not in r.output


def test_cli_max_steps(tmp_path):
    f = tmp_path / "lesson.py"
    f.write_text("while True:\n    pass\n")
    r = runner.invoke(app, ["eval", "-f", str(f), "--max-steps", "100"])
    assert r.exit_code == 2 and "more than 100 statements" in r.stderr


def test_other_commands_use_the_last_backward_pass(tmp_path):
    f = tmp_path / "lesson.py"
    f.write_text(LOOP)
    r = runner.invoke(app, ["graph", "-f", str(f), "--format", "mermaid"])
    assert r.exit_code == 0 and "MulBackward0" in r.stdout


# ---------------------------------------------------------------- fuzzing lesson programs

import glob  # noqa: E402
import os  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gradcli.errors import GradcliError  # noqa: E402

LESSONS = [open(p).read() for p in sorted(glob.glob(
    os.path.join(os.path.dirname(__file__), "lessons", "programs", "*.py")))]
SNIPPETS = ["x", "0", "None", "[]", '"s"', "x.grad", "-1", "(1, 2)", "torch.ones(3)", "w.grad_fn",
            "lambda g: g", "print"]


@settings(max_examples=int(os.environ.get("GRADCLI_FUZZ_EXAMPLES", 150)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(LESSONS) - 1), st.integers(0, len(LESSONS) - 1),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**6), st.integers(0, 10**6)),
                min_size=1, max_size=3))
def test_mutated_lessons_never_crash(a, b, edits):
    """Lines deleted, borrowed from another lesson or with a token replaced: a lesson may
    fail, but only with a GradcliError (exit 2), never an internal error."""
    lines, other = LESSONS[a].splitlines(), LESSONS[b].splitlines()
    for kind, i, j in edits:
        i %= len(lines)
        if kind == 0 and len(lines) > 1:
            del lines[i]
        elif kind == 1:
            lines.insert(i, other[j % len(other)])
        elif kind == 2:
            toks = lines[i].split(" ")
            toks[j % len(toks)] = SNIPPETS[j % len(SNIPPETS)]
            lines[i] = " ".join(toks)
        else:
            lines[i] = lines[i].replace("(", "(x, ", 1)
    try:
        r = gradcli.evaluate("\n".join(lines), max_steps=20000)
        r.to_dict()
    except GradcliError:
        pass


def test_generators_match_cpython():
    program = textwrap.dedent("""
        def batches(items, size):
            for i in range(0, len(items), size):
                yield items[i:i + size]
        def naturals():
            n = 0
            while True:
                n += 1
                yield n
        print(list(batches([1, 2, 3, 4, 5], 2)))
        gen = naturals()
        print(next(gen), next(gen), [v for _, v in zip(range(3), gen)])
        total = 0
        for chunk in batches(list(range(10)), 3):
            total += sum(chunk)
        print(total)
    """).strip() + "\n"
    r = gradcli.evaluate(program)
    assert r.error is None, r.error.render()
    assert r.stdout == cpython(program)


def test_plotting_is_skipped_with_a_warning_and_old_spellings_work():
    r = lesson("""
        import torch
        import matplotlib.pyplot as plt
        from torch.autograd import Variable
        x = Variable(torch.ones(2), requires_grad=True)
        (x * 3).sum().backward()
        fig, ax = plt.subplots()
        ax.plot([1, 2], [3, 4])
        plt.show()
        print(x.grad, x.is_leaf, torch.__version__)
    """)
    assert r.error is None, r.error.render()
    assert r.stdout == "tensor([3., 3.]) True 2.13.0+cpu\n"
    assert r.warnings == ["gradcli draws no figures: calls into matplotlib (such as "
                          "matplotlib.pyplot.subplots) were skipped"]


def test_only_the_graphs_asked_for_are_kept():
    text = """
        import torch
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        for i in range(30):
            loss = (w * (i + 1)).sum()
            loss.backward()
    """
    r = lesson(text)
    assert [p.kept for p in r.passes] == [False] * 29 + [True]
    assert r.to_dict()["backwards"][0] == {"index": 1, "kind": "backward", "line": 5,
                                           "root": "loss", "grad_fn": "SumBackward0",
                                           "value": 3.0, "nodes": 3}
    with pytest.raises(gradcli.GradcliError, match="was not kept"):
        r.pass_result(3)
    r = lesson(text, keep_graphs=4)
    assert [k for k, p in enumerate(r.passes) if p.kept] == [3, 29]
    r = lesson(text, keep_graphs=-3)
    assert [k for k, p in enumerate(r.passes) if p.kept] == [27, 28, 29]
    r = lesson(text, keep_graphs="all")
    assert all(p.kept for p in r.passes)
