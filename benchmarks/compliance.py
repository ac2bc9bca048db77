"""Benchmark of the compliance gate: p50/p99 of check_contact for a customer with 500 prior contacts.

    .venv/bin/python benchmarks/compliance.py [--contacts 500] [--runs 5000]
    .venv/bin/python benchmarks/compliance.py --smoke     # a few runs, for the test; writes no README

Target (issue 14): p99 under 1 ms (issue 4: 2 ms). A full run writes the `compliance` section of benchmarks/README.md.
The dialer export of 100,000 numbers is measured with the contact models, not here (benchmarks/dialer.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
# A run on this machine signs and seals with demo mode's key (var/secret_key) unless given one.
os.environ.setdefault("ARREARS_DEMO", "1")

from arrears.compliance.gate import check_contact
from arrears.compliance.parse import parse_request
from readme import load_average, write_section

TARGET_MS = 1.0  # p99 of one check (issue 14)

FLAGS = {
    "attorney": False,
    "cease": False,
    "bankruptcy": False,
    "deceased": False,
    "dispute": False,
    "plan_in_good_standing": False,
}
OUTCOMES = ["unanswered"] * 5 + ["voicemail"] * 2 + ["busy", "not_connected", "conversation", "wrong_number"]


def history(*, contacts: int, end: dt.datetime, parties: list[str], numbers: list[str], seed: int) -> list[Any]:
    """`contacts` contacts over the 120 days before `end`, across collectors, the dialer and agencies."""
    rng = random.Random(seed)
    out = []
    for _ in range(contacts):
        at = end - dt.timedelta(minutes=rng.randrange(1, 120 * 24 * 60))
        channel = rng.choice(["phone"] * 6 + ["sms", "email", "letter", "visit"])
        outcome = rng.choice(OUTCOMES) if channel in ("phone", "visit") else rng.choice(["delivered", "bounced"])
        out.append(
            {
                "at": at.isoformat(),
                "channel": channel,
                "party": rng.choice(parties),
                "address": rng.choice(numbers),
                "debts": rng.sample(["D1", "D2", "D3"], rng.randint(1, 2)),
                "outcome": outcome,
            }
        )
    return out


def scenarios(contacts: int) -> dict[str, dict[str, Any]]:
    us_end = dt.datetime(2026, 4, 7, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    cn_end = dt.datetime(2026, 4, 7, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    us_parties = {"p1": {"role": "debtor"}, "p2": {"role": "spouse"}, "p3": {"role": "emergency_contact"}}
    cn_parties = {"d": {"role": "debtor"}, "g": {"role": "guarantor"}, "e": {"role": "emergency_contact"}}
    us_numbers = ["+12125550100", "+12125550101", "+13105550102"]
    cn_numbers = ["13800000000", "13900000000", "13700000000"]
    us = {
        "pack": "US",
        "collector_type": "agency",
        "customer": {
            "locations": ["America/New_York", "America/Los_Angeles"],
            "flags": FLAGS,
            "opted_out_channels": ["sms"],
            "consents": [{"channel": "phone", "from": "2026-03-19T18:00:00-04:00", "to": "2026-03-19T19:00:00-04:00"}],
        },
        "parties": us_parties,
        "history": history(contacts=contacts, end=us_end, parties=list(us_parties), numbers=us_numbers, seed=1),
        "proposed": {
            "at": us_end.isoformat(),
            "channel": "phone",
            "party": "p1",
            "address": us_numbers[0],
            "debts": ["D1", "D2"],
            "text": None,
        },
    }
    cn = {
        "pack": "CN",
        "customer": {"locations": [], "flags": FLAGS, "opted_out_channels": [], "consents": []},
        "parties": cn_parties,
        "history": history(contacts=contacts, end=cn_end, parties=list(cn_parties), numbers=cn_numbers, seed=2),
        "proposed": {
            "at": cn_end.isoformat(),
            "channel": "phone",
            "party": "d",
            "address": cn_numbers[0],
            "debts": ["D1"],
            "text": None,
        },
    }
    us_night = {**us, "proposed": {**us["proposed"], "at": "2026-04-07T22:30:00-04:00"}}
    cn_sms = {
        **cn,
        "proposed": {
            **cn["proposed"],
            "channel": "sms",
            "text": "您好，您的信用卡账单已逾期，请尽快还款。如有疑问请致电 95588。回T退订",
        },
    }
    return {
        "US phone, 2 zones, 2 debts": us,
        "US phone at night (next_allowed_at search)": us_night,
        "CN phone": cn,
        "CN SMS with wording check": cn_sms,
    }


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))], samples[-1]


def measure(doc: dict[str, Any], runs: int) -> tuple[tuple[float, float, float], tuple[float, float, float], str]:
    """Wall-clock and CPU-time (this thread) percentiles in ms of check_contact on a parsed request."""
    pack, request = parse_request(doc, overrides=())
    verdict = check_contact(pack=pack, request=request)
    for _ in range(min(200, runs)):  # warm up
        check_contact(pack=pack, request=request)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        check_contact(pack=pack, request=request)
        cpu.append((time.thread_time_ns() - start_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - start) / 1e6)
    summary = "allowed" if verdict.allowed else f"blocked {','.join(verdict.rules)}"
    return percentiles(wall), percentiles(cpu), summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--smoke", action="store_true", help="50 contacts, 50 runs; no README unless --readme")
    parser.add_argument("--readme", type=Path, help="write the section into this file (default benchmarks/README.md)")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.contacts, args.runs = 50, 50
    load = load_average()
    print(
        f"check_contact, customer with {args.contacts} prior contacts, {args.runs} runs each "
        f"(Python {sys.version.split()[0]}, {load})"
    )
    print(f"{'scenario':44} {'wall p50':>9} {'wall p99':>9} {'cpu p50':>8} {'cpu p99':>8} {'cpu max':>8}  verdict (ms)")
    worst_wall = worst_cpu = 0.0
    rows = []
    for name, doc in scenarios(args.contacts).items():
        (w50, w99, _), (c50, c99, cmax), summary = measure(doc, args.runs)
        worst_wall, worst_cpu = max(worst_wall, w99), max(worst_cpu, c99)
        rows.append(f"| {name} | {w50:.3f} ms | {w99:.3f} ms | {c50:.3f} ms | {c99:.3f} ms | {summary} |")
        print(f"{name:44} {w50:9.3f} {w99:9.3f} {c50:8.3f} {c99:8.3f} {cmax:8.3f}  {summary}")
    doc = scenarios(args.contacts)["US phone, 2 zones, 2 debts"]
    wall = []
    for _ in range(max(1, args.runs // 5)):
        start = time.perf_counter_ns()
        pack, request = parse_request(doc, overrides=())
        check_contact(pack=pack, request=request)
        wall.append((time.perf_counter_ns() - start) / 1e6)
    p50, p99, _ = percentiles(wall)
    rows.append(f"| parse + check (the doors' path, JSON decoded) | {p50:.1f} ms | {p99:.1f} ms | | | |")
    print(f"{'parse + check (the doors, JSON already decoded)':44} {p50:9.3f} {p99:9.3f}")
    verdict = "met" if worst_wall < TARGET_MS else "met in CPU time only" if worst_cpu < TARGET_MS else "NOT met"
    print(f"worst p99: wall {worst_wall:.3f} ms, CPU {worst_cpu:.3f} ms; target {TARGET_MS:g} ms: {verdict}")
    print(load_average())
    if args.no_readme or (args.smoke and args.readme is None):
        return
    path = write_section(
        "compliance", _section(args, load, rows, verdict), **({"path": args.readme} if args.readme else {})
    )
    print(f"wrote the compliance section of {path}")


def _section(args: argparse.Namespace, load: str, rows: list[str], verdict: str) -> str:
    table = "\n".join(
        [
            "| scenario | wall p50 | wall p99 | CPU p50 | CPU p99 | verdict |",
            "|---|---:|---:|---:|---:|---|",
            *rows,
        ]
    )
    return f"""## Compliance gate (`benchmarks/compliance.py`)

```
.venv/bin/python benchmarks/compliance.py [--contacts 500] [--runs 5000]
```

Times `check_contact(pack=..., request=...)` (a parsed request, the pack loaded) for a customer with
{args.contacts} prior contacts over 120 days across collectors, the dialer and agencies (60 % calls, three
parties, three numbers, mixed outcomes), in four scenarios, {args.runs:,} runs each after a warm-up. It
reports the wall-clock percentiles and the CPU time of the thread (which leaves out time the process
spent pre-empted), and the cost of the doors' parse + check. Target (issue 14): p99 under 1 ms.

Figures of {dt.date.today().isoformat()} (Python {sys.version.split()[0]}; {load} at the start):

{table}

Target: {verdict}. On a loaded machine the wall-clock p99 is mostly pre-emption, not the gate: read
it against the CPU p99 and the load average. How it is fast: the history is sorted once when the
request is built, each count (per number, per person) is a selection of the phone history made once
per check, and a window ("today", "the last 7 days") is two bisections on instants rather than a scan
converting every contact to local time. Parsing the history rows (ISO datetimes, enums) costs more
than the decision; the workbench and the dialer build requests from the database rows directly.
"""


if __name__ == "__main__":
    main()
