"""The one mapping from errors to API responses.

Every error the API answers has the same JSON shape, `{"code", "field", "message"}`, and the status its
class declares (arrears.errors: 401, 403, 404, 405, 409, 413, 422). Domain errors go straight through;
schema errors, failed authentication, Http404, unreadable or oversized bodies, methods a path does not
serve and unknown paths under /api/ are first turned into the domain error of their kind, then rendered
by the same function. Anything else is a bug: logged with its traceback, answered 500 `internal_error`
in the same shape, without the traceback.

Every operation's OpenAPI declares the errors any request may meet (`declare_common_errors`): 401 and 403
(authentication, scopes, CSRF) everywhere, 413 and 422 (the body) on every unsafe method, besides the
ones it declares itself with `errors(...)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core import signals
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from arrears.errors import (
    ArrearsError,
    BodyTooLarge,
    MethodNotAllowed,
    NotFound,
    ValidationFailed,
    error_for_status,
    status_of,
)

log = logging.getLogger("arrears.api")
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
        if exc.status_code == 400:  # the framework's only 400: a body that is not JSON
            return domain(request, _malformed("the request body is not valid JSON"))
        message = "sign in, or give a valid bearer token" if exc.status_code == 401 else str(exc.message)
        return render(api, request, error_for_status(exc.status_code, message), status=exc.status_code)

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        return domain(request, NotFound("not found"))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return domain(request, BodyTooLarge("the request body is larger than the server accepts", field="body"))

    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(UnreadablePostError)
    @api.exception_handler(BadRequest)
    @api.exception_handler(SuspiciousOperation)
    def unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
        return domain(request, _malformed(f"the request body cannot be read ({exc})"))

    @api.exception_handler(Exception)
    def bug(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.error("API error on %s %s", request.method, request.path, exc_info=exc)
        signals.got_request_exception.send(sender=None, request=request)
        return internal_error()


def _malformed(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="body", code="malformed_body")


def internal_error() -> JsonResponse:
    return JsonResponse(SERVER_ERROR, status=500)


def json_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An API view whose method refusal (the framework's plain-text 405) is a JSON error like every other."""

    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            exc = MethodNotAllowed(f"{request.path} does not serve {request.method}; it serves {response['Allow']}")
            refused = JsonResponse(_body(exc), status=status_of(exc))
            refused["Allow"] = response["Allow"]
            return refused
        return response

    return answer


def api_urls(api: NinjaAPI) -> tuple[list[Any], str, str]:
    """`api.urls` with every view answering its method refusals in JSON (for urls.py)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = json_only(pattern.callback)
    return patterns, app_name, namespace


def declare_common_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to every operation of an OpenAPI document the error statuses any request to it may meet."""
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    descriptions = {
        401: "Not authenticated: no session, or a bearer token unknown, revoked or expired",
        403: "Not permitted: the role, a token scope (scope_missing) or the CSRF check (csrf_failed)",
        413: "The request body is too large (body_too_large)",
        422: "The input is refused, naming the field (a malformed body: malformed_body)",
    }
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            common = [401, 403] if method.upper() in ("GET", "HEAD", "OPTIONS") else [401, 403, 413, 422]
            responses = operation["responses"]
            for status in common:
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": descriptions[status], **ref}
    return schema


@csrf_exempt  # nothing is served here to protect; the CSRF failure page would be HTML
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/ that no operation serves: a JSON 404, never the HTML page."""
    exc = NotFound(f"no API operation at {request.path}")
    return JsonResponse(_body(exc), status=status_of(exc))
