"""`gradcli plot`: a one-element output f and its derivative df/dx over a range of one
variable (the others fixed by their bindings), with a central-difference check of the
derivative at every point. The engine evaluates each point, as `eval` would; the views
(`views/plot.py`) draw characters or SVG. Imported only by the plot command."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from .errors import BindingError, GradcliError

FD_EPS = 1e-6  # central differences, as check --gradcheck
RANGE = re.compile(r"^(?P<lo>[^:]+):(?P<hi>[^:]+)(:(?P<n>[^:]+))?$")


@dataclass
class Curve:
    """f and df/dx sampled over the range of `wrt`, and the finite-difference check."""

    program: str
    name: str  # f's name: the output's, else y
    wrt: str
    fixed: dict[str, str]  # the other bindings, as given
    x: np.ndarray
    f: np.ndarray
    df: Optional[np.ndarray]  # None for a lesson's loss per pass
    fd: Optional[np.ndarray]

    @property
    def max_abs_diff(self) -> Optional[float]:
        """The largest |df/dx - central difference| over the points where both are finite."""
        if self.df is None:
            return None
        ok = np.isfinite(self.df) & np.isfinite(self.fd)
        return float(np.max(np.abs(self.df[ok] - self.fd[ok]))) if ok.any() else float("nan")

    @property
    def agrees(self) -> Optional[bool]:
        if self.df is None:
            return None
        ok = np.isfinite(self.df) & np.isfinite(self.fd)
        return bool(np.all(np.abs(self.df[ok] - self.fd[ok])
                           <= 1e-5 + 1e-3 * np.abs(self.fd[ok])))

    def to_dict(self) -> dict:
        from .result import SCHEMA, jsonable

        return {"schema": SCHEMA, "program": self.program, "output": self.name,
                "wrt": self.wrt, "fixed": dict(self.fixed), "x": jsonable(self.x),
                "value": jsonable(self.f), "grad": jsonable(self.df),
                "finite_difference": jsonable(self.fd),
                "max_abs_diff": jsonable(self.max_abs_diff), "agrees": self.agrees}


def lesson_curve(text: str, pairs: list[tuple[str, str]], *, seed: Optional[int] = None,
                 max_elements: int = 10**8, max_steps: int = 10**6,
                 progress: Optional[Callable[[int], None]] = None) -> Curve:
    """A lesson's backward passes: the value each pass started from (the loss of a
    training loop), pass by pass, drawn with the same code as f(x)."""
    from .bindings import binding_value
    from .evaluator import Randomness, evaluate

    rng = Randomness(seed)
    values = {name: binding_value(name, raw, dtype=np.dtype("float64"), rng=rng,
                                  max_elements=max_elements) for name, raw in pairs}
    result = evaluate(text, values, seed=seed, max_elements=max_elements,
                      max_steps=max_steps, lesson=True, keep_graphs=None, progress=progress)
    if result.error is not None:
        raise result.error
    passes = [p for p in result.passes
              if p.root_value is not None and p.root_value.size == 1]
    if len(passes) < 2:
        raise GradcliError(f"the program ran {len(result.passes)} backward pass"
                           f"{'' if len(result.passes) == 1 else 'es'} with a one-element "
                           "root: there is no curve to draw",
                           hint="plot a training loop, or give a variable a range: --x -3:3")
    name = passes[-1].root_name
    return Curve(text, name if name.isidentifier() else "loss", "pass", {},
                 np.arange(1, len(passes) + 1, dtype=np.float64),
                 np.array([float(p.root_value.reshape(-1)[0]) for p in passes]), None, None)


def parse_range(name: str, text: str, points: Optional[int], rng: Any = None
                ) -> Optional[np.ndarray]:
    """`-3:3` (or `-3:3:101`, or `-pi:pi`) as the sample points; None if `text` is no
    range. The ends are constant expressions."""
    from .bindings import binding_value

    m = RANGE.match(text.strip())
    if m is None:
        return None
    ends = []
    for part, what in (("lo", "start"), ("hi", "end")):
        v = binding_value(f"{name} (the range's {what})", m.group(part),
                          dtype=np.dtype("float64"), rng=rng, max_elements=1)
        if np.ndim(v) != 0 or not np.isfinite(v):
            raise BindingError(f"--{name} {text}: the range's ends must be finite numbers")
        ends.append(float(v))
    n = points
    if m.group("n") is not None:
        try:
            n = int(m.group("n"))
        except ValueError:
            raise BindingError(f"--{name} {text}: the number of points must be an integer")
    n = 201 if n is None else n
    if not 2 <= n <= 100_000:
        raise BindingError(f"--{name} {text}: between 2 and 100,000 points, please")
    if not ends[0] < ends[1]:
        raise BindingError(f"--{name} {text}: the range must go from low to high")
    return np.linspace(ends[0], ends[1], n)


def sample(text: str, pairs: list[tuple[str, str]], *, wrt: Optional[str], points: Optional[int],
           seed: Optional[int] = None, max_elements: int = 10**8,
           progress: Optional[Callable[[int], None]] = None) -> Curve:
    """Evaluate the program at every point of the range binding (`--x -3:3`)."""
    from .bindings import binding_value
    from .evaluator import Randomness, evaluate
    from .result import single_graph
    from .syntax import parse

    program = parse(text)
    ranges = {}
    fixed_text = {}
    values: dict[str, Any] = {}
    rng = Randomness(seed)
    for name, raw in pairs:
        if name in ranges or name in values:
            raise GradcliError(f"--{name} is given twice")
        xs = parse_range(name, raw, points, rng)
        if xs is not None:
            ranges[name] = xs
        else:
            values[name] = binding_value(name, raw, dtype=np.dtype("float64"), rng=rng,
                                         max_elements=max_elements)
            fixed_text[name] = raw
    if wrt is None:
        if not ranges:
            raise BindingError("plot needs one variable given as a range",
                               hint="e.g. --x -3:3 (or -3:3:101 for 101 points)")
        if len(ranges) > 1:
            raise BindingError(f"{len(ranges)} ranges given ({', '.join(ranges)}): plot draws "
                               "one variable", hint="give the others numbers, or choose one "
                                                    "with --wrt")
        wrt = next(iter(ranges))
    if wrt not in ranges:
        raise BindingError(f"--wrt {wrt}: give {wrt} a range, e.g. --{wrt} -3:3")
    if len(ranges) > 1:
        raise BindingError(f"only --{wrt} may be a range; give the others numbers")
    xs = ranges[wrt]
    f = np.full(xs.shape, np.nan)
    df = np.full(xs.shape, np.nan)
    fd = np.full(xs.shape, np.nan)
    name = "y"

    def value_at(x: float, differentiate: bool):
        r = single_graph(evaluate(program, {**values, wrt: np.float64(x)},
                                  differentiate=differentiate, seed=seed,
                                  max_elements=max_elements))
        out = r.output_node
        if out is None or out.value.size != 1:
            shape = [] if out is None else list(out.value.shape)
            raise GradcliError(f"plot draws a one-element output; this one has shape {shape}",
                               hint="reduce it, e.g. with .sum()")
        return r

    with np.errstate(all="ignore"):
        for i, x in enumerate(xs):
            r = value_at(x, True)
            name = r.output_name
            f[i] = float(np.asarray(r.value_array).reshape(-1)[0])
            leaf = r.lookup(wrt)
            if leaf is None or not leaf.requires_grad or wrt not in r.bound:
                raise BindingError(f"the program does not read {wrt}", hint="nothing to plot "
                                   "against: name one of its variables, e.g. --wrt NAME")
            g = r.grad(leaf) if r.differentiated else None
            df[i] = 0.0 if g is None else float(np.asarray(g).reshape(-1)[0])
            h = FD_EPS * max(1.0, abs(x))
            hi = float(np.asarray(value_at(x + h, False).value_array).reshape(-1)[0])
            lo = float(np.asarray(value_at(x - h, False).value_array).reshape(-1)[0])
            fd[i] = (hi - lo) / (2 * h)
            if progress is not None:
                progress(i + 1)
    return Curve(text, name, wrt, fixed_text, xs, f, df, fd)
