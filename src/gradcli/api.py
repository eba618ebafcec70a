"""The commands as Python functions: `gradcli.explain`, `gradcli.check`, `gradcli.graph`
take a program and its bindings as `gradcli.evaluate` does and give what the command
prints, as objects (with `to_dict()`, the command's JSON document, and a notebook display).
Bad input raises a GradcliError subclass, as everywhere in the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional, Union

import numpy as np

from .errors import BindingError, GradcliError

if TYPE_CHECKING:
    from .checking import Expectation, LeafCheck
    from .chainrule import Explanation
    from .views.graph import Graph


def _load(program: str, bindings: Optional[Mapping[str, Any]], options: dict):
    """The program evaluated once (its last backward pass for a lesson), re-runnable."""
    from .command import Loaded

    if not isinstance(program, str):
        raise BindingError("the program must be text (a str)")
    return Loaded(program, dict(bindings or {}), options, trace=False)


def _names(wrt: Union[str, list, tuple, None]) -> list[str]:
    if wrt is None:
        return []
    if isinstance(wrt, str):
        return [n.strip() for n in wrt.split(",") if n.strip()]
    return [str(n) for n in wrt]


def explain(program: str, bindings: Optional[Mapping[str, Any]] = None,
            wrt: Union[str, list, None] = None, *, max_paths: int = 12,
            **options: Any) -> "Union[Explanation, list[Explanation]]":
    """`gradcli explain`: the chain rule over every path from the output to `wrt` (a name:
    one Explanation; a list or None for every variable: a list). `str(ex)` is the text the
    command prints, `ex.to_dict()` its JSON."""
    from .chainrule import explain as _explain

    result = _load(program, bindings, options).result
    names = _names(wrt) or [n.label for n in result.leaves]
    if not names:
        raise GradcliError("no variable requires grad: there is nothing to explain")
    out = [_explain(result, n, max_paths=max(1, max_paths)) for n in names]
    return out[0] if isinstance(wrt, str) and "," not in wrt else out


@dataclass
class CheckReport:
    """What `gradcli check` reports: each expectation, each finite-difference check."""

    checks: "list[Expectation]"
    gradcheck: "list[LeafCheck]" = field(default_factory=list)
    rtol: float = 1e-3
    atol: float = 1e-6

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks) and all(c.passed for c in self.gradcheck)

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict:
        """Exactly `gradcli check --format json`."""
        from . import checking as check
        from .result import SCHEMA, jsonable

        return {"schema": SCHEMA, "passed": self.passed, "rtol": self.rtol, "atol": self.atol,
                "checks": [{"check": r.what, "expected": jsonable(r.expected),
                            "computed": jsonable(r.computed), "abs_err": jsonable(r.abs_err),
                            "rel_err": jsonable(r.rel_err), "passed": r.passed}
                           for r in self.checks],
                "gradcheck": [{"leaf": c.name, "max_abs_err": jsonable(c.max_abs),
                               "max_rel_err": jsonable(c.max_rel), "passed": c.passed,
                               "eps": check.FD_EPS, "atol": check.FD_ATOL,
                               "rtol": check.FD_RTOL} for c in self.gradcheck]}

    def __repr__(self) -> str:
        from .views import text

        lines = [f"{r.what}: expected {text.value(r.expected)}, computed "
                 f"{text.value(r.computed)}: {'PASS' if r.passed else 'FAIL'}"
                 for r in self.checks]
        lines += [f"gradcheck {c.name}: max abs error {c.max_abs:.3g}: "
                  f"{'PASS' if c.passed else 'FAIL'}" for c in self.gradcheck]
        total = len(self.checks) + len(self.gradcheck)
        failed = total - sum(c.passed for c in [*self.checks, *self.gradcheck])
        lines.append(f"{failed} of {total} checks failed" if failed else
                     f"all {total} checks passed")
        return "\n".join(lines)


def check(program: str, bindings: Optional[Mapping[str, Any]] = None,
          expect: Optional[Mapping[str, Any]] = None, *, gradcheck: bool = False,
          rtol: float = 1e-3, atol: float = 1e-6, **options: Any) -> CheckReport:
    """`gradcli check`: `expect` maps a variable (`"w"` or `"dy/dw"`) to its gradient, or a
    named node to its value; values are numbers, nested lists, arrays or constant
    expressions (`"1/3"`). `gradcheck=True` compares every gradient with central finite
    differences. The report is truthy when every check passes."""
    from . import checking as _check
    from .bindings import binding_value
    from .evaluator import Randomness, to_array

    if not expect and not gradcheck:
        raise GradcliError("nothing to check", hint="give expect={...} or gradcheck=True")
    loaded = _load(program, bindings, options)
    rng = Randomness(options.get("seed"))
    specs = []
    for name, value in (expect or {}).items():
        arr = (binding_value(f"expect {name}", value, dtype=np.dtype("float64"), rng=rng,
                             max_elements=options.get("max_elements", 10**8))
               if isinstance(value, str) else to_array(f"expect {name}", value,
                                                       np.dtype("float64")))
        specs.append((str(name), arr))
    results = _check.check_expectations(loaded.result, specs, rtol=rtol, atol=atol)
    fd = _check.gradcheck(loaded.result, loaded.rerun) if gradcheck else []
    return CheckReport(results, fd, rtol, atol)


def graph(program: str, bindings: Optional[Mapping[str, Any]] = None, *,
          rankdir: str = "TB", **options: Any) -> "Graph":
    """`gradcli graph`: the graph as DOT (`.dot()`), Mermaid (`.mermaid()`) or SVG
    (`.svg()`, through Graphviz); a notebook displays it."""
    return _load(program, bindings, options).result.graph(rankdir=rankdir)
