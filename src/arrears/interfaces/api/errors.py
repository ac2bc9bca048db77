"""The one mapping from errors to API responses.

Every error the API answers has the same JSON shape, `{"code", "field", "message"}`, and the status its
class declares (arrears.errors: 401, 403, 404, 409, 422). Domain errors go straight through; schema
errors, failed authentication, Http404 and unknown paths under /api/ are first turned into the
domain error of their kind, then rendered by the same function.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from arrears.errors import ArrearsError, NotFound, ValidationFailed, error_for_status, status_of

logger = logging.getLogger("arrears.api")
# What a failure nobody foresaw answers: never its traceback (logged instead), always this JSON.
SERVER_ERROR: dict[str, object] = {
    "code": "server_error",
    "field": None,
    "message": "something went wrong on our side; it has been logged",
}


class ErrorOut(Schema):
    code: str
    field: str | None
    message: str


def errors(*statuses: int) -> dict[int, Any]:
    """The error responses of an operation, for its OpenAPI: `response={200: X, **errors(401, 404)}`."""
    return dict.fromkeys(statuses, ErrorOut)


def _body(exc: ArrearsError) -> dict[str, object]:
    return exc.as_dict()


def _finish(response: HttpResponse, status: int) -> HttpResponse:
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="arrears"'
    return response


def render(api: NinjaAPI, request: HttpRequest, exc: ArrearsError, *, status: int | None = None) -> HttpResponse:
    """The response for an error: its shape, and its class's status (or the one the framework gave)."""
    code = status or status_of(exc)
    return _finish(api.create_response(request, _body(exc), status=code), code)


def _from_schema(exc: NinjaValidationError) -> ValidationFailed:
    """A schema error as a domain one: the first field and what is wrong with it."""
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", []) if part not in ("body", "query", "path", "payload")]
    return ValidationFailed(str(first.get("msg", "invalid")), field=".".join(location) or None)


def install(api: NinjaAPI) -> None:
    """Register the handlers: one for ArrearsError, and adapters for what the framework raises."""

    @api.exception_handler(ArrearsError)
    def domain(request: HttpRequest, exc: ArrearsError) -> HttpResponse:
        return render(api, request, exc)

    @api.exception_handler(NinjaValidationError)
    def schema(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return domain(request, _from_schema(exc))

    @api.exception_handler(HttpError)
    def http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = "sign in, or give a valid bearer token" if exc.status_code == 401 else str(exc.message)
        return render(api, request, error_for_status(exc.status_code, message), status=exc.status_code)

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return domain(request, NotFound("not found"))

    @api.exception_handler(Exception)
    def unforeseen(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("%s %s failed", request.method, request.path, exc_info=exc)
        return JsonResponse(SERVER_ERROR, status=500)


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/ that no operation serves: a JSON 404, never the HTML page."""
    exc = NotFound(f"no API operation at {request.path}")
    return JsonResponse(_body(exc), status=status_of(exc))
