"""A bank's overrides packs, edited in the admin by a compliance officer; every change audited.

The base packs (CN, US) are versioned files shipped with Arrears (``packs/*.yaml``); a bank's own
stricter rules live here as rows, each an overrides pack in force from ``effective_from``. A row is
never deleted: it is deactivated or ended (``effective_to``), so that any past decision can be
explained by the rules in force at the time.
"""

from __future__ import annotations

from typing import Any

import yaml
from django.db import models
from django.utils.translation import gettext_lazy as _


class PackCode(models.TextChoices):
    CN = "CN", _("China")
    US = "US", _("United States")


class PackOverrides(models.Model):
    code = models.CharField(_("base pack"), max_length=2, choices=PackCode.choices)
    name = models.CharField(_("name"), max_length=80)
    version = models.CharField(_("version"), max_length=20)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until (exclusive)"), null=True, blank=True)
    rules = models.TextField(
        _("rules (YAML)"),
        help_text=_('e.g. CN-HOURS: {params: {end: "21:00"}} — quote times; only stricter values'),
    )
    allow_looser = models.BooleanField(_("allow looser values"), default=False)
    active = models.BooleanField(_("active"), default=True)
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("overrides pack")
        verbose_name_plural = _("overrides packs")
        constraints = [
            models.UniqueConstraint(fields=["code", "name", "version"], name="compliance_overrides_unique_version"),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gt=models.F("effective_from")),
                name="compliance_overrides_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} {self.version}"

    def as_mapping(self) -> dict[str, Any]:
        """The overrides document packs.load_pack layers on the base pack."""
        return {
            "overrides": self.code,
            "name": self.name,
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "allow_looser": self.allow_looser,
            "rules": yaml.safe_load(self.rules or "") or {},
        }

    def snapshot(self) -> dict[str, Any]:
        return {**self.as_mapping(), "rules_yaml": self.rules, "active": self.active}
