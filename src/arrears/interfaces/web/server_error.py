"""The answer to a failure nobody foresaw (handler500): never a traceback. Under /api/ the JSON every API
error has; elsewhere a page in both languages that needs neither the database nor a signed-in user."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from arrears.interfaces.api.errors import SERVER_ERROR


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(SERVER_ERROR, status=500)
    page = loader.get_template("arrears/500.html").render({"csp_nonce": getattr(request, "csp_nonce", "")})
    return HttpResponse(page, status=500)
