"""Run the benchmarks: ``make bench`` (all) or ``make bench B=recompute`` (one).

Each benchmark is ``benchmarks/<name>.py``, run as its own process from the
repository root; it prints one JSON line ``{"bench": NAME, ...}`` with its
figures and the floor it measured in the same run. Modules whose name starts
with "_" and the data generator are helpers, not benchmarks.
"""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"run", "datagen", "common"}


def benchmark_names() -> list[str]:
    return sorted(
        p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_") and p.stem not in NOT_BENCHMARKS
    )


def run(name: str) -> int:
    script = HERE / f"{name}.py"
    if not script.exists():
        print(f"unknown benchmark {name!r}; known: {', '.join(benchmark_names())}", file=sys.stderr)
        return 2
    result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        sys.stderr.write(result.stdout + result.stderr)
        print(json.dumps({"bench": name, "error": f"exit {result.returncode}"}))
        return 1
    print(lines[-1], flush=True)
    return 0


def main(argv: list[str]) -> int:
    names = argv or benchmark_names()
    if not names:
        print("no benchmark yet", file=sys.stderr)
        return 0
    return max(run(name) for name in names)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
