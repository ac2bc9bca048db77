"""No module but the ledger door (src/arrears/ledger/posting.py) writes ledger entries or moves the
balance cache of accounts (issue 8).

The source of src/arrears (migrations aside) is read with `ast`: a module outside the door must not

- construct `Entry(...)`, or call a write method (`create`, `bulk_create`, `update`, `delete`, …) on
  `Entry.objects` or a queryset taken from it, or touch the entry table in raw SQL;
- write a cache column (principal_fen, interest_fen, fees_fen, plan_fen, recovered_fen,
  charged_off_fen) of an account: `Account.objects….update(<column>=…)` (an `F("<column>") + …`
  included), `create`/`Account(...)` with one, `bulk_update`/`update_objects`/`save(update_fields=…)`
  naming one, `update_rows` assigning one, or raw SQL `UPDATE <account table> SET <column> = …`.

An Account or Entry is recognised by its name (aliases imported from arrears.ledger.models too) and a
queryset by being assigned from `<Model>.objects…` in the same module; an instance saved whole
(`account.save()`) is not recognised.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from arrears.ledger import posting

SRC = Path(__file__).resolve().parents[2] / "src" / "arrears"
DOOR = SRC / "ledger" / "posting.py"
CACHE = frozenset(posting.CACHE_COLUMNS)
MANAGERS = {"objects", "_base_manager", "_default_manager"}
ENTRY_WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "delete", "bulk_update", "raw"}
ACCOUNT_WRITES = {"create", "get_or_create", "update_or_create", "update"}
ENTRY_SQL = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?ledger_entry\b", re.IGNORECASE)
UPDATE_SQL = re.compile(r"\bUPDATE\s+(?P<table>\S+)\s+SET\s+(?P<sets>.*?)(?:\s+FROM\s|\s+WHERE\s|$)", re.I | re.S)
CACHE_SET = re.compile(rf"(?:^|,)\s*(?:\w+\.)?\"?({'|'.join(sorted(CACHE))})\"?\s*=(?!=)")


@dataclasses.dataclass(frozen=True)
class Offence:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _chain(node: ast.AST) -> tuple[str | None, list[str]]:
    """The root name of `a.b(...).c[...]` and the attribute names along the way."""
    attrs: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return (node.id if isinstance(node, ast.Name) else None), attrs[::-1]


def _fields(node: ast.AST) -> tuple[set[str], bool]:
    """The literal names of a field list (or of update_rows' (column, type) pairs), and whether some
    of its names are only known at run time (a variable, a `*starred` or computed element)."""
    if not isinstance(node, ast.List | ast.Tuple | ast.Set):
        return set(), True
    names: set[str] = set()
    computed = False
    for element in node.elts:
        if isinstance(element, ast.Tuple | ast.List) and element.elts:
            element = element.elts[0]
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            names.add(element.value)
        else:
            computed = True
    return names, computed


def _sql_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return ast.unparse(node)[2:-1]  # f"...{expr}..." -> ...{expr}...
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.found: list[Offence] = []
        self.models = {"Account": {"Account"}, "Entry": {"Entry"}}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("models"):
                for alias in node.names:
                    if alias.name in self.models:
                        self.models[alias.name].add(alias.asname or alias.name)
        # Names assigned a queryset of Account or Entry (`due = Account.objects.filter(...)`), or the
        # account table (`table = Account._meta.db_table`).
        self.querysets: dict[str, set[str]] = {"Account": set(), "Entry": set()}
        self.account_tables: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                model = self._model_of(node.value)
                if model:
                    self.querysets[model].add(node.targets[0].id)
                if any(self._table_of("Account", n) for n in ast.walk(node.value)):
                    self.account_tables.add(node.targets[0].id)

    def _model_of(self, node: ast.AST) -> str | None:
        root, attrs = _chain(node)
        for model, names in self.models.items():
            if root in names and MANAGERS & set(attrs):
                return model
            if root in self.querysets.get(model, ()):
                return model
        return None

    def _table_of(self, model: str, node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "db_table"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "_meta"
            and self._is(model, node.value.value)
        )

    def _is(self, model: str, func: ast.AST) -> bool:
        return (isinstance(func, ast.Name) and func.id in self.models[model]) or (
            isinstance(func, ast.Attribute) and func.attr == model
        )

    def _field_list(self, node: ast.AST, fields: ast.AST, how: str, *, on_accounts: bool) -> None:
        named, computed = _fields(fields)
        if named & CACHE:
            self.offend(node, f"writes {sorted(named & CACHE)} by {how}")
        elif computed and on_accounts:
            self.offend(node, f"writes fields chosen at run time by {how}")

    def offend(self, node: ast.AST, what: str) -> None:
        self.found.append(Offence(self.path, getattr(node, "lineno", 0), what))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        keywords = {k.arg for k in node.keywords if k.arg}
        defaults = next((k.value for k in node.keywords if k.arg == "defaults"), None)
        if isinstance(defaults, ast.Dict):
            keywords |= {k.value for k in defaults.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        if self._is("Entry", func):
            self.offend(node, "constructs Entry(...)")
        if self._is("Account", func) and keywords & CACHE:
            self.offend(node, f"constructs Account(...) with {sorted(keywords & CACHE)}")
        if isinstance(func, ast.Attribute):
            model = self._model_of(func.value)
            if model == "Entry" and func.attr in ENTRY_WRITES:
                self.offend(node, f"calls Entry.objects….{func.attr}()")
            if model == "Account" and func.attr in ACCOUNT_WRITES:
                if keywords & CACHE:
                    self.offend(node, f"writes {sorted(keywords & CACHE)} by Account.objects….{func.attr}()")
                elif any(k.arg is None for k in node.keywords):
                    self.offend(node, f"writes account columns chosen at run time by Account.objects….{func.attr}(**…)")
            if func.attr == "bulk_update" and model == "Account":
                fields = (
                    node.args[1]
                    if len(node.args) > 1
                    else next((k.value for k in node.keywords if k.arg == "fields"), ast.List(elts=[]))
                )
                self._field_list(node, fields, "bulk_update", on_accounts=True)
            if func.attr == "save":
                for k in node.keywords:
                    if k.arg == "update_fields":
                        self._field_list(node, k.value, "save(update_fields=...)", on_accounts=False)
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name == "update_objects" and len(node.args) > 1:
            self._field_list(node, node.args[1], "update_objects", on_accounts=True)
        if name == "update_rows" and len(node.args) > 1:
            table = node.args[0]
            on_accounts = self._table_of("Account", table) or (
                isinstance(table, ast.Name) and table.id in self.account_tables
            )
            named, computed = _fields(node.args[1])
            for k in node.keywords:
                if k.arg == "set_sql":
                    text = _sql_text(k.value)
                    named |= set(CACHE_SET.findall(text or ""))
                    computed = computed or text is None or "{" in text
            if named & CACHE:
                self.offend(node, f"writes {sorted(named & CACHE)} by update_rows")
            elif on_accounts and computed:
                self.offend(node, "writes account columns chosen at run time by update_rows")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if self._table_of("Entry", node):
            self.offend(node, "uses the entry table in raw SQL (Entry._meta.db_table)")
        self.generic_visit(node)

    def _sql(self, node: ast.AST) -> None:
        text = _sql_text(node)
        if text is None:
            return
        if ENTRY_SQL.search(text):
            self.offend(node, "writes the entry table in raw SQL")
        for m in UPDATE_SQL.finditer(text):
            table = m["table"].strip('"')
            placeholder = table.startswith("{")
            on_accounts = table == "ledger_account" or (
                placeholder
                and (table.strip("{}") in self.account_tables or ("_meta.db_table" in table and "Account" in table))
            )
            columns = set(CACHE_SET.findall(m["sets"]))
            if columns and (on_accounts or placeholder):
                self.offend(node, f"writes {sorted(columns)} by raw SQL UPDATE {m['table']} SET")
            elif on_accounts and "{" in m["sets"]:
                self.offend(node, f"writes account columns chosen at run time by raw SQL UPDATE {m['table']} SET")

    def visit_Constant(self, node: ast.Constant) -> None:
        self._sql(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self._sql(node)  # read whole; of its parts, only the expressions are visited
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                self.visit(part.value)


def offences(source: str, path: str) -> list[Offence]:
    tree = ast.parse(source, filename=path)
    scanner = _Scanner(path, tree)
    scanner.visit(tree)
    return scanner.found


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts and p != DOOR)


class TestOnlyTheDoorWritesTheLedger:
    def test_no_module_but_posting_creates_entries_or_moves_the_balance_cache(self) -> None:
        found = [o for path in modules() for o in offences(path.read_text(), str(path.relative_to(SRC.parents[1])))]

        assert len(modules()) > 50  # the whole tree was read
        assert found == [], "writes outside the ledger door:\n" + "\n".join(map(str, found))

    def test_the_door_itself_is_seen_writing(self) -> None:
        """Positive control: scanned like any module, posting.py is found constructing entries and
        moving the cache, so the scan does read what it should."""
        found = offences(DOOR.read_text(), "posting.py")

        assert {o.what for o in found} == {
            "constructs Entry(...)",
            "writes account columns chosen at run time by update_rows",
            # post_select, the set-based variant (arrears.hostfeed's balance sync)
            "uses the entry table in raw SQL (Entry._meta.db_table)",
            "writes account columns chosen at run time by raw SQL UPDATE {table} SET",
        }


BAD = {
    "Entry(account_id=1, amount_fen=5)": "constructs Entry(...)",
    "models.Entry(amount_fen=5)": "constructs Entry(...)",
    "Entry.objects.create(amount_fen=5)": "calls Entry.objects….create()",
    "Entry.objects.bulk_create(rows)": "calls Entry.objects….bulk_create()",
    "Entry.objects.filter(pk=1).update(amount_fen=5)": "calls Entry.objects….update()",
    "Entry.objects.filter(pk=1).delete()": "calls Entry.objects….delete()",
    "qs = Entry.objects.all()\nqs.delete()": "calls Entry.objects….delete()",
    "from arrears.ledger.models import Entry as E\nE(amount_fen=1)": "constructs Entry(...)",
    "cursor.execute('INSERT INTO ledger_entry (amount_fen) VALUES (1)')": "writes the entry table in raw SQL",
    "cursor.execute(f'DELETE FROM {Entry._meta.db_table}')": "uses the entry table in raw SQL (Entry._meta.db_table)",
    "Account.objects.filter(pk=1).update(principal_fen=0)": "writes ['principal_fen'] by Account.objects….update()",
    "Account.objects.filter(pk=1).update(plan_fen=F('plan_fen') + 5)": (
        "writes ['plan_fen'] by Account.objects….update()"
    ),
    "due = Account.objects.filter(pk=1)\ndue.update(recovered_fen=F('recovered_fen') - 5)": (
        "writes ['recovered_fen'] by Account.objects….update()"
    ),
    "Account.objects.bulk_update(rows, ['charged_off_fen', 'status'])": "writes ['charged_off_fen'] by bulk_update",
    "Account.objects.create(number='1', fees_fen=5)": "writes ['fees_fen'] by Account.objects….create()",
    "Account(number='1', interest_fen=5)": "constructs Account(...) with ['interest_fen']",
    "account.save(update_fields=['principal_fen'])": "writes ['principal_fen'] by save(update_fields=...)",
    "update_objects(accounts, ['plan_fen'])": "writes ['plan_fen'] by update_objects",
    "update_objects(accounts, [*CACHE_FIELD.values(), 'dpd'])": "writes fields chosen at run time by update_objects",
    "Account.objects.bulk_update(rows, [*CACHE_FIELD.values(), 'dpd'])": (
        "writes fields chosen at run time by bulk_update"
    ),
    "Account.objects.filter(pk=1).update(**{f: F(f) + v for f, v in moves.items()})": (
        "writes account columns chosen at run time by Account.objects….update(**…)"
    ),
    "table = quote_name(Account._meta.db_table)\ncursor.execute(f'UPDATE {table} SET {sets} FROM moves')": (
        "writes account columns chosen at run time by raw SQL UPDATE {table} SET"
    ),
    "update_rows(t, [('id', 'bigint'), ('fees_fen', 'bigint')], rows)": "writes ['fees_fen'] by update_rows",
    "t = Account._meta.db_table\nupdate_rows(t, [('id', 'bigint'), *cols], rows)": (
        "writes account columns chosen at run time by update_rows"
    ),
    "cursor.execute('UPDATE ledger_account SET interest_fen = 0 WHERE id = 1')": (
        "writes ['interest_fen'] by raw SQL UPDATE ledger_account SET"
    ),
    "cursor.execute(f'UPDATE {table} SET dpd = 1, charged_off_fen = a.x FROM a')": (
        "writes ['charged_off_fen'] by raw SQL UPDATE {table} SET"
    ),
}
GOOD = [
    "Entry.objects.filter(account=a).aggregate(s=Sum('amount_fen'))",
    "Statement.objects.filter(pk=1).update(principal_fen=0)",
    "Instalment.objects.bulk_update(rows, ['principal_fen'])",
    "Account.objects.filter(pk=1).update(status='closed', dpd=0)",
    "Case.objects.update(balance_fen=Sum(F('principal_fen') + F('interest_fen')))",
    "cursor.execute(f'UPDATE {account} SET dpd = nxt.new_dpd FROM nxt WHERE {account}.principal_fen = 0')",
    "update_rows(Account._meta.db_table, [('id', 'bigint'), ('dpd', 'integer')], rows)",
    "update_objects(statements, ['grace_kept', 'paid_by_due_fen'])",
]


class TestTheScanCanFail:
    @pytest.mark.parametrize(("source", "what"), BAD.items(), ids=list(BAD))
    def test_each_kind_of_write_outside_the_door_is_named_with_its_line(self, source: str, what: str) -> None:
        found = offences(source, "bad.py")

        assert [str(o) for o in found] == [f"bad.py:{len(source.splitlines())}: {what}"]

    @pytest.mark.parametrize("source", GOOD, ids=GOOD)
    def test_reads_and_writes_of_other_columns_are_not_named(self, source: str) -> None:
        assert offences(source, "good.py") == []
