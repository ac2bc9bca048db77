"""The payment gateway's outgoing side (arrears.payments.gateway): a checkout started for an amount the
account owes, confirmed once by the gateway, posts one payment through the ledger door, allocated by the
waterfall, with the checkout's ref as its reference. A wrong amount, an expired or finished checkout
are refused and nothing is posted; the test gateway's page confirms exactly as a gateway would."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from arrears.audit.models import AuditEntry
from arrears.cycle import business_date
from arrears.errors import Conflict, NotFound, ValidationFailed
from arrears.kernel import clock
from arrears.ledger.models import Account, AccountStatus, Entry
from arrears.ledger.queries import cache_mismatches
from arrears.money import AmountError
from arrears.payments.gateway import checkout_url, confirm_checkout, start_checkout
from arrears.payments.models import Checkout, CheckoutStatus, Payment
from tests.conftest import FROZEN_NOW
from tests.factories import make_account, purchase
from tests.functional.test_translations_complete import chinese_strings, english_words, visible_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 20)
PORTAL = "/portal/accounts/"


@pytest.fixture(autouse=True)
def _business_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: DAY)


@pytest.fixture
def account() -> Account:
    """Owes 1,100.00: a purchase of 1,000.00 (principal) and an annual fee of 100.00 (fees), not past due."""
    account = make_account(opened_on=dt.date(2026, 3, 1))
    purchase(account, dt.date(2026, 3, 10), "1000.00")
    purchase(account, dt.date(2026, 3, 10), "100.00", kind="annual_fee")
    account.refresh_from_db()
    assert (account.principal_fen, account.fees_fen) == (100000, 10000)
    return account


def start(account: Account, amount: str = "300.00", **kwargs: Any) -> Checkout:
    arguments: dict[str, Any] = {
        "actor": "cardholder:1",
        "account": account,
        "amount": Decimal(amount),
        "business_date": DAY,
        "return_url": PORTAL,
    }
    return start_checkout(**(arguments | kwargs))


def confirm(checkout: Checkout, **kwargs: Any) -> Checkout:
    arguments: dict[str, Any] = {
        "ref": checkout.ref,
        "gateway_reference": "GW-1",
        "amount_fen": checkout.amount_fen,
        "succeeded": True,
        "business_date": DAY,
        "actor": "integration:unionpay",
    }
    return confirm_checkout(**(arguments | kwargs))


def test_a_confirmed_checkout_posts_one_payment_allocated_by_the_waterfall(account: Account) -> None:
    checkout = start(account)
    assert checkout.status == CheckoutStatus.PENDING
    assert checkout.ref.startswith("CO-") and len(checkout.ref) >= 32
    with translation.override("zh-hans"):
        assert checkout_url(checkout) == f"/pay/test/{checkout.ref}/"
    with translation.override("en"):  # the gateway's page in the language the cardholder uses
        assert checkout_url(checkout) == f"/en/pay/test/{checkout.ref}/"
    assert checkout.expires_at == FROZEN_NOW + dt.timedelta(minutes=30)
    assert (checkout.amount_fen, checkout.currency, checkout.customer_id) == (30000, "CNY", account.customer_id)

    paid = confirm(checkout)

    assert paid.status == CheckoutStatus.PAID and paid.gateway_reference == "GW-1"
    payment = Payment.objects.get()
    assert (payment.reference, payment.amount_fen, payment.value_date) == (checkout.ref, 30000, DAY)
    assert paid.payment == payment
    # Not past due: fees first (100.00), then interest (none), then principal (200.00).
    parts = dict(Entry.objects.filter(reference=checkout.ref).values_list("component", "amount_fen"))
    assert parts == {"fees": -10000, "principal": -20000}
    account.refresh_from_db()
    assert (account.principal_fen, account.fees_fen, account.balance_fen) == (80000, 0, 80000)
    assert cache_mismatches() == []
    actions = list(AuditEntry.objects.filter(object_type="checkout").values_list("action", "actor"))
    assert actions == [("checkout.start", "cardholder:1"), ("checkout.paid", "integration:unionpay")]
    assert AuditEntry.objects.filter(action="payment.post", object_id=checkout.ref).exists()
    # The audit never holds the ref of a checkout still open: it would pay it.
    assert not AuditEntry.objects.filter(action="checkout.start", object_id=checkout.ref).exists()


def test_a_second_confirmation_changes_nothing_and_a_contradicting_one_is_a_conflict(account: Account) -> None:
    checkout = start(account)
    confirm(checkout)
    again = confirm(checkout)
    assert again.status == CheckoutStatus.PAID
    assert Payment.objects.count() == 1
    assert Entry.objects.filter(reference=checkout.ref).count() == 2
    with pytest.raises(Conflict) as refused:
        confirm(checkout, succeeded=False)
    assert refused.value.code == "checkout_finished"
    with pytest.raises(Conflict):
        confirm(checkout, gateway_reference="GW-other")
    assert Payment.objects.count() == 1
    assert Checkout.objects.get().status == CheckoutStatus.PAID
    account.refresh_from_db()
    assert account.balance_fen == 80000


def test_a_wrong_amount_is_refused_and_nothing_is_posted(account: Account) -> None:
    checkout = start(account)
    for wrong in (29999, 30001, 0):
        with pytest.raises(ValidationFailed) as refused:
            confirm(checkout, amount_fen=wrong)
        assert (refused.value.field, refused.value.code) == ("amount_fen", "checkout_amount_mismatch")
    assert Payment.objects.count() == 0
    assert Checkout.objects.get().status == CheckoutStatus.PENDING
    account.refresh_from_db()
    assert account.balance_fen == 110000
    assert not AuditEntry.objects.filter(action__in=["checkout.paid", "payment.post"]).exists()
    confirm(checkout)  # the right amount still pays it
    assert Payment.objects.count() == 1


def test_an_expired_checkout_is_refused_and_recorded_as_expired(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = start(account)
    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + dt.timedelta(minutes=30))
    with pytest.raises(Conflict) as refused:
        confirm(checkout)
    assert refused.value.code == "checkout_expired"
    assert Payment.objects.count() == 0
    assert Checkout.objects.get().status == CheckoutStatus.EXPIRED
    assert AuditEntry.objects.filter(action="checkout.expired").count() == 1
    with pytest.raises(Conflict):  # and stays refused
        confirm(checkout)
    account.refresh_from_db()
    assert account.balance_fen == 110000


def test_a_cancelled_checkout_posts_nothing_and_cannot_be_paid_later(account: Account) -> None:
    checkout = start(account)
    cancelled = confirm(checkout, succeeded=False)
    assert cancelled.status == CheckoutStatus.CANCELLED and cancelled.payment is None
    assert confirm(checkout, succeeded=False).status == CheckoutStatus.CANCELLED
    with pytest.raises(Conflict):
        confirm(checkout, succeeded=True)
    assert Payment.objects.count() == 0


def test_an_unknown_ref_is_not_found(account: Account) -> None:
    start(account)
    for ref in ("CO-nobody", "", "x" * 65):
        with pytest.raises(NotFound):
            confirm_checkout(
                ref=ref, gateway_reference="GW", amount_fen=30000, succeeded=True, business_date=DAY, actor="gw"
            )


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"amount": "0"}, "amount", "must_be_positive"),
        ({"amount": "-5.00"}, "amount", "must_be_positive"),
        ({"amount": "1100.01"}, "amount", "above_amount_owed"),
        ({"amount": "1.001"}, "amount", "too_many_decimals"),
        ({"return_url": "https://evil.example/"}, "return_url", "validation_failed"),
        ({"return_url": "//evil.example/"}, "return_url", "validation_failed"),
        ({"return_url": ""}, "return_url", "validation_failed"),
        ({"actor": ""}, "actor", "required"),
    ],
)
def test_a_bad_checkout_is_refused_naming_the_field_and_nothing_is_written(
    account: Account, changes: dict[str, str], field: str, code: str
) -> None:
    arguments: dict[str, Any] = dict(changes)
    if "amount" in arguments:
        arguments["amount"] = Decimal(arguments["amount"])
    with pytest.raises((ValidationFailed, AmountError)) as refused:
        start(account, **arguments)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert Checkout.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="checkout").exists()


def test_the_whole_balance_may_be_paid_but_not_on_a_closed_account(account: Account) -> None:
    assert start(account, "1100.00").amount_fen == 110000
    Account.objects.filter(pk=account.pk).update(status=AccountStatus.CLOSED)
    with pytest.raises(ValidationFailed) as refused:
        start(account, "100.00")
    assert refused.value.field == "account"
    assert Checkout.objects.count() == 1


def test_the_file_gateway_writes_the_request_and_sends_the_cardholder_to_the_gateway(
    account: Account, settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    outbox = tmp_path / "checkouts.jsonl"
    settings.ARREARS_PAYMENT_GATEWAY = "file"
    settings.ARREARS_PAYMENT_OUTBOX = str(outbox)
    settings.ARREARS_PAYMENT_GATEWAY_URL = "https://pay.bank.example/c/{ref}"
    with django_capture_on_commit_callbacks(execute=True):
        checkout = start(account, "250.50")
    assert checkout_url(checkout) == f"https://pay.bank.example/c/{checkout.ref}"
    [line] = [json.loads(x) for x in outbox.read_text(encoding="utf-8").splitlines()]
    assert line["ref"] == checkout.ref
    assert (line["amount"], line["amount_fen"], line["currency"], line["return_url"]) == (
        "250.50",
        25050,
        "CNY",
        PORTAL,
    )
    # The test gateway's page does not serve another gateway's checkout.
    assert Client().get(f"/pay/test/{checkout.ref}/").status_code == 404


# -- the test gateway's page ------------------------------------------------------------------------


def test_the_test_gateway_page_pays_once_and_returns_to_the_portal(account: Account) -> None:
    checkout = start(account, return_url=f"{PORTAL}?tab=pay")
    client = Client()
    page = client.get(f"/pay/test/{checkout.ref}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "300.00" in text and account.masked_number in text and account.number not in text
    assert 'value="pay"' in text and "测试支付网关" in text

    answer = client.post(f"/pay/test/{checkout.ref}/", {"action": "pay"})
    assert answer.status_code == 302
    assert answer["Location"] == f"{PORTAL}?tab=pay&checkout=paid"
    payment = Payment.objects.get()
    assert payment.reference == checkout.ref and payment.source == "checkout:test"
    assert Checkout.objects.get().gateway_reference.startswith("TEST-")
    assert AuditEntry.objects.filter(action="checkout.paid", actor="gateway:test").count() == 1

    again = client.post(f"/pay/test/{checkout.ref}/", {"action": "pay"})
    assert again.status_code == 200 and 'value="pay"' not in again.content.decode()
    assert Payment.objects.count() == 1


def test_the_test_gateway_page_cancels_speaks_english_and_hides_unknown_refs(account: Account) -> None:
    checkout = start(account)
    client = Client()
    english = client.get(f"/en/pay/test/{checkout.ref}/").content.decode()
    assert "Test payment gateway" in english and "Pay" in english
    answer = client.post(f"/en/pay/test/{checkout.ref}/", {"action": "cancel"})
    assert answer["Location"] == f"{PORTAL}?checkout=cancelled"
    assert Checkout.objects.get().status == CheckoutStatus.CANCELLED
    assert Payment.objects.count() == 0
    assert client.get("/pay/test/CO-guessed/").status_code == 404
    assert client.post("/pay/test/CO-guessed/", {"action": "pay"}).status_code == 404


def test_the_test_gateway_page_of_an_expired_checkout_offers_nothing(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = start(account)
    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + dt.timedelta(minutes=31))
    client = Client()
    text = client.get(f"/en/pay/test/{checkout.ref}/").content.decode()
    assert 'value="pay"' not in text and "expired" in text
    assert client.post(f"/en/pay/test/{checkout.ref}/", {"action": "pay"}).status_code == 200
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("state", ["open", "paid", "expired"])
def test_the_test_gateway_page_is_all_chinese_or_all_english(
    account: Account, monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    checkout = start(account)
    if state == "paid":
        confirm(checkout)
    elif state == "expired":
        monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + dt.timedelta(hours=1))
    client = Client()
    chinese = visible_text(client.get(f"/pay/test/{checkout.ref}/").content.decode())
    english = visible_text(client.get(f"/en/pay/test/{checkout.ref}/").content.decode())
    assert english_words(chinese, {account.customer.name}) == set()
    assert chinese_strings(english, {account.customer.name, "简体中文"}) == set()  # the language menu


def test_the_file_gateways_confirmations_arrive_by_the_command_line(account: Account, tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    paid, wrong = start(account, "100.00"), start(account, "50.00")
    lines = [
        {"ref": paid.ref, "gateway_reference": "F-1", "amount_fen": 10000, "succeeded": True},
        {"ref": paid.ref, "gateway_reference": "F-1", "amount_fen": 10000, "succeeded": True},  # again: no-op
        {"ref": wrong.ref, "gateway_reference": "F-2", "amount_fen": 4999, "succeeded": True},
        {"ref": "CO-nobody", "gateway_reference": "F-3", "amount_fen": 1, "succeeded": True},
    ]
    path = tmp_path / "confirmations.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    with pytest.raises(CommandError, match="3 confirmation"):
        call_command("payment", "confirm", str(path), "--business-date", DAY.isoformat())
    assert list(Payment.objects.values_list("reference", "amount_fen")) == [(paid.ref, 10000)]
    assert Checkout.objects.get(pk=wrong.pk).status == CheckoutStatus.PENDING
    assert AuditEntry.objects.get(action="checkout.paid").actor == "gateway:file"
