"""The treatment strategy applied by the cycle: a worked example along a path, the default
strategy's small-balance rule, exits, the gate, idempotency, the dry run and the step's cost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears.agencies import operations as agencies
from arrears.agencies.models import Placement
from arrears.application.outreach import approve_template, create_template
from arrears.audit.models import AuditEntry
from arrears.cases.models import Case
from arrears.cycle.models import CycleDay, StepRun
from arrears.cycle.runner import run_date
from arrears.errors import NotPermitted, ValidationFailed
from arrears.holds.models import Hold
from arrears.holds.operations import set_hold
from arrears.ledger.models import Account
from arrears.legal.models import LegalCase
from arrears.outreach.models import Message
from arrears.people.models import Role
from arrears.strategy.cycle import CALL_QUEUE_PRIORITY, apply_strategy
from arrears.strategy.models import Enrolment, StrategyAction, StrategyVersion
from arrears.strategy.operations import approve_version, draft_version, install_default, make_live
from tests import table_snapshot
from tests.builders import FIRST_DUE, open_card_accounts, past_due, settled, staff
from tests.builders import buy as build_buy

ON = dt.date(2026, 3, 1)
PATH = """
segments:
  - code: collections
    when: {dpd: {min: 1}, not_flags: [charged_off]}
    path:
      - {day: 0, action: sms, template: strategy_reminder}
      - {day: 3, action: call_queue}
      - {day: 7, action: letter, template: strategy_letter}
      - {day: 30, action: agency_placement}
"""
LAW = """
segments:
  - code: law
    when: {dpd: {min: 1}}
    path:
      - {day: 0, action: legal_referral}
"""
CONTACT = {"mobile": "13800138000", "address": "上海市浦东新区世纪大道100号"}


@pytest.fixture(autouse=True)
def _sms_outbox(tmp_path: Path, settings: Any) -> None:
    settings.ARREARS_SMS_OUTBOX = str(tmp_path / "outbox.jsonl")


def templates() -> None:
    author, checker = staff(Role.COMPLIANCE_OFFICER), staff(Role.COMPLIANCE_OFFICER)
    for channel, code, body in (
        (
            "sms",
            "strategy_reminder",
            "{{ name }}您好，您尾号{{ account }}的信用卡已逾期，欠款{{ balance }}元，请尽快还款。",
        ),
        ("letter", "strategy_letter", "{{ name }}：您尾号{{ account }}的信用卡已逾期，请尽快归还欠款。"),
    ):
        t = create_template(user=author, code=code, channel=channel, language="zh-hans", body=body)
        approve_template(user=checker, template=t, business_date=ON)


def strategy(text: str = PATH, code: str = "test") -> StrategyVersion:
    version = draft_version(actor="maker", code=code, definition=text, effective_from=ON, business_date=ON)
    approve_version(actor="checker", version=version, business_date=ON)
    make_live(actor="checker", strategy=version.strategy)
    return version


def actions(account: Account) -> list[tuple[dt.date, str, str, str]]:
    return list(
        StrategyAction.objects.filter(account=account)
        .order_by("business_date")
        .values_list("business_date", "kind", "outcome", "rule")
    )


@pytest.mark.django_db
class TestWorkedExample:
    def test_an_account_moves_from_sms_to_the_call_queue_to_a_letter_to_an_agency(self) -> None:
        """Bought 1000.00 on 03-10, never paid: DPD 1 on 04-24 (the due date 04-23 passed), so it
        enters the collections segment that day (path day 0: SMS); day 3 (04-27) its case goes to the
        head of the call queue; day 7 (05-01) a collection letter; day 30 (05-24) an agency placement,
        requested for the agencies app through the hook."""
        templates()
        strategy()
        alpha = agencies.create_agency(actor="admin", code="alpha", name="甲催收有限公司")
        agencies.add_entrustment(
            actor="admin",
            agency=alpha,
            purpose="信用卡逾期账款催收",
            data_types=["name", "mobile", "balance"],
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            deletion_duty="委托结束后30日内删除全部客户信息并书面确认",
        )
        [debtor] = past_due(dpd=1, amounts=["1000.00"], contact=CONTACT)  # runs the cycle through 04-24
        account = debtor.account
        day0 = FIRST_DUE + dt.timedelta(days=1)
        assert day0 == dt.date(2026, 4, 24)
        [enrolment] = Enrolment.objects.filter(account=account)
        assert (enrolment.segment, enrolment.arm, enrolment.started_on) == ("collections", "champion", day0)
        for day in (dt.date(2026, 4, 27), dt.date(2026, 5, 1), dt.date(2026, 5, 24)):
            run_date(day)

        assert actions(account) == [
            (day0, "sms", "done", "collections.d0.sms"),
            (dt.date(2026, 4, 27), "call_queue", "done", "collections.d3.call_queue"),
            (dt.date(2026, 5, 1), "letter", "done", "collections.d7.letter"),
            (dt.date(2026, 5, 24), "agency_placement", "requested", "collections.d30.agency_placement"),
        ]
        # the request carried out the same day by the agencies app, with the strategy's arm
        [placement] = Placement.objects.filter(account=account)
        assert (placement.agency, placement.placed_on, placement.placed_by, placement.arm) == (
            alpha,
            dt.date(2026, 5, 24),
            "strategy",
            "champion",
        )
        sms, letter = Message.objects.filter(customer_id=account.customer_id).order_by("id")
        assert (sms.channel, sms.status, sms.address) == ("sms", "sent", "13800138000")
        from arrears.kernel import clock

        assert sms.created_at == clock.now() and sms.decision["allowed"] is True and sms.provider_ref
        assert sms.template is not None and sms.template.code == "strategy_reminder" and sms.case_id == debtor.case.pk
        assert "1,000.00" in sms.body or "1000.00" in sms.body or "元" in sms.body
        assert (letter.channel, letter.status) == ("letter", "sent")
        assert bytes(letter.document).startswith(b"%PDF")
        assert StrategyAction.objects.get(account=account, kind="sms").message_id == sms.pk
        assert AuditEntry.objects.filter(action="strategy.action", object_id=str(account.pk)).count() == 4
        # every action carries its segment, arm and version
        assert set(StrategyAction.objects.values_list("segment", "arm")) == {("collections", "champion")}

    def test_a_legal_referral_is_carried_out_by_the_legal_app_in_the_name_of_the_approver(self) -> None:
        User.objects.create(username="checker")
        strategy(LAW)
        [debtor] = past_due(dpd=1, amounts=["1000.00"], contact=CONTACT)  # runs the cycle through 04-24

        [case] = LegalCase.objects.filter(account=debtor.account)
        assert (case.stage, case.referred_on) == ("referral", FIRST_DUE + dt.timedelta(days=1))
        assert AuditEntry.objects.filter(action="legal.refer", actor="checker").exists()
        assert Hold.objects.filter(customer=debtor.account.customer, kind="attorney").exists()

    def test_a_referral_whose_approver_is_gone_stays_a_request_and_the_cycle_goes_on(self) -> None:
        strategy(LAW)  # approved by "checker", who has no user
        [debtor] = past_due(dpd=1, amounts=["1000.00"], contact=CONTACT)

        assert not LegalCase.objects.exists()
        assert actions(debtor.account)[0][1:3] == ("legal_referral", "requested")

    def test_the_dates_of_the_path_run_again_change_no_table(self) -> None:
        """The step's runs of 04-24 .. 05-24 forgotten and run again in order: every table as it was
        (an earlier date run again after a later one never rewrites the account's path)."""
        templates()
        strategy()
        past_due(dpd=1, count=3, amounts=["1000.00", "1200.00", "300.00"], contact=CONTACT)
        days = [dt.date(2026, 4, 27), dt.date(2026, 5, 1), dt.date(2026, 5, 24)]
        for day in days:
            run_date(day)
        before = table_snapshot.by_id()
        days = [dt.date(2026, 4, 24), *days]
        with transaction.atomic():
            StepRun.objects.filter(step="apply_strategy", business_date__in=days).delete()
            CycleDay.objects.filter(business_date__in=days).delete()
            for day in days:
                run_date(day)
            after = table_snapshot.by_id()
            transaction.set_rollback(True)

        changed = table_snapshot.differences(before, after)
        assert set(changed) <= {"cycle.StepRun", "cycle.CycleDay"}, changed

    def test_the_call_queue_puts_the_case_above_every_bucket_and_the_next_day_the_case_step_resets_it(self) -> None:
        strategy(
            """
segments:
  - code: c
    when: {dpd: {min: 1}}
    path: [{day: 0, action: call_queue}]
"""
        )
        [debtor] = past_due(dpd=1, amounts=["1000.00"])
        case = Case.objects.get(customer_id=debtor.customer.pk)
        assert case.priority >= CALL_QUEUE_PRIORITY
        assert actions(debtor.account) == [(dt.date(2026, 4, 24), "call_queue", "done", "c.d0.call_queue")]

    def test_a_dispute_ends_the_path_and_nothing_more_is_done(self) -> None:
        templates()
        strategy()
        [debtor] = past_due(dpd=1, amounts=["1000.00"], contact=CONTACT)
        officer = staff(Role.COMPLIANCE_OFFICER)
        set_hold(
            user=officer,
            customer=debtor.customer,
            kind="dispute",
            reason="disputes the purchase",
            starts_on=dt.date(2026, 4, 25),
        )
        run_date(dt.date(2026, 4, 27))
        run_date(dt.date(2026, 5, 1))

        [enrolment] = Enrolment.objects.filter(account=debtor.account)
        assert (enrolment.ended_on, enrolment.exit) == (dt.date(2026, 4, 27), "dispute")
        assert [a[1] for a in actions(debtor.account)] == ["sms"]

    def test_a_settlement_paid_ends_the_path_as_paid(self) -> None:
        strategy(
            """
segments:
  - code: c
    when: {dpd: {min: 1}}
    path: [{day: 0, action: no_action}, {day: 100, action: legal_referral}]
"""
        )
        debtor, _ = settled(on=dt.date(2026, 5, 6))
        [enrolment] = Enrolment.objects.filter(account=debtor.account)
        assert (enrolment.started_on, enrolment.exit) == (dt.date(2026, 4, 24), "paid")
        assert enrolment.ended_on is not None and enrolment.ended_on <= dt.date(2026, 5, 7)
        assert [a[1] for a in actions(debtor.account)] == ["no_action"]

    def test_a_message_the_gate_refuses_is_recorded_refused_with_the_rule(self, monkeypatch: Any) -> None:
        """At 23:00 in Beijing CN-HOURS refuses an SMS: the action is refused, the message blocked."""
        from arrears.kernel import clock

        templates()
        strategy()
        night = dt.datetime(2026, 4, 24, 15, 0, tzinfo=dt.UTC)  # 23:00 Beijing
        monkeypatch.setattr(clock, "now", lambda: night)
        [debtor] = past_due(dpd=1, amounts=["1000.00"], contact=CONTACT)

        [(_, kind, outcome, _)] = actions(debtor.account)
        action = StrategyAction.objects.get(account=debtor.account)
        assert (kind, outcome) == ("sms", "refused")
        assert "CN-HOURS" in action.reason
        assert Message.objects.get(pk=action.message_id).status == "blocked"

    def test_a_missing_template_skips_the_step_and_says_why(self) -> None:
        strategy()
        [debtor] = past_due(dpd=1, amounts=["1000.00"], contact=CONTACT)

        action = StrategyAction.objects.get(account=debtor.account)
        assert (action.outcome, action.reason) == ("skipped", "no approved sms template 'strategy_reminder'")
        assert not Message.objects.exists()


@pytest.mark.django_db
class TestDefaultStrategy:
    def test_the_small_balance_rule_places_an_account_of_dpd_31_and_400_yuan_with_an_agency(self) -> None:
        install_default(actor="checker", effective_from=ON, business_date=ON)
        accounts = open_card_accounts(count=2, contact=CONTACT)
        build_buy(accounts=accounts, amounts=["400.00", "3000.00"])
        small, large = accounts
        from tests.builders import advance

        advance(through=FIRST_DUE + dt.timedelta(days=31))

        small_actions = StrategyAction.objects.filter(account=small, segment="small_balance")
        assert list(small_actions.values_list("business_date", "kind", "outcome")) == [
            (dt.date(2026, 5, 24), "agency_placement", "requested")
        ]
        assert not StrategyAction.objects.filter(account=large, segment="small_balance").exists()
        assert Enrolment.objects.filter(account=small, ended_on=dt.date(2026, 5, 24), exit="moved").exists()

    def test_every_action_and_enrolment_records_the_arm_the_hash_gives(self) -> None:
        from arrears.strategy.rules import arm_of, parse

        version = install_default(actor="checker", effective_from=ON, business_date=ON)
        arms = parse(version.definition).arms
        debtors = past_due(dpd=1, count=12, contact=CONTACT)

        recorded = dict(StrategyAction.objects.values_list("account_id", "arm"))
        assert recorded == {d.account.pk: arm_of("default", d.account.pk, arms) for d in debtors}
        assert dict(Enrolment.objects.values_list("account_id", "arm")) == recorded

    def test_install_default_from_the_command_line_and_its_preview_change_nothing(self, capsys: Any) -> None:
        [debtor] = past_due(dpd=1, amounts=["1000.00"], contact=CONTACT)
        call_command("strategy", "install-default", "--date", "2026-04-25", "--actor", "ops")
        capsys.readouterr()
        before = table_snapshot.by_id()

        call_command("strategy", "preview", "--date", "2026-04-25", "--json")

        assert table_snapshot.differences(before, table_snapshot.by_id()) == {}
        import json

        shown = json.loads(capsys.readouterr().out)
        arm = StrategyVersion.objects.get().strategy.code
        assert arm == "default"
        assert shown["total"] == 1
        [row] = shown["actions"]
        assert (row["segment"], row["action"]) == ("collections", "sms")
        assert shown["entering"] == {"collections": 1}
        assert debtor.account.pk


@pytest.mark.django_db
class TestVersions:
    def test_the_maker_cannot_approve_and_a_bad_definition_names_its_path(self) -> None:
        version = draft_version(actor="maker", code="s", definition=PATH, effective_from=ON, business_date=ON)
        with pytest.raises(NotPermitted):
            approve_version(actor="maker", version=version, business_date=ON)
        with pytest.raises(ValidationFailed) as error:
            draft_version(
                actor="maker",
                code="s",
                definition=PATH.replace("call_queue", "call_everyone"),
                effective_from=ON,
                business_date=ON,
            )
        assert error.value.field == "segments[0].path[1].action"

    def test_the_version_in_force_is_the_latest_approved_one_effective_on_the_date(self) -> None:
        first = strategy()
        later = draft_version(
            actor="maker",
            code="test",
            definition=PATH.replace("day: 30", "day: 20"),
            effective_from=dt.date(2026, 5, 1),
            business_date=ON,
        )
        approve_version(actor="checker", version=later, business_date=ON)
        from arrears.strategy.cycle import in_force

        assert in_force(dt.date(2026, 4, 30)).version == first  # type: ignore[union-attr]
        assert in_force(dt.date(2026, 5, 1)).version == later  # type: ignore[union-attr]


@pytest.mark.django_db
class TestSetBased:
    def _arrange(self, n: int) -> tuple[int, int]:
        templates()
        strategy()
        debtors = past_due(dpd=1, count=n, contact=CONTACT)
        ids = [d.customer.pk for d in debtors]
        return min(ids), max(ids) + 1

    def _cost(self, n: int) -> int:
        with transaction.atomic():
            lo, hi = self._arrange(n)
            StrategyAction.objects.all().delete()
            Message.objects.all().delete()
            Enrolment.objects.all().delete()
            with CaptureQueriesContext(connection) as queries:
                assert apply_strategy(dt.date(2026, 4, 24), lo, hi) == n
            transaction.set_rollback(True)
        return len(queries)

    def test_the_step_runs_the_same_number_of_statements_for_2_and_for_12_accounts(self) -> None:
        assert self._cost(2) == self._cost(12)

    def test_running_the_step_again_changes_no_table(self) -> None:
        lo, hi = self._arrange(3)
        before = table_snapshot.by_id()
        StepRun.objects.filter(step="apply_strategy").delete()

        assert apply_strategy(dt.date(2026, 4, 24), lo, hi) == 0

        assert set(table_snapshot.differences(before, table_snapshot.by_id())) <= {"cycle.StepRun"}
