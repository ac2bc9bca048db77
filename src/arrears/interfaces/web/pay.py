"""The test payment gateway's page (ARREARS_PAYMENT_GATEWAY = "test"): what a real gateway's hosted page
does, served by Arrears so that the portal's "pay" works end to end without a bank's gateway. No login:
the checkout's unguessable, single-use, expiring ref is the proof. Pay or Cancel confirms the checkout
exactly as a gateway's callback would (`confirm_checkout`), then sends the cardholder back."""

from __future__ import annotations

import secrets

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound
from arrears.interfaces.web.errors import error_line
from arrears.payments.gateway import confirm_checkout, find_checkout, is_expired
from arrears.payments.models import CheckoutStatus

ACTOR = "gateway:test"


@never_cache
@require_http_methods(["GET", "POST"])
def test_gateway_page(request: HttpRequest, checkout_ref: str) -> HttpResponse:
    try:
        checkout = find_checkout(checkout_ref)
    except NotFound:
        raise Http404("no such checkout") from None
    if checkout.gateway != "test":
        raise Http404("no such checkout")
    error = ""
    if request.method == "POST" and checkout.status == CheckoutStatus.PENDING:
        succeeded = request.POST.get("action") == "pay"
        try:
            checkout = confirm_checkout(
                ref=checkout.ref,
                gateway_reference=f"TEST-{secrets.token_hex(8)}",
                amount_fen=checkout.amount_fen,
                succeeded=succeeded,
                business_date=business_date.current(),
                actor=ACTOR,
            )
        except ArrearsError as exc:
            error = error_line(exc)
            checkout = find_checkout(checkout_ref)
        else:
            separator = "&" if "?" in checkout.return_url else "?"
            return HttpResponseRedirect(f"{checkout.return_url}{separator}checkout={checkout.status}")
    context = {
        "checkout": checkout,
        "expired": is_expired(checkout) or checkout.status == CheckoutStatus.EXPIRED,
        "open": checkout.status == CheckoutStatus.PENDING and not is_expired(checkout),
        "error": error,
    }
    return render(request, "arrears/pay/test_gateway.html", context)
