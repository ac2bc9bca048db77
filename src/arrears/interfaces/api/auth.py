"""API authentication: a scoped bearer token, or the browser session with its CSRF check.

- A request with an `Authorization` header is judged by that header alone: `Bearer <token>` with a live
  token (unknown, revoked, expired: 401), never falling back to the session. A token request carries no
  cookie a browser would add by itself, so it needs no CSRF token, whatever its method.
- Without the header, the session: nobody signed in is 401; a signed-in user's unsafe request (POST ...)
  without a valid CSRF token is 403 `csrf_failed`.
- A token is refused (403 `scope_missing`, naming the scope) an operation outside its scopes. Each
  operation needs one scope (arrears.people.models.Scope): `read` for safe methods, `write` for the others,
  unless the view declares another with `@scope(...)` (posting payments, the checker's decisions, the checks
  and quotes that write nothing). A session is not scoped: its user's role decides, as on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from arrears.errors import NotAuthenticated, NotFound, NotPermitted
from arrears.people.models import Role, Scope
from arrears.people.operations import authenticate_token, require_scope, roles_of

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SCOPE = "arrears_scope"  # the attribute a view's declared scope, then the request's needed scope, is kept in
F = TypeVar("F", bound=Callable[..., Any])


def scope(name: Scope) -> Callable[[F], F]:
    """Declare the scope a token needs for this operation, when it is not the one its method implies."""

    def declare(view: F) -> F:
        setattr(view, _SCOPE, name)
        return view

    return declare


def needed_scope(view: Callable[..., Any], methods: list[str]) -> str:
    declared: str | None = getattr(view, _SCOPE, None)
    if declared:
        return declared
    return Scope.READ if set(methods) <= SAFE_METHODS else Scope.WRITE


def install_scopes(api: NinjaAPI) -> None:
    """Tell every operation's authentication which scope the operation needs (before it authenticates),
    and its OpenAPI description (`x-token-scope`)."""

    def needs(run: Callable[..., Any]) -> Callable[..., Any]:
        operation = run.__self__  # type: ignore[attr-defined]  # the bound Operation.run ninja passes
        needed = needed_scope(operation.view_func, operation.methods)
        operation.openapi_extra = {**(operation.openapi_extra or {}), "x-token-scope": needed}

        @wraps(run)
        def with_scope(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            setattr(request, _SCOPE, needed)
            return run(request, *args, **kwargs)

        return with_scope

    api.add_decorator(needs, mode="view")


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header is None:
            return None
        kind, _, token = header.strip().partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("give the Authorization header as 'Bearer <token>'")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = authenticate_token(token)
        needed = getattr(request, _SCOPE, None) or (Scope.READ if request.method in SAFE_METHODS else Scope.WRITE)
        require_scope(row, needed)
        request.user = row.user
        _agency_fence(request, row.user)
        return row.user


AGENCY_API = "/api/v1/agency/"


def _agency_fence(request: HttpRequest, user: Any) -> None:
    """An agency's user reaches only the agency's operations with a token too (a session is fenced by
    arrears.interfaces.web.middleware.agency_fence): anything else is not found, as an unknown path."""
    if not request.path.startswith(AGENCY_API) and not user.is_superuser and Role.AGENCY_USER in roles_of(user):
        raise NotFound("not found, or not one you can see")


class Session(APIKeyCookie):
    """Django's session cookie; the CSRF check is made here, only for a signed-in user's unsafe request."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers or not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise NotPermitted(
                "CSRF check failed: a signed-in browser must send the X-CSRFToken header", code="csrf_failed"
            )
        return request.user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


AUTH = [BearerToken(), Session()]
