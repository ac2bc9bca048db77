"""The portal's pages for a signed-in cardholder: only their own data (another customer's ids are 404, as unknown
ones), a promise within policy, a plan accepted with its evidence, opt-outs, letters; fully Chinese by default
and fully English under /en/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.cases.models import Case, CaseStatus
from arrears.disputes.models import Dispute
from arrears.holds.models import ChannelOptOut
from arrears.inquiries.models import Inquiry
from arrears.inquiries.surveys import ask_survey
from arrears.ledger.models import Account, Entry
from arrears.payments.models import Checkout, Payment
from arrears.plans.models import Evidence, PlanAcceptance, PlanStatus
from arrears.plans.operations import activate_plan
from arrears.promises.models import Promise, PromiseSource
from arrears.statements.models import Statement
from tests.functional.portal_world import TODAY, Holder, build, sign_in
from tests.functional.test_translations_complete import chinese_strings, data_names, english_words, visible_text

pytestmark = pytest.mark.django_db
UNKNOWN = 987_654_321


@pytest.fixture
def holders(db: None, settings: Any, tmp_path: Path) -> list[Holder]:
    return build(settings, tmp_path)


@pytest.fixture
def client(holders: list[Holder], settings: Any) -> Client:
    return sign_in(settings, holders[0])


def object_paths(h: Holder) -> dict[str, str]:
    statement = Statement.objects.filter(account=h.account).order_by("-id").first()
    assert statement is not None
    return {
        "statement": f"/portal/statements/{statement.pk}/",
        "plan": f"/portal/plans/{h.plan.pk}/",
        "plan document": f"/portal/plans/{h.plan.pk}/document.pdf",
        "letter": f"/portal/letters/{h.letter.pk}.pdf",
        "api statement": f"/portal/api/v1/statements/{statement.pk}",
    }


def sign_in_other(holders: list[Holder]) -> Client:
    from django.conf import settings

    return sign_in(settings, holders[1])


class TestOnlyTheirOwn:
    def test_another_customers_ids_are_not_found_like_unknown_ones(self, holders: list[Holder], client: Client) -> None:
        mine, theirs = object_paths(holders[0]), object_paths(holders[1])
        for what, path in mine.items():
            assert client.get(path).status_code == 200, what
        for what, path in theirs.items():
            unknown = path.replace(path.rstrip("/").rsplit("/", 1)[-1].split(".")[0], str(UNKNOWN), 1)
            assert unknown != path
            assert client.get(path).status_code == 404, what
            assert client.get(unknown).status_code == 404, what
        accepted = client.post(f"/portal/plans/{holders[1].plan.pk}/accept/", {"agree": "yes", "sha256": "x"})
        assert accepted.status_code == 404
        holders[1].plan.refresh_from_db()
        assert holders[1].plan.status == PlanStatus.OFFERED
        body = client.get("/portal/").content.decode() + client.get("/portal/api/v1/accounts").content.decode()
        assert holders[1].customer.name not in body and holders[1].account.ref not in body
        assert holders[0].account.number not in body  # the card number only by its last four digits


class TestPromise:
    def test_a_promise_below_the_policy_is_refused_in_plain_language_and_one_within_it_is_recorded(
        self, holders: list[Holder], client: Client
    ) -> None:
        below = client.post("/portal/promise/", {"amount": "1.00", "promised_date": "2026-05-08"})
        assert below.status_code == 422 and "不能低于" in below.content.decode()
        comma = client.post("/portal/promise/", {"amount": "1,50", "promised_date": "2026-05-08"})
        assert comma.status_code == 422
        assert not Promise.objects.exists()
        case = Case.objects.get(customer=holders[0].customer)
        amount = f"{case.past_due_fen / 100:.2f}"
        response = client.post("/portal/promise/", {"amount": amount, "promised_date": "2026-05-08"})
        assert response.status_code == 302
        promise = Promise.objects.get()
        assert (promise.taken_via, promise.taken_by, promise.amount_fen) == (
            PromiseSource.PORTAL,
            None,
            case.past_due_fen,
        )
        assert Case.objects.get(pk=case.pk).status == CaseStatus.PROMISED
        assert AuditEntry.objects.filter(action="promise.take", actor=f"cardholder:{holders[0].customer.pk}").exists()


class TestPlanAcceptance:
    def test_accepting_records_time_address_browser_and_the_documents_hash_so_the_plan_can_start(
        self, holders: list[Holder], client: Client
    ) -> None:
        plan = holders[0].plan
        page = client.get(f"/portal/plans/{plan.pk}/").content.decode()
        assert plan.document_sha256 in page
        accept = f"/portal/plans/{plan.pk}/accept/"
        assert client.post(accept, {"sha256": plan.document_sha256}).status_code == 422  # the box not ticked
        changed = client.post(accept, {"agree": "yes", "sha256": "0" * 64})
        assert changed.status_code == 409 and "重新阅读" in changed.content.decode()
        plan.refresh_from_db()
        assert plan.status == PlanStatus.OFFERED
        response = client.post(
            accept, {"agree": "yes", "sha256": plan.document_sha256}, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) test"
        )
        assert response.status_code == 302
        plan.refresh_from_db()
        evidence = PlanAcceptance.objects.get(plan=plan)
        assert (plan.status, plan.evidence) == (PlanStatus.ACCEPTED, Evidence.PORTAL_CLICK)
        assert (evidence.address, evidence.user_agent) == ("127.0.0.1", "Mozilla/5.0 (iPhone) test")
        assert evidence.document_sha256 == plan.document_sha256 and plan.evidence_ref.endswith(str(evidence.pk))
        activate_plan(actor=plan.proposed_by, plan=plan, business_date=TODAY)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.ACTIVE


class TestQuestionsAndDisputes:
    def test_a_question_is_recorded_as_an_open_portal_inquiry(self, holders: list[Holder], client: Client) -> None:
        response = client.post("/portal/question/", {"category": "fee", "question": "为什么收了滞纳金？"})
        assert response.status_code == 302
        inquiry = Inquiry.objects.get()
        assert (inquiry.customer_id, inquiry.channel, inquiry.outcome) == (holders[0].customer.pk, "portal", "open")
        assert client.post("/portal/question/", {"category": "fee", "question": " "}).status_code == 422

    def test_a_fee_dispute_is_opened_on_their_own_line_only(self, holders: list[Holder], client: Client) -> None:
        fee = Entry.objects.filter(account=holders[0].account, kind="late_fee").first()
        theirs = Entry.objects.filter(account=holders[1].account, kind="late_fee").first()
        assert fee is not None and theirs is not None
        page = client.get("/portal/disputes/").content.decode()
        assert f'value="{fee.pk}"' in page and f'value="{theirs.pk}"' not in page
        refused = client.post("/portal/disputes/", {"kind": "fee", "entry": theirs.pk, "reason": "不是我的"})
        assert refused.status_code == 422 and not Dispute.objects.exists()
        response = client.post("/portal/disputes/", {"kind": "fee", "entry": fee.pk, "reason": "我按时还款了"})
        assert response.status_code == 302
        dispute = Dispute.objects.get()
        assert (dispute.customer_id, dispute.channel, dispute.entry_id) == (holders[0].customer.pk, "portal", fee.pk)
        assert f"dispute-{dispute.pk}" in client.get("/portal/disputes/").content.decode()
        other = sign_in_other(holders)
        assert f"dispute-{dispute.pk}" not in other.get("/portal/disputes/").content.decode()


class TestPay:
    def test_paying_through_the_test_gateway_posts_the_payment_on_their_own_card_only(
        self, holders: list[Holder], client: Client
    ) -> None:
        a, b = holders
        refused = client.post("/portal/pay/", {"account": b.account.ref, "amount": "10.00"})
        assert refused.status_code == 422 and not Checkout.objects.exists()
        started = client.post("/portal/pay/", {"account": a.account.ref, "amount": "50.00"})
        assert started.status_code == 302
        checkout = Checkout.objects.get()
        assert started["Location"].endswith(f"/pay/test/{checkout.ref}/") and checkout.customer_id == a.customer.pk
        before = Account.objects.get(pk=a.account.pk).balance_fen
        back = Client().post(f"/pay/test/{checkout.ref}/", {"action": "pay"})
        assert back.status_code == 302 and back["Location"] == "/portal/pay/?checkout=paid"
        assert Account.objects.get(pk=a.account.pk).balance_fen == before - 5000
        assert Payment.objects.get(reference=checkout.ref).amount_fen == 5000
        assert "payment-done" in client.get(back["Location"]).content.decode()
        other = sign_in_other(holders)
        assert "5,000.00" not in other.get("/portal/pay/").content.decode()
        assert "50.00" not in other.get("/portal/pay/").content.decode().split('id="my-payments"')[1]


class TestSatisfaction:
    def test_a_waiting_survey_is_answered_once_on_the_portal_and_only_by_its_customer(
        self, holders: list[Holder], client: Client
    ) -> None:
        a, b = holders
        mine = ask_survey(
            actor="test",
            customer=a.customer,
            subject_type="dispute",
            subject_id=1,
            channel="portal",
            business_date=TODAY,
        )
        theirs = ask_survey(
            actor="test",
            customer=b.customer,
            subject_type="dispute",
            subject_id=2,
            channel="portal",
            business_date=TODAY,
        )
        assert f"survey-{mine.pk}" in client.get("/portal/").content.decode()
        assert client.post(f"/portal/surveys/{theirs.pk}/", {"score": "1"}).status_code == 404
        assert client.post(f"/portal/surveys/{mine.pk}/", {"score": "4"}).status_code == 302
        assert client.post(f"/portal/surveys/{mine.pk}/", {"score": "1"}).status_code == 404  # answered: gone
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert (mine.score, theirs.score) == (4, None)


class TestContactAndLetters:
    def test_opting_out_of_a_channel_and_taking_it_back(self, holders: list[Holder], client: Client) -> None:
        customer = holders[0].customer
        client.post("/portal/contact/", {"channel": "sms", "action": "out"})
        assert ChannelOptOut.objects.filter(customer=customer, channel="sms", withdrawn_at__isnull=True).count() == 1
        assert "您已要求我们不使用此渠道" in client.get("/portal/contact/").content.decode()
        client.post("/portal/contact/", {"channel": "sms", "action": "in"})
        assert not ChannelOptOut.objects.filter(customer=customer, withdrawn_at__isnull=True).exists()
        assert client.post("/portal/contact/", {"channel": "visit", "action": "out"}).status_code == 404
        assert AuditEntry.objects.filter(action__in=["optout.record", "optout.withdraw"]).count() == 2

    def test_the_letters_sent_are_listed_and_downloaded(self, holders: list[Holder], client: Client) -> None:
        letter = holders[0].letter
        assert f"/portal/letters/{letter.pk}.pdf" in client.get("/portal/letters/").content.decode()
        response = client.get(f"/portal/letters/{letter.pk}.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


class TestLanguages:
    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_every_portal_page_is_in_its_language(
        self, holders: list[Holder], client: Client, language: str, settings: Any
    ) -> None:
        prefix = "" if language == "zh-hans" else "/en"
        statement = Statement.objects.filter(account=holders[0].account).order_by("-id").first()
        assert statement is not None
        paths = [
            "/portal/",
            "/portal/statements/",
            f"/portal/statements/{statement.pk}/",
            "/portal/plans/",
            f"/portal/plans/{holders[0].plan.pk}/",
            "/portal/promise/",
            "/portal/contact/",
            "/portal/letters/",
            "/portal/disputes/",
            "/portal/question/",
            "/portal/pay/",
        ]
        texts = []
        for path in paths:
            response = client.get(prefix + path)
            assert response.status_code == 200, path
            texts += visible_text(response.content.decode())
        anonymous = Client()
        for path in ("/portal/login/",):
            texts += visible_text(anonymous.get(prefix + path).content.decode())
        texts += visible_text(anonymous.post(prefix + "/portal/login/", {"last_four": "x"}).content.decode())
        names = data_names() | {holders[0].plan.summary["zh-hans"], holders[0].plan.summary["en"]}
        found = english_words(texts, names) if language == "zh-hans" else chinese_strings(texts, names)
        assert found == set()
