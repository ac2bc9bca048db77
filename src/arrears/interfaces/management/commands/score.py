from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from arrears.cycle import business_date
from arrears.errors import ArrearsError
from arrears.ledger.models import Account
from arrears.people.operations import roles_of
from arrears.scoring.operations import PROMOTERS, find, promote, score_accounts, train_from_file
from arrears.scoring.rules import cli_maker
from arrears.tasks.jobs import run

EARLIEST = dt.date(1970, 1, 1)


def _read(path: str, option: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{option}: no such file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{option}: cannot read {path} as UTF-8 text: {exc}") from None


def _maker(actor: str) -> str:
    """The maker to record: the user named by --actor, else the name as a CLI maker (`cli:NAME`), which
    no user is and which the user of that name, should one be created, still may not promote."""
    if get_user_model().objects.filter(username=actor).exists():
        return actor
    return cli_maker(actor)


def _checker(name: str) -> Any:
    """The checker named by --user: an existing, active user holding strategy_manager or administrator."""
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise CommandError(f"--user: no user {name!r}")
    if not user.is_active:
        raise CommandError(f"--user: {name!r} is not active")
    if not (user.is_superuser or roles_of(user) & set(PROMOTERS)):
        raise CommandError(f"--user: {name!r} is not a strategy manager or an administrator")
    return user


class Command(BaseCommand):
    help = (
        "Propensity to pay (docs/scoring.md): `score train FILE.csv --mapping MAP.yaml [--seed N]` trains a draft "
        "scorecard on a legacy file (stratified 70/30 split) and prints its JSON; `score accounts [--model "
        "name@version]` scores every account (default: the champion); `score promote name@version --user NAME` "
        "makes a draft the champion (not by its maker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train a draft model on a CSV file")
        train.add_argument("file", help="the CSV file, header first")
        train.add_argument("--mapping", required=True, help="MAP.yaml: target, id, features, protected, name")
        train.add_argument("--seed", type=int, default=1, help="the split's seed (default 1)")
        train.add_argument(
            "--actor",
            default="score-train",
            help="who trains it: a user, else recorded as cli:NAME (audited; never promotes it)",
        )
        accounts = sub.add_parser("accounts", help="score every account")
        accounts.add_argument("--model", default="", help="name@version (default: the champion)")
        accounts.add_argument("--date", help="as of, YYYY-MM-DD (default: the business date)")
        accounts.add_argument("--actor", default="score-accounts", help="who runs it (audited)")
        prom = sub.add_parser("promote", help="make a draft model the champion")
        prom.add_argument("model", help="name@version")
        prom.add_argument(
            "--user",
            required=True,
            help="the checker: an active strategy manager or administrator, not the maker",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None

    def _train(self, options: dict[str, Any]) -> None:
        text = _read(options["file"], "FILE")
        mapping = _read(options["mapping"], "--mapping")
        saved = train_from_file(
            text=text,
            mapping_text=mapping,
            seed=options["seed"],
            actor=_maker(options["actor"]),
            source=Path(options["file"]).name,
        )
        m = saved.metrics
        out = {
            "model": saved.label,
            "auc": m["auc"],
            "ks": m["ks"],
            "n_train": m["n_train"],
            "n_test": m["n_test"],
            "features": saved.features,
            "excluded": sorted(saved.excluded),
            "fairness": m["fairness"],
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))

    def _accounts(self, options: dict[str, Any]) -> None:
        today = business_date.current()
        day = today
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date: use YYYY-MM-DD") from None
            if not EARLIEST <= day <= today:  # six statement months before year 1 overflowed (a traceback)
                raise CommandError(f"--date: {day} is not from {EARLIEST} to the business date {today}")
        model = find(options["model"] or None)
        if settings.ARREARS_TASKS == "celery":  # on a worker: no progress to show here, the summary after
            total = run("score_accounts", model=model.label, day=day.isoformat(), actor=options["actor"])
        else:
            with tqdm(total=Account.objects.count(), unit="account", desc="score", disable=None) as bar:
                total = score_accounts(model=model, day=day, actor=options["actor"], progress=bar.update)
        self.stdout.write(f"scored {total} accounts with {model.label} as of {day}")

    def _promote(self, options: dict[str, Any]) -> None:
        model = promote(user=_checker(options["user"]), model=find(options["model"]))
        self.stdout.write(f"{model.label} is the champion")
