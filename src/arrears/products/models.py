from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.errors import ValidationFailed
from arrears.products.rules import ProductParams, build_params


class Product(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("card product")
        verbose_name_plural = _("card products")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProductVersion(models.Model):
    """The product's parameters from a date on; the version in force is the latest that started."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField(_("effective from"))
    parameters = models.JSONField(
        _("parameters"), default=dict, blank=True, help_text=_("Any parameter left out takes its default.")
    )

    class Meta:
        verbose_name = _("product version")
        verbose_name_plural = _("product versions")
        constraints = [models.UniqueConstraint(fields=["product", "effective_from"], name="one_version_a_day")]
        ordering = ["product", "-effective_from"]

    def __str__(self) -> str:
        return _("%(code)s from %(date)s") % {"code": self.product.code, "date": self.effective_from}

    def clean(self) -> None:
        try:
            build_params(self.parameters or {})
        except ValidationFailed as exc:
            raise ValidationError({"parameters": f"{exc.field}: {exc.message}"}) from exc

    @property
    def params(self) -> ProductParams:
        return build_params(self.parameters or {})


def params_in_force(product_id: int, on: dt.date) -> ProductParams:
    version = (
        ProductVersion.objects.filter(product_id=product_id, effective_from__lte=on).order_by("-effective_from").first()
    )
    if version is None:
        raise ValidationFailed(f"product {product_id} has no version in force on {on}", field="product")
    return version.params


def versions_in_force(on: dt.date) -> dict[int, ProductParams]:
    """Every product's parameters on a date, in one query."""
    result: dict[int, ProductParams] = {}
    rows: Any = ProductVersion.objects.filter(effective_from__lte=on).order_by("product_id", "-effective_from")
    for version in rows:
        result.setdefault(version.product_id, version.params)
    return result
