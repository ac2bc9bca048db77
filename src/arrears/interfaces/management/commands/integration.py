from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.errors import ArrearsError
from arrears.integrations.models import IntegrationKind
from arrears.integrations.operations import create_integration, integrations, revoke_integration, rotate_secret


class Command(BaseCommand):
    help = (
        "Systems that call the API: `integration create --name N --kind K` (prints the secret, once), "
        "`integration rotate --name N` (a new secret, printed once), `integration revoke --name N`, "
        "`integration list`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a new integration; its secret is printed once")
        create.add_argument("--name", required=True)
        create.add_argument("--kind", required=True, choices=IntegrationKind.values)
        rotate = sub.add_parser("rotate", help="a new secret for an integration; the old one stops working")
        rotate.add_argument("--name", required=True)
        revoke = sub.add_parser("revoke", help="the integration's requests are refused from now on")
        revoke.add_argument("--name", required=True)
        sub.add_parser("list", help="every integration, without secrets")
        for p in (create, rotate, revoke):
            p.add_argument("--actor", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                integration, secret = create_integration(
                    actor=options["actor"], name=options["name"], kind=options["kind"]
                )
            elif action == "rotate":
                integration, secret = rotate_secret(actor=options["actor"], name=options["name"])
            elif action == "revoke":
                integration = revoke_integration(actor=options["actor"], name=options["name"])
                self.stdout.write(f"revoked {integration.name}")
                return
            else:
                self._list()
                return
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps({"name": integration.name, "kind": integration.kind, "secret": secret}))
        self.stderr.write("Give the secret to the system now: it is not shown again.")

    def _list(self) -> None:
        for i in integrations():
            row = {
                "name": i.name,
                "kind": i.kind,
                "active": i.active,
                "key_version": i.key_version,
                "created_at": i.created_at.isoformat(),
                "revoked_at": i.revoked_at.isoformat() if i.revoked_at else None,
            }
            self.stdout.write(json.dumps(row))
