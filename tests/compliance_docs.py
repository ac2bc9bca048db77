"""Builders of gate input documents (the JSON of `arrears compliance check`) for the compliance tests."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from arrears.compliance.gate import Verdict, check_contact
from arrears.compliance.parse import parse_request

BEIJING = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NO_FLAGS = {
    "attorney": False,
    "cease": False,
    "bankruptcy": False,
    "deceased": False,
    "dispute": False,
    "plan_in_good_standing": False,
}


def cn_doc(at: str = "2026-03-10T10:00:00+08:00", **proposed: Any) -> dict[str, Any]:
    return {
        "pack": "CN",
        "customer": {"locations": [], "flags": dict(NO_FLAGS), "opted_out_channels": [], "consents": []},
        "parties": {
            "d": {"role": "debtor"},
            "g": {"role": "guarantor"},
            "e": {"role": "emergency_contact"},
            "s": {"role": "spouse"},
            "a": {"role": "attorney"},
        },
        "history": [],
        "proposed": {
            "at": at,
            "channel": "phone",
            "party": "d",
            "address": "13800000000",
            "debts": ["C1"],
            "text": None,
            **proposed,
        },
    }


def us_doc(
    at: str = "2026-04-07T15:00:00-04:00",
    *,
    collector_type: str = "agency",
    locations: Sequence[str] = ("America/New_York",),
    **proposed: Any,
) -> dict[str, Any]:
    return {
        "pack": "US",
        "collector_type": collector_type,
        "customer": {"locations": list(locations), "flags": dict(NO_FLAGS), "opted_out_channels": [], "consents": []},
        "parties": {
            "p1": {"role": "debtor"},
            "p3": {"role": "guarantor"},
            "p2": {"role": "emergency_contact"},
            "p4": {"role": "attorney"},
        },
        "history": [],
        "proposed": {
            "at": at,
            "channel": "phone",
            "party": "p1",
            "address": "+12125550100",
            "debts": ["D1"],
            "text": None,
            **proposed,
        },
    }


def call(
    at: str,
    *,
    outcome: str = "unanswered",
    party: str = "p1",
    address: str = "+12125550100",
    debts: Sequence[str] = ("D1",),
    channel: str = "phone",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "at": at,
        "channel": channel,
        "party": party,
        "address": address,
        "debts": list(debts),
        "outcome": outcome,
        **extra,
    }


def with_(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of `doc` with dotted paths set: with_(doc, **{"customer.flags.cease": True})."""
    out = copy.deepcopy(doc)
    for path, value in changes.items():
        node = out
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        node[last] = value
    return out


def check(doc: dict[str, Any], *, overrides: Sequence[str | Path] = ()) -> Verdict:
    pack, request = parse_request(doc, overrides=overrides)
    return check_contact(pack=pack, request=request)


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)
