"""Pages for a request that may not go on (handler403, handler404): inside the layout, in the page's
language, saying what happened and where to go. A reason given as text when the exception was raised
(`raise PermissionDenied(gettext("This page is for team leads."))`) is shown; the resolver's details of a
path that matches nothing (a dict) are not."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _reason(exception: Exception | None) -> str:
    reason = exception.args[0] if exception is not None and exception.args else ""
    return str(reason) if isinstance(reason, str) else ""


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "forbidden", "field": None, "message": "not permitted"}, status=403)
    return render(request, "arrears/403.html", {"reason": _reason(exception)}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "field": None, "message": "not found"}, status=404)
    return render(request, "arrears/404.html", {"reason": _reason(exception)}, status=404)
