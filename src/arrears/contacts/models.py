from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.kernel import vocabulary


class Channel(models.TextChoices):
    PHONE = vocabulary.Channel.PHONE.value, _("phone")
    SMS = vocabulary.Channel.SMS.value, _("SMS")
    EMAIL = vocabulary.Channel.EMAIL.value, _("e-mail")
    LETTER = vocabulary.Channel.LETTER.value, _("letter")
    VISIT = vocabulary.Channel.VISIT.value, _("visit")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("outbound")
    INBOUND = "inbound", _("inbound")


class Party(models.TextChoices):
    CARDHOLDER = vocabulary.Party.CARDHOLDER.value, _("cardholder")
    SPOUSE = vocabulary.Party.SPOUSE.value, _("spouse")
    RELATIVE = vocabulary.Party.RELATIVE.value, _("relative")
    EMPLOYER = vocabulary.Party.EMPLOYER.value, _("employer")
    OTHER_THIRD_PARTY = vocabulary.Party.OTHER_THIRD_PARTY.value, _("other third party")
    NONE = vocabulary.Party.NONE.value, _("nobody")


class Result(models.TextChoices):
    RIGHT_PARTY = "right_party_contact", _("right-party contact")
    THIRD_PARTY = "third_party", _("third party")
    NO_ANSWER = "no_answer", _("no answer")
    BUSY = "busy", _("busy")
    WRONG_NUMBER = "wrong_number", _("wrong number")
    MESSAGE_LEFT = "message_left", _("message left")
    REFUSED = "refused_to_talk", _("refused to talk")


class Disposition(models.TextChoices):
    NONE = "", _("none")
    PROMISE = "promise", _("promise to pay")
    CALLBACK = "callback", _("callback")
    DISPUTE = "dispute_raised", _("dispute raised")
    HARDSHIP = "hardship_claimed", _("hardship claimed")
    REFUSES = "refuses_to_pay", _("refuses to pay")
    CLAIMS_PAID = "claims_paid", _("claims paid")
    DECEASED = "deceased", _("deceased")
    BANKRUPTCY = "bankruptcy", _("bankruptcy")


class Contact(models.Model):
    """An attempt or conversation. Never edited: a correction is a new record pointing at the old."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="contacts")
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.OUTBOUND)
    address = models.CharField(_("number or address used"), max_length=120, blank=True)
    party = models.CharField(_("party reached"), max_length=20, choices=Party.choices)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    recording_ref = models.CharField(_("recording reference"), max_length=120, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The compliance decision the contact was made under (rule ids, reasons), when one was taken.
    decision = models.JSONField(null=True, blank=True)
    # Set when a contact made outside Arrears (a dialer's call) broke a rule, judged after the fact.
    flagged = models.BooleanField(default=False)
    source = models.CharField(max_length=20, default="workbench")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["case", "-at"], name="contact_case_time"),
            models.Index(fields=["collector", "-at"], name="contact_collector_time"),
        ]

    def __str__(self) -> str:
        return f"{self.at} {self.channel} {self.result}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("contacts cannot be edited; record a correction")
        super().save(*args, **kwargs)


class Callback(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="callbacks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("call back at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("callback")

    def __str__(self) -> str:
        return f"{self.case_id} {self.due_at}"


class Note(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField(_("note"))
    flagged = models.BooleanField(default=False, help_text=_("Flagged by the wording check for review."))

    class Meta:
        verbose_name = _("note")

    def __str__(self) -> str:
        return self.text[:40]


class HandoffTo(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("customer service")
    CREDIT_ASSESSOR = "credit_assessor", _("credit assessor")


class Handoff(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="handoffs")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_role = models.CharField(_("hand to"), max_length=20, choices=HandoffTo.choices)
    comment = models.TextField(_("comment"))
    created_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("hand-off")

    def __str__(self) -> str:
        return f"{self.case_id} -> {self.to_role}"


class Ability(models.TextChoices):
    ABLE = "able", _("able to pay")
    UNABLE = "unable", _("unable to pay")


class Willingness(models.TextChoices):
    WILLING = "willing", _("willing to pay")
    UNWILLING = "unwilling", _("unwilling to pay")


class FinancialSituation(models.Model):
    """A dated snapshot of what the customer said of their finances, and the collector's assessment."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="situations")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    monthly_income_fen = models.BigIntegerField(_("monthly income"))
    monthly_expenses_fen = models.BigIntegerField(_("monthly expenses"))
    dependants = models.PositiveSmallIntegerField(_("dependants"), default=0)
    other_debts_fen = models.BigIntegerField(_("other debt payments a month"), default=0)
    hardship_reason = models.CharField(_("hardship reason"), max_length=200, blank=True)
    hardship_expected_end = models.DateField(_("hardship expected to end"), null=True, blank=True)
    ability = models.CharField(_("ability"), max_length=8, choices=Ability.choices)
    willingness = models.CharField(_("willingness"), max_length=10, choices=Willingness.choices)
    recommended_path = models.CharField(_("recommended path"), max_length=40)

    class Meta:
        verbose_name = _("financial situation")

    def __str__(self) -> str:
        return f"{self.case_id} {self.at}"
