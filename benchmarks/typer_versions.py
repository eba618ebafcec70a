"""Start-up of gradcli's Typer-routed commands with Typer 0.28 (uv.lock) and the newest
Typer: each installed with gradcli in a fresh venv (uv), each command run in turn,
interleaved, CPU time (user + system) of the child process, medians.

    uv run python benchmarks/typer_versions.py [--repeats 9]

CPU time rather than wall time: this machine is shared, and CPU time is what a run costs
whoever else is busy.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "check (Typer)": ["check", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--expect", "w=5"],
    "eval --seed (Typer)": ["eval", "x*2", "--x", "1", "--seed", "0"],
    "eval (quick path)": ["eval", "x*2", "--x", "1"],
    "--help": ["--help"],
}


def venv(where: Path, typer: str) -> Path:
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(["uv", "venv", "-q", str(where)], check=True, env=env)
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(where / "bin" / "python"),
                    str(ROOT), typer], check=True, env=env)
    version = subprocess.run([str(where / "bin" / "python"), "-c",
                              "import typer; print(typer.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    print(f"{where.name}: typer {version}")
    return where / "bin" / "gradcli"


def cpu(exe: Path, args: list[str], env: dict) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([str(exe), *args], capture_output=True, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=9)
    repeats = ap.parse_args().repeats
    with tempfile.TemporaryDirectory() as tmp:
        exes = {"typer 0.28": venv(Path(tmp) / "locked", "typer==0.28.0"),
                "newest typer": venv(Path(tmp) / "newest", "typer>=0.29")}
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        print(f"{'case':24} " + "  ".join(f"{k:>14}" for k in exes) + "   (ms CPU, median)")
        for name, args in CASES.items():
            for exe in exes.values():
                cpu(exe, args, env)  # bytecode and parser tables written
            times: dict[str, list[float]] = {k: [] for k in exes}
            for _ in range(repeats):
                for k, exe in exes.items():
                    times[k].append(cpu(exe, args, env))
            print(f"{name:24} " + "  ".join(f"{statistics.median(v) * 1000:14.0f}"
                                            for v in times.values()))


if __name__ == "__main__":
    main()
