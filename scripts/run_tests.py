"""`make test`: every check, in order, with a summary; non-zero exit on any failure.

1. pip check            – the installed packages are consistent (SQLAlchemy 1.4 + alembic pin)
2. rasa data validate   – domain, NLU data, rules and stories, --fail-on-warnings
3. rasa test core       – the test stories in tests/stories, --fail-on-prediction-errors
4. pytest               – unit, database, NLU held-out gate, crisis net, end-to-end (REST, web, Telegram)
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "trygg-havn.tar.gz"
LINES = {"crisis.txt": 33}  # how much of each figure file the summary prints
# The figure files in results/ that the summary prints at the end.
FIGURES = ("crisis.txt", "nlu_holdout.txt", "nlu_long.txt", "language.txt", "reflection_questions.txt", "distress.txt")


def step(name: str, command: list[str]) -> bool:
    print(f"\n=== {name}: {' '.join(command)}", flush=True)
    start = time.time()
    code = subprocess.call(command, cwd=ROOT)
    print(f"=== {name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {time.time() - start:.0f} s", flush=True)
    return code == 0


def main() -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    for name in FIGURES:
        (ROOT / "results" / name).unlink(missing_ok=True)
    subprocess.call(["bash", "scripts/ensure_chromium.sh"], cwd=ROOT)
    subprocess.call(["bash", "scripts/ensure_compose.sh"], cwd=ROOT)
    results = {
        "pip check": step("pip check", [str(BIN / "pip"), "check"]),
        "validate": step("validate", [str(BIN / "rasa"), "data", "validate", "--domain", "domain", "--data", "data",
                                      "--config", "config.yml", "--fail-on-warnings"]),
        "test stories": step("test stories", [str(BIN / "rasa"), "test", "core", "--model", str(MODEL),
                                              "--stories", "tests/stories", "--endpoints", "endpoints.yml",
                                              "--fail-on-prediction-errors", "--out", "results/core"]),
        "pytest": step("pytest", [str(BIN / "pytest"), "-rs", "-q", "tests"]),
    }
    for name in FIGURES:
        figures = ROOT / "results" / name
        if figures.exists():
            lines = figures.read_text(encoding="utf-8").splitlines()[:LINES.get(name, 8)]
            print(f"\n=== measured: {name}\n" + "\n".join(lines))
    print("\n=== summary")
    for name, ok in results.items():
        print(f"  {'ok    ' if ok else 'FAILED'} {name}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
