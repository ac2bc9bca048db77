from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.agencies import operations as agencies
from arrears.agencies.models import Agency, Placement
from arrears.cycle import business_date
from arrears.errors import ArrearsError
from arrears.ledger.models import Account


class Command(BaseCommand):
    help = (
        "Collection agencies (委外催收): `agency create`, `agency entrust` (the written entrustment, CN-PI-ENTRUST), "
        "`agency tier` (commission by bucket), `agency user` (link an agency_user to its agency), `agency place` "
        "(accounts by card number, on the business date), `agency list`. Every change is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="add an agency to the published register")
        create.add_argument("--code", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--weight", type=int, default=1, help="its share of new placements (default 1)")
        create.add_argument("--unpublished", action="store_true", help="not on the published list yet")
        entrust = sub.add_parser("entrust", help="record the agency's written entrustment")
        entrust.add_argument("--code", required=True)
        entrust.add_argument("--purpose", required=True)
        entrust.add_argument("--data-types", required=True, help="comma-separated, e.g. name,mobile,balance")
        entrust.add_argument("--from", dest="starts_on", required=True, type=dt.date.fromisoformat)
        entrust.add_argument("--until", dest="ends_on", required=True, type=dt.date.fromisoformat)
        entrust.add_argument("--deletion-duty", required=True)
        entrust.add_argument("--document", default="")
        tier = sub.add_parser("tier", help="set the commission rate from a bucket up")
        tier.add_argument("--code", required=True)
        tier.add_argument("--from-bucket", type=int, required=True)
        tier.add_argument("--rate", required=True, help="a fraction, e.g. 0.15")
        user = sub.add_parser("user", help="link a user of role agency_user to the agency")
        user.add_argument("--code", required=True)
        user.add_argument("--user", required=True)
        place = sub.add_parser("place", help="place accounts (card numbers) with the agencies in force")
        place.add_argument("accounts", nargs="+", help="card numbers")
        place.add_argument("--code", help="this agency only (default: the stable hash over the agencies in force)")
        place.add_argument("--days", type=int, default=90)
        sub.add_parser("list", help="the register, with what is in force on the business date")
        for p in (create, entrust, tier, user, place):
            p.add_argument("--actor", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ArrearsError as exc:
            raise CommandError(f"{exc} [{exc.code}]") from None

    def _agency(self, code: str) -> Agency:
        found = Agency.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"no agency {code!r}")
        return found

    def _create(self, options: dict[str, Any]) -> None:
        agency = agencies.create_agency(
            actor=options["actor"],
            code=options["code"],
            name=options["name"],
            weight=options["weight"],
            published=not options["unpublished"],
        )
        self.stdout.write(f"agency {agency.code} ({agency.name}) added; no placement before an entrustment")

    def _entrust(self, options: dict[str, Any]) -> None:
        e = agencies.add_entrustment(
            actor=options["actor"],
            agency=self._agency(options["code"]),
            purpose=options["purpose"],
            data_types=options["data_types"].split(","),
            starts_on=options["starts_on"],
            ends_on=options["ends_on"],
            deletion_duty=options["deletion_duty"],
            document_ref=options["document"],
        )
        self.stdout.write(f"entrustment {e.pk} of {options['code']}: {e.starts_on} to {e.ends_on}")

    def _tier(self, options: dict[str, Any]) -> None:
        try:
            rate = Decimal(options["rate"])
        except InvalidOperation:
            raise CommandError("--rate: a fraction such as 0.15") from None
        agencies.set_tier(
            actor=options["actor"], agency=self._agency(options["code"]), min_bucket=options["from_bucket"], rate=rate
        )
        self.stdout.write(f"{options['code']}: M{options['from_bucket']} and later at {rate}")

    def _user(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        agencies.add_agency_user(actor=options["actor"], user=user, agency=self._agency(options["code"]))
        self.stdout.write(f"{user.get_username()} works for {options['code']}")

    def _place(self, options: dict[str, Any]) -> None:
        ids = list(Account.objects.filter(number__in=options["accounts"]).values_list("id", flat=True))
        if len(ids) != len(set(options["accounts"])):
            raise CommandError("some card numbers are unknown")
        agency = self._agency(options["code"]) if options["code"] else None
        placed = agencies.place_many(
            ids, business_date=business_date.current(), by=options["actor"], days=options["days"], agency=agency
        )
        self.stdout.write(f"placed {len(placed)} of {len(ids)} accounts")
        for p in placed:
            self.stdout.write(f"{p.account_id}\t{p.agency}")

    def _list(self, options: dict[str, Any]) -> None:
        today = business_date.current()
        live = set(agencies.in_force(today).values_list("code", flat=True))
        self.stdout.write("code\tname\tpublished\tactive\tweight\tin force\tplaced now")
        for a in Agency.objects.order_by("code"):
            now = Placement.objects.filter(agency=a, recalled_on__isnull=True).count()
            self.stdout.write(f"{a.code}\t{a.name}\t{a.published}\t{a.active}\t{a.weight}\t{a.code in live}\t{now}")
