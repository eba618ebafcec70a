"""Record golden data for the lesson corpus from real PyTorch.

Run with a Python that has torch installed (never gradcli's own venv):

    /tmp/torchref/bin/python tests/lessons/record.py            # all programs
    /tmp/torchref/bin/python tests/lessons/record.py 03_foo     # just some (merged into golden.json)

Every program runs in a fresh subprocess, twice: mode "float32" (as written)
and mode "float64" (``torch.set_default_dtype(torch.float64)`` runs first).
The result is tests/lessons/golden.json; see README.md for its format.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
GOLDEN = os.path.join(HERE, "golden.json")
MODES = ("float32", "float64")

# The child: runs one lesson and prints one JSON document on the real stdout.
CHILD = r'''
import io, json, math, re, sys, traceback, warnings
import torch

path, mode = sys.argv[1], sys.argv[2]
torch.set_num_threads(1)
if mode == "float64":
    torch.set_default_dtype(torch.float64)

def clean(v):
    if isinstance(v, list):
        return [clean(x) for x in v]
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
    return v

def tensor_value(t):
    if t is None:
        return None
    return clean(t.detach().cpu().tolist())

def describe(t):
    retains = bool(t.retains_grad)
    grad = tensor_value(t.grad) if (t.is_leaf or retains) else None
    return {
        "dtype": str(t.dtype).replace("torch.", ""),
        "shape": list(t.shape),
        "value": tensor_value(t),
        "grad": grad,
        "grad_fn": None if t.grad_fn is None else type(t.grad_fn).__name__,
        "is_leaf": bool(t.is_leaf),
        "requires_grad": bool(t.requires_grad),
        "retains_grad": retains,
    }

with open(path) as f:
    source = f.read()
code = compile(source, path, "exec")
# the program's globals are a real __main__ module, so torch.save can pickle its classes
import types
main_module = types.ModuleType("__main__")
sys.modules["__main__"] = main_module
glb = main_module.__dict__
glb.update({"__file__": path, "__builtins__": __builtins__})
out = io.StringIO()
real_stdout = sys.stdout
error = None
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sys.stdout = out
    try:
        exec(code, glb)
    except BaseException as e:
        line = None
        for fr in traceback.extract_tb(e.__traceback__):
            if fr.filename == path:
                line = fr.lineno
        error = {"type": type(e).__name__, "message": str(e), "line": line}
    finally:
        sys.stdout = real_stdout
    variables = {}
    for name in sorted(glb):
        v = glb[name]
        if isinstance(v, torch.Tensor) and not name.startswith("__"):
            variables[name] = describe(v)
    # the parameters of modules the program's names hold (model.linear.weight), each
    # tensor once: not already a variable, first module name (sorted) wins
    seen = {id(v) for v in glb.values() if isinstance(v, torch.Tensor)}
    for name in sorted(glb):
        v = glb[name]
        if isinstance(v, torch.nn.Module) and not name.startswith("__"):
            for pname, p in v.named_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    variables[f"{name}.{pname}"] = describe(p)
    warns = [str(w.message) for w in caught]
result = {
    "stdout": re.sub(r"0x[0-9a-fA-F]+", "0x...", out.getvalue()),
    "error": error,
    "variables": variables,
    "warnings": warns,
}
real_stdout.write(json.dumps(result))
'''


def run(name, mode):
    path = os.path.join(PROGRAMS, name + ".py")
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONHASHSEED="0", PYTHONWARNINGS="")
    t0 = time.time()
    # in a scratch directory: lessons that torch.save checkpoints write files
    with tempfile.TemporaryDirectory() as scratch:
        p = subprocess.run([sys.executable, "-c", CHILD, path, mode],
                           capture_output=True, text=True, env=env, timeout=120,
                           cwd=scratch)
    dt = time.time() - t0
    if p.returncode != 0 or not p.stdout.strip():
        raise SystemExit(f"{name} [{mode}]: recorder failed\n{p.stderr}")
    return name, mode, json.loads(p.stdout), dt, p.stderr


def main(argv):
    import torch
    names = sorted(f[:-3] for f in os.listdir(PROGRAMS) if f.endswith(".py"))
    selected = argv or names
    programs = {}
    if argv and os.path.exists(GOLDEN):
        with open(GOLDEN) as f:
            programs = json.load(f)["programs"]
        programs = {k: v for k, v in programs.items() if k in names}
    jobs = [(n, m) for n in selected for m in MODES]
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as ex:
        for name, mode, res, dt, err in ex.map(lambda a: run(*a), jobs):
            programs.setdefault(name, {})[mode] = res
            flag = "" if res["error"] is None else f"  error {res['error']['type']} line {res['error']['line']}"
            slow = "  SLOW" if dt > 5 else ""
            print(f"{name:40s} {mode}  {dt:4.1f}s{flag}{slow}", file=sys.stderr)
            if err.strip():
                print(err, file=sys.stderr)
    doc = {"torch": torch.__version__,
           "programs": {k: programs[k] for k in sorted(programs)}}
    with open(GOLDEN, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
