from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.errors import ArrearsError
from arrears.kernel import clock
from arrears.people.models import ApiToken, Scope
from arrears.people.operations import issue_token, revoke_token


class Command(BaseCommand):
    help = (
        "API bearer tokens: `token issue` (prints the token once), `token revoke`, `token list` (never shows "
        f"a token). Scopes: {', '.join(Scope.values)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue a token to a user; the token is printed once")
        issue.add_argument("--user", required=True, help="the user the token acts as")
        issue.add_argument("--name", required=True, help="what the token is for (e.g. dialer, reporting)")
        issue.add_argument("--scopes", default=Scope.READ, help=f"comma-separated: {','.join(Scope.values)}")
        issue.add_argument("--days", type=int, help=f"lifetime (default {settings.ARREARS_API_TOKEN_DAYS})")
        revoke = sub.add_parser("revoke", help="revoke a token by its id or its name")
        which = revoke.add_mutually_exclusive_group(required=True)
        which.add_argument("--id", type=int)
        which.add_argument("--name")
        revoke.add_argument("--user", help="with --name: the token's user")
        listing = sub.add_parser("list", help="the tokens, without their secrets")
        listing.add_argument("--user")
        for p in (issue, revoke):
            p.add_argument("--actor", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ArrearsError as exc:
            raise CommandError(f"{exc} [{exc.code}]") from None

    def _issue(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        row, token = issue_token(
            actor=options["actor"], user=user, name=options["name"], scopes=options["scopes"], days=options["days"]
        )
        self.stdout.write(
            f"token {row.pk} for {user.get_username()} ({row.name}), scopes {','.join(row.scopes)}, "
            f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC. Keep it now: it is not shown again."
        )
        self.stdout.write(token)

    def _revoke(self, options: dict[str, Any]) -> None:
        row = revoke_token(actor=options["actor"], token_id=options["id"], name=options["name"], user=options["user"])
        self.stdout.write(f"revoked token {row.pk} of {row.user.get_username()} ({row.name})")

    def _list(self, options: dict[str, Any]) -> None:
        rows = ApiToken.objects.select_related("user").order_by("id")
        if options["user"]:
            rows = rows.filter(user__username=options["user"])
        now = clock.now()
        self.stdout.write("id\tuser\tname\tscopes\tstate\texpires_at\tlast_used_at")
        for row in rows:
            state = "revoked" if row.revoked_at else "expired" if row.expires_at <= now else "live"
            used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "-"
            self.stdout.write(
                f"{row.pk}\t{row.user.get_username()}\t{row.name}\t{','.join(row.scopes)}\t{state}\t"
                f"{row.expires_at:%Y-%m-%d %H:%M}\t{used}"
            )
