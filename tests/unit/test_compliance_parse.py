"""The one parser both doors use: a malformed document is refused with the field named."""

from __future__ import annotations

from typing import Any

import pytest

from arrears.compliance.parse import parse_request
from arrears.errors import ValidationFailed
from tests.compliance_docs import us_doc, with_

EXAMPLE: dict[str, Any] = {
    "pack": "US",
    "collector_type": "agency",
    "customer": {
        "locations": ["America/New_York", "America/Los_Angeles"],
        "flags": {
            "attorney": False,
            "cease": False,
            "bankruptcy": False,
            "deceased": False,
            "dispute": False,
            "plan_in_good_standing": False,
        },
        "opted_out_channels": ["sms"],
        "consents": [{"channel": "phone", "from": "2026-03-19T18:00:00-04:00", "to": "2026-03-19T19:00:00-04:00"}],
    },
    "parties": {"p1": {"role": "debtor"}, "p2": {"role": "emergency_contact", "refused_on": None}},
    "history": [
        {
            "at": "2026-03-02T10:00:00-05:00",
            "channel": "phone",
            "party": "p1",
            "address": "+12125550100",
            "debts": ["D1"],
            "outcome": "unanswered",
        }
    ],
    "proposed": {
        "at": "2026-03-08T11:00:00-04:00",
        "channel": "phone",
        "party": "p1",
        "address": "+12125550100",
        "debts": ["D1"],
        "text": None,
    },
}


def field_of(doc: Any) -> str | None:
    with pytest.raises(ValidationFailed) as err:
        parse_request(doc, overrides=())
    return err.value.field


class TestParse:
    def test_reads_the_example_of_the_issue(self) -> None:
        pack, request = parse_request(EXAMPLE, overrides=())
        assert pack.code == "US" and request.collector_type == "agency"
        assert request.customer.locations == ("America/New_York", "America/Los_Angeles")
        assert request.customer.opted_out_channels == frozenset({"sms"})
        assert request.parties["p2"].role == "emergency_contact"
        assert request.history[0].outcome == "unanswered"
        assert request.proposed.text is None and request.proposed.debts == ("D1",)

    @pytest.mark.parametrize(
        ("path", "value", "field"),
        [
            ("proposed.at", "2026-03-08 11:00", "proposed.at"),
            ("proposed.at", "2026-03-08T11:00:00", "proposed.at"),
            ("proposed.at", 20260308, "proposed.at"),
            ("history.0.at", "yesterday", "history[0].at"),
            ("history.0.outcome", "hung_up", "history[0].outcome"),
            ("history.0.party", "p9", "history[0].party"),
            ("proposed.channel", "fax", "proposed.channel"),
            ("proposed.party", "nobody", "proposed.party"),
            ("proposed.debts", "D1", "proposed.debts"),
            ("proposed.text", 5, "proposed.text"),
            ("pack", "EU", "pack"),
            ("collector_type", "bank", "collector_type"),
            ("parties.p2.role", "friend", "parties.p2.role"),
            ("parties.p2.refused_on", "last week", "parties.p2.refused_on"),
            ("customer.flags.cease", "no", "customer.flags.cease"),
            ("customer.locations", ["America/New_York", "Mars/Base"], "customer.locations[1]"),
            ("customer.consents.0.to", "2026-03-19T17:00:00-04:00", "customer.consents[0].to"),
            ("customer.opted_out_channels", ["pigeon"], "customer.opted_out_channels[0]"),
        ],
    )
    def test_names_the_field(self, path: str, value: Any, field: str) -> None:
        doc = with_(EXAMPLE, **{path: value}) if ".0." not in path else _set_index(EXAMPLE, path, value)
        assert field_of(doc) == field

    def test_a_missing_field_is_named(self) -> None:
        doc = with_(EXAMPLE)
        del doc["proposed"]["at"]
        assert field_of(doc) == "proposed.at"
        doc = with_(EXAMPLE)
        del doc["customer"]["flags"]["bankruptcy"]
        assert field_of(doc) == "customer.flags.bankruptcy"

    def test_an_unknown_field_is_refused(self) -> None:
        assert field_of(with_(EXAMPLE, **{"customer.flags.bankrupcy": True})) == "customer.flags.bankrupcy"

    def test_the_error_reads_field_then_message(self) -> None:
        with pytest.raises(ValidationFailed) as err:
            parse_request(with_(EXAMPLE, **{"proposed.at": "2026-03-08"}), overrides=())
        assert str(err.value) == "proposed.at: not an ISO datetime with offset"

    def test_the_collector_type_is_required_for_the_us_pack_only(self) -> None:
        doc = us_doc()
        del doc["collector_type"]
        assert field_of(doc) == "collector_type"

    def test_not_an_object(self) -> None:
        assert field_of([1, 2]) == "document"


def _set_index(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = with_(doc)
    node: Any = out
    *parents, last = path.split(".")
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    return out
