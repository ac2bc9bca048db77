"""Domain errors: every kind has a stable code and one HTTP status, the public list of codes is the one
the raises use, the docstring documents and the pages translate; AmountError is an ArrearsError."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

import arrears.demo
import arrears.money
from arrears import errors
from arrears.errors import (
    ArrearsError,
    BudgetExhausted,
    ConcessionExceedsAuthority,
    Conflict,
    ContactNotAllowed,
    Duplicate,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    ValidationFailed,
)
from arrears.interfaces.web.errors import MESSAGES
from arrears.money import AmountError, parse_amount, to_fen

SRC = Path(arrears.money.__file__).resolve().parent


def every_error_class() -> list[type[ArrearsError]]:
    assert arrears.demo.PortfolioExists  # imported so that its subclass is registered
    found: list[type[ArrearsError]] = []
    todo = list(ArrearsError.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def raises_in_source() -> list[tuple[str, int, str, str | None]]:
    """(file, line, class name, code) of every `raise SomeError(..., code="...")` under src/arrears."""
    names = {cls.__name__ for cls in every_error_class()} | {"ArrearsError"}
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name not in names:
                    continue
                code = next((k.value for k in node.exc.keywords if k.arg == "code"), None)
                shown = code.value if isinstance(code, ast.Constant) and isinstance(code.value, str) else None
                found.append((str(path.relative_to(SRC)), node.lineno, name, shown))
    return found


class TestKinds:
    def test_every_error_class_has_its_own_code_and_an_http_status(self) -> None:
        classes = every_error_class()
        assert len(classes) >= 10
        codes = [cls.code for cls in classes]
        assert len(codes) == len(set(codes)), sorted(codes)
        for cls in classes:
            assert cls.code and cls.code == cls.code.lower() and " " not in cls.code, cls
            assert cls.status in (401, 403, 404, 405, 409, 413, 422), cls

    @pytest.mark.parametrize(
        ("cls", "status"),
        [
            (NotAuthenticated, 401),
            (NotPermitted, 403),
            (NotFound, 404),
            (Conflict, 409),
            (Duplicate, 409),
            (BudgetExhausted, 409),
            (ContactNotAllowed, 409),
            (ValidationFailed, 422),
            (AmountError, 422),
            (ConcessionExceedsAuthority, 422),
        ],
    )
    def test_each_kind_answers_the_status_of_its_rule(self, cls: type[ArrearsError], status: int) -> None:
        assert cls.status == status

    def test_every_class_code_is_in_the_public_list_as_its_own_kind(self) -> None:
        for cls in every_error_class():
            assert errors.CODES.get(cls.code) == cls.code, cls
        assert {c.code for c in every_error_class()} >= set(errors.CODES.values())

    def test_the_module_docstring_documents_every_public_code(self) -> None:
        doc = errors.__doc__ or ""
        assert [code for code in errors.CODES if code not in doc] == []

    def test_a_specific_code_keeps_the_status_and_kind_of_its_class(self) -> None:
        error = ValidationFailed("must be in the future", field="due_at", code="must_be_in_future")
        assert (error.code, error.kind, error.status) == ("must_be_in_future", "validation_failed", 422)
        assert error.as_dict() == {"code": "must_be_in_future", "field": "due_at", "message": "must be in the future"}

    def test_a_blocked_contact_names_its_rules_for_the_wording_of_the_pages(self) -> None:
        error = ContactNotAllowed("too late", decision={"rules": ["CN-HOURS", "CN-FREQ"]}, field="channel")
        assert error.params == {"rules": "CN-HOURS, CN-FREQ"}
        assert error.as_dict()["decision"] == {"rules": ["CN-HOURS", "CN-FREQ"]}


class TestRaises:
    def test_every_code_a_raise_names_is_in_the_public_list(self) -> None:
        found = raises_in_source()
        assert len(found) > 200 and len([code for *_, code in found if code]) > 30  # the scan sees the raises
        unknown = [(f, line, code) for f, line, _, code in found if code and code not in errors.CODES]
        assert unknown == []

    def test_a_raise_names_a_specific_code_only_with_the_class_the_list_gives_it(self) -> None:
        by_name = {cls.__name__: cls for cls in every_error_class()}
        by_code = {cls.code: cls for cls in every_error_class()}
        wrong = [
            (f, line, name, code)
            for f, line, name, code in raises_in_source()
            if code in errors.CODES and not issubclass(by_name[name], by_code[errors.CODES[code]])
        ]
        assert wrong == []

    def test_the_root_class_is_never_raised_itself(self) -> None:
        assert [(f, line) for f, line, name, _ in raises_in_source() if name == "ArrearsError"] == []

    def test_every_public_code_has_a_wording_on_the_pages(self) -> None:
        assert [code for code in errors.CODES if code not in MESSAGES] == []


class TestAmountError:
    def test_an_amount_error_is_a_validation_failure_and_still_a_value_error(self) -> None:
        assert issubclass(AmountError, ValidationFailed) and issubclass(AmountError, ArrearsError)
        assert issubclass(AmountError, ValueError)

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("abc", "not_a_number"),
            ("12.345", "too_many_decimals"),
            ("10000000000000000", "too_large"),
            ("1,50", "amount_grouping"),
            ("Infinity", "not_finite"),
            ("1E16", "amount_exponent"),
        ],
    )
    def test_parse_amount_names_the_field_and_a_stable_code(self, text: str, code: str) -> None:
        with pytest.raises(ArrearsError) as refused:
            parse_amount(text, field="price")
        assert (refused.value.field, refused.value.code, type(refused.value).status) == ("price", code, 422)
        assert str(refused.value).startswith("price: ")

    def test_to_fen_names_the_field_it_is_given(self) -> None:
        with pytest.raises(AmountError) as refused:
            to_fen(Decimal("1.005"), field="amount")
        assert (refused.value.field, refused.value.code) == ("amount", "too_many_decimals")
