"""`make bench`: speed and memory of the production stack on this machine, printed as a table.

Measures, on PostgreSQL 127.0.0.1:5432 and Redis 127.0.0.1:6379 (override with BENCH_POSTGRES_URL
/ BENCH_REDIS_URL):
  * a full `rasa train --force` (into a temporary folder; the project's model is not touched);
  * time from starting the stack (action server, 2 Rasa instances, public entry) to the first answer;
  * turn latency p50/p95/p99 and throughput through the public entry (/api/chat, as the widget
    does it) at 1, 10, 20 and 50 concurrent users. Each user is a session that reads the answer and
    thinks before the next message (uniformly 0.5–1.5 × --think seconds, default 2 s – people type
    far slower); a last run with 50 users and no pause at all shows the saturation throughput;
  * long conversations: --long-users sessions of --long-turns turns each (~1 s pauses), the median
    latency at turn 1, 10 and 30 (the cost of a turn must not grow with the conversation);
  * the same stack with 1 Rasa instance (20 users with pauses, saturation): how throughput grows
    with instances;
  * peak RSS (VmHWM) of every process, the CPU the load driver itself used (it runs on the same
    cores, so its share is not available to the stack), and the CPU time the stack's processes
    (Rasa, actions, web) spent per answered turn – unlike latency, not inflated when other work
    shares the machine.

    python scripts/bench.py [--users 1,10,20,50] [--seconds 30] [--think 2] [--instances 2,1]
                            [--long-users 10] [--long-turns 30] [--endpoints FILE] [--skip-train] [--write-docs]

--endpoints runs the Rasa instances with another endpoints file (default
deploy/endpoints.production.yml), e.g. to measure another tracker store side by side.
With --write-docs the tables replace the part of docs/measurements.md between the bench markers.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.stack import MODEL_PATH, PRODUCTION_ENDPOINTS, SAMPLE_QUESTIONS, ProductionStack, VENV_BIN  # noqa: E402

MEASUREMENTS = ROOT / "docs" / "measurements.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
TARGET_USERS, TARGET_P95_MS = 20, 150


def percentile(values: List[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def train_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.time()
        subprocess.run([str(VENV_BIN / "rasa"), "train", "--force", "--domain", "domain", "--data", "data",
                        "--config", "config.yml", "--out", out], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
        return time.time() - start


def pss_mb(pid: int) -> float:
    """Proportional set size now (smaps_rollup), in MB: shared pages (e.g. TensorFlow's libraries,
    mapped by every Rasa instance) counted once in all, split between the processes sharing them."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process and its children (VmHWM), in MB."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def cpu_seconds(pids: List[int]) -> float:
    """CPU time (user + system) the processes have used so far, in seconds."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return total


async def load(web_url: str, users: int, seconds: float, think: float,
               turns: int = 0, pids: Optional[List[int]] = None, burst: bool = False) -> Dict[str, Any]:
    """`users` visitors, each sending the next question `think` seconds (on average) after the
    last answer; think=0: at once (a closed loop that saturates the stack). With `turns`, each
    visitor stops after that many turns (long conversations) instead of after `seconds`.

    Visitors with pauses arrive spread over the first pause (uniformly in 0 … `think` s), as people
    do; `burst=True` starts them all in the same instant (every first message queued behind the
    others – what the bench did before 2026-12-07, `--burst`)."""
    latencies: List[float] = []
    by_turn: Dict[int, List[float]] = {}
    errors = 0
    reasons: Dict[str, int] = {}
    deadline = time.perf_counter() + seconds

    async def visitor(client: httpx.AsyncClient, number: int) -> None:
        nonlocal errors
        language = "nb" if number % 2 == 0 else "da"
        if think > 0 and not burst:
            await asyncio.sleep(random.uniform(0, think))
        session = (await client.post(f"{web_url}/api/session")).json()["session"]
        turn = 0
        while (turn < turns) if turns else (time.perf_counter() < deadline):
            question = SAMPLE_QUESTIONS[language][(number + turn) % len(SAMPLE_QUESTIONS[language])]
            start = time.perf_counter()
            reason = ""
            try:
                response = await client.post(f"{web_url}/api/chat",
                                             json={"session": session, "message": question, "language": language})
                if response.status_code != 200 or not response.json().get("replies"):
                    reason = f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                reason = type(error).__name__
            elapsed = time.perf_counter() - start
            if not reason:
                latencies.append(elapsed)
                by_turn.setdefault(turn + 1, []).append(elapsed)
            else:
                errors += 1
                reasons[reason] = reasons.get(reason, 0) + 1
            turn += 1
            if think > 0:
                await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))

    started, cpu_started, stack_cpu = time.perf_counter(), time.process_time(), cpu_seconds(pids or [])
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=users + 5)) as client:
        await asyncio.gather(*(visitor(client, n) for n in range(users)))
    wall = time.perf_counter() - started
    driver_share = (time.process_time() - cpu_started) / (wall * (os.cpu_count() or 1))
    stack_cpu = cpu_seconds(pids or []) - stack_cpu
    return {"users": users, "think": think, "turns": len(latencies), "errors": errors,
            "throughput": len(latencies) / wall, "driver": driver_share * 100,
            "cpu_per_turn": stack_cpu / len(latencies) * 1000 if latencies and pids else float("nan"),
            "p50": percentile(latencies, 50) * 1000, "p95": percentile(latencies, 95) * 1000,
            "p99": percentile(latencies, 99) * 1000,
            "by_turn": {t: percentile(v, 50) * 1000 for t, v in by_turn.items()}, "reasons": reasons}


def first_answer_seconds(stack: ProductionStack) -> float:
    start = time.time()
    stack.start()
    session = httpx.post(f"{stack.web_url}/api/session", timeout=10).json()["session"]
    while True:
        response = httpx.post(f"{stack.web_url}/api/chat", timeout=60,
                              json={"session": session, "message": "hva er tilknytning", "language": "nb"})
        if response.status_code == 200 and response.json().get("replies"):
            return time.time() - start
        time.sleep(0.2)


def machine() -> str:
    cpus = os.cpu_count()
    try:
        mem_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem_gb = float("nan")
    return f"{platform.machine()}, {cpus} cores, {mem_gb:.0f} GB, Python {platform.python_version()}"


def table(rows: List[Dict[str, Any]], rss: Dict[str, float], pss: Dict[str, float], train: float, first: float,
          long_row: Optional[Dict[str, Any]], scaling: List[Dict[str, Any]], endpoints: str,
          load_before: str, burst: bool = False) -> str:
    lines = [f"Measured {date.today().isoformat()} on {machine()} by `make bench` (2 Rasa instances, "
             f"PostgreSQL tracker store, Redis lock store, `{endpoints}`, through the public entry /api/chat; "
             + ("every visitor starts in the same instant (`--burst`); " if burst
                else "visitors arrive spread over the first pause; ")
             + "load average before the run: " + load_before + ").", "",
             "| concurrent users | pause between messages | turns | errors | throughput (turns/s) "
             "| p50 ms | p95 ms | p99 ms | stack CPU per turn (ms) | load driver CPU |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(_row(r))
    if long_row:
        turns = sorted(long_row["by_turn"])
        marks = [t for t in (1, 10, 30) if t in long_row["by_turn"]] or turns[-1:]
        lines += ["", f"Long conversations ({long_row['users']} users, {max(turns)} turns each, "
                      f"~{long_row['think']:g} s pauses): median latency "
                      + ", ".join(f"turn {t} **{long_row['by_turn'][t]:.0f} ms**" for t in marks)
                      + f" ({long_row['errors']} errors; stack CPU {long_row['cpu_per_turn']:.0f} ms per turn)."]
    if scaling:
        lines += ["", "| Rasa instances | 20 users ~2 s pause: p50 / p95 ms | saturation (50 users, no pause) "
                      "turns/s | saturation p50 ms | stack CPU per turn at saturation (ms) "
                      "| peak RSS per Rasa instance (MB) | start to first answer (s) |",
                  "|---|---|---|---|---|---|---|"]
        for s in scaling:
            lines.append(f"| {s['instances']} | {s['users20']['p50']:.0f} / {s['users20']['p95']:.0f} | "
                         f"{s['saturation']['throughput']:.1f} | {s['saturation']['p50']:.0f} | "
                         f"{s['saturation']['cpu_per_turn']:.0f} | {s['rasa_rss']:.0f} | {s['first']:.1f} |")
    lines += ["", "| process | peak RSS (MB) | PSS at the end (MB) |", "|---|---|---|"]
    lines += [f"| {name} | {mb:.0f} | {pss.get(name, float('nan')):.0f} |" for name, mb in rss.items()]
    trained = f"Full `rasa train --force`: **{train:.0f} s**" if train == train else "`rasa train`: not measured"
    lines += ["", f"{trained}; start of the stack to the first answer: **{first:.1f} s**."]
    return "\n".join(lines)


def _row(r: Dict[str, Any]) -> str:
    pause = f"~{r['think']:g} s" if r["think"] else "none (saturation)"
    return (f"| {r['users']} | {pause} | {r['turns']} | {r['errors']} | {r['throughput']:.1f} | "
            f"{r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['cpu_per_turn']:.0f} | {r['driver']:.0f} % |")


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def write_docs(block: str) -> None:
    content = MEASUREMENTS.read_text(encoding="utf-8")
    if BEGIN not in content or END not in content:
        raise SystemExit(f"docs/measurements.md has no {BEGIN} … {END} markers")
    head, rest = content.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    MEASUREMENTS.write_text(f"{head}{BEGIN}\n{block}\n{END}{tail}", encoding="utf-8")


def report(row: Dict[str, Any]) -> None:
    print(f"{row['users']:>3} users: {row['turns']} turns, {row['errors']} errors, "
          f"{row['throughput']:.1f} turns/s, p50 {row['p50']:.0f} ms, p95 {row['p95']:.0f} ms, "
          f"p99 {row['p99']:.0f} ms, stack CPU {row['cpu_per_turn']:.0f} ms/turn, driver CPU {row['driver']:.0f} %"
          + (f", errors: {row['reasons']}" if row["reasons"] else ""), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1,10,20,50")
    parser.add_argument("--seconds", type=float, default=30.0, help="load duration per concurrency level")
    parser.add_argument("--think", type=float, default=2.0, help="mean pause of a user between messages (s)")
    parser.add_argument("--instances", default="2,1",
                        help="Rasa instance counts; the first gets every level, the others 20 users + saturation")
    parser.add_argument("--long-users", type=int, default=10, help="sessions of the long-conversation run (0: none)")
    parser.add_argument("--long-turns", type=int, default=30)
    parser.add_argument("--endpoints", default=str(PRODUCTION_ENDPOINTS), help="endpoints file of the Rasa instances")
    parser.add_argument("--burst", action="store_true",
                        help="start every visitor in the same instant (default: spread over the first pause)")
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if not MODEL_PATH.exists():
        print("No trained model: run `make train` first.", file=sys.stderr)
        return 2
    postgres = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    endpoints = Path(args.endpoints).resolve()
    shown_endpoints = str(endpoints.relative_to(ROOT)) if endpoints.is_relative_to(ROOT) else endpoints.name

    load_before = _load_average()
    train = float("nan") if args.skip_train else train_seconds()
    if train == train:
        print(f"rasa train --force: {train:.0f} s", flush=True)
    counts = [int(n) for n in args.instances.split(",") if n.strip()]
    rows: List[Dict[str, Any]] = []
    rss: Dict[str, float] = {}
    pss: Dict[str, float] = {}
    first = float("nan")
    long_row: Optional[Dict[str, Any]] = None
    scaling: List[Dict[str, Any]] = []
    for position, instances in enumerate(counts):
        with tempfile.TemporaryDirectory() as work:
            stack = ProductionStack(Path(work), postgres, redis, instances=instances, endpoints=endpoints)
            try:
                started = first_answer_seconds(stack)
                print(f"{instances} Rasa instance(s): start to first answer {started:.1f} s", flush=True)
                asyncio.run(load(stack.web_url, 5, 3, 0))  # warm-up, not counted
                if position == 0:
                    first = started
                    levels = [(int(u), args.think) for u in args.users.split(",")] + [(50, 0.0)]
                else:
                    levels = [(TARGET_USERS, args.think), (50, 0.0)]
                measured = []
                for users, think in levels:
                    row = asyncio.run(load(stack.web_url, users, args.seconds, think, pids=list(stack.pids().values()),
                                          burst=args.burst))
                    measured.append(row)
                    report(row)
                if position == 0 and args.long_users > 0:
                    long_row = asyncio.run(load(stack.web_url, args.long_users, 0, 1.0, turns=args.long_turns,
                                                burst=args.burst, pids=list(stack.pids().values())))
                    print("long conversations, median ms by turn: " + ", ".join(
                        f"{t}: {v:.0f}" for t, v in sorted(long_row["by_turn"].items())), flush=True)
                peaks = {name: peak_rss_mb(pid) for name, pid in stack.pids().items()}
                if position == 0:
                    rows, rss = measured, peaks
                    pss = {name: pss_mb(pid) for name, pid in stack.pids().items()}
                with_pauses = next((r for r in measured if r["users"] == TARGET_USERS and r["think"]), measured[0])
                rasa_peaks = [mb for name, mb in peaks.items() if name.startswith("rasa-")]
                scaling.append({"instances": instances, "users20": with_pauses, "saturation": measured[-1],
                                "rasa_rss": max(rasa_peaks) if rasa_peaks else float("nan"), "first": started})
            finally:
                stack.stop()
    block = table(rows, rss, pss, train, first, long_row, scaling if len(scaling) > 1 else [], shown_endpoints,
                  load_before, burst=args.burst)
    print("\n" + block)
    target = next((r for r in rows if r["users"] == TARGET_USERS and r["think"]), None)
    if target:
        verdict = "met" if target["p95"] < TARGET_P95_MS else "MISSED"
        print(f"\ntarget p95 < {TARGET_P95_MS} ms at {TARGET_USERS} users: {verdict} ({target['p95']:.0f} ms)")
    if args.write_docs:
        write_docs(block)
        print("docs/measurements.md updated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
