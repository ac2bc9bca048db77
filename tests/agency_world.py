"""Two agencies and four customers, for the agency portal's tests: `placed` is with alpha now,
`elsewhere` with beta, `recalled` was with alpha and was recalled, `never` was never placed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from arrears.agencies import operations as agencies
from arrears.agencies.models import Agency, Placement
from arrears.people.models import Role
from tests.builders import Debtor, past_due, staff

TODAY = dt.date(2026, 5, 3)  # 10 days past the 04-23 due date
MORNING = dt.datetime(2026, 5, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NIGHT = dt.datetime(2026, 5, 3, 22, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclasses.dataclass(frozen=True, kw_only=True)
class AgencyWorld:
    alpha: Agency
    beta: Agency
    alpha_user: User
    beta_user: User
    admin: User
    collector: User
    placed: Debtor
    elsewhere: Debtor
    recalled: Debtor
    never: Debtor

    def placement(self, debtor: Debtor) -> Placement:
        return Placement.objects.filter(account=debtor.account).order_by("-id")[0]

    def secrets(self, debtor: Debtor) -> list[str]:
        return [debtor.customer.name, debtor.customer.mobile, debtor.account.number]


def agency(code: str, *, tiers: dict[int, str] | None = None) -> Agency:
    a = agencies.create_agency(actor="admin", code=code, name=f"{code}催收有限公司")
    agencies.add_entrustment(
        actor="admin",
        agency=a,
        purpose="信用卡逾期账款催收",
        data_types=["name", "mobile", "balance"],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        deletion_duty="委托结束后30日内删除全部客户信息并书面确认",
    )
    for bucket, rate in (tiers or {}).items():
        agencies.set_tier(actor="admin", agency=a, min_bucket=bucket, rate=Decimal(rate))
    return a


def agency_world() -> AgencyWorld:
    debtors = past_due(
        dpd=(TODAY - dt.date(2026, 4, 23)).days,
        count=4,
        amounts=["1000.00", "2000.00", "3000.00", "4000.00"],
        names=["甲委外客户", "乙委外客户", "丙收回客户", "丁未委外客户"],
    )
    from arrears.ledger.models import Customer

    for i, d in enumerate(debtors):
        Customer.objects.filter(pk=d.customer.pk).update(mobile=f"1380000{i}{i}{i}{i}")
    debtors = [dataclasses.replace(d, customer=Customer.objects.get(pk=d.customer.pk)) for d in debtors]
    alpha, beta = agency("alpha", tiers={1: "0.10", 3: "0.20"}), agency("beta")
    admin = staff(Role.ADMINISTRATOR)
    placed, elsewhere, recalled, never = debtors
    for debtor, to in ((placed, alpha), (elsewhere, beta), (recalled, alpha)):
        agencies.place_by_hand(user=admin, account=debtor.account, agency=to, business_date=TODAY)
    agencies.recall(user=admin, placement=Placement.objects.get(account=recalled.account), business_date=TODAY)
    alpha_user, beta_user = staff(Role.AGENCY_USER), staff(Role.AGENCY_USER)
    agencies.add_agency_user(actor="admin", user=alpha_user, agency=alpha)
    agencies.add_agency_user(actor="admin", user=beta_user, agency=beta)
    return AgencyWorld(
        alpha=alpha,
        beta=beta,
        alpha_user=alpha_user,
        beta_user=beta_user,
        admin=admin,
        collector=staff(),
        placed=placed,
        elsewhere=elsewhere,
        recalled=recalled,
        never=never,
    )
