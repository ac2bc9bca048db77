from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.contacts.models import Ability, Channel, Direction, Disposition, HandoffTo, Party, Result, Willingness
from arrears.interfaces.web.errors import error_text
from arrears.money import AmountError, parse_amount


class AmountField(forms.CharField):
    """An amount read by the one strict parser (arrears.money.parse_amount), its refusal worded by its code.

    A text input, not a number input: the browser would turn what was typed into what its locale guesses,
    and the person would not see why an amount was read differently."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_amount(text)
        except AmountError as exc:
            raise forms.ValidationError(error_text(exc), code=exc.code) from None


class ContactForm(forms.Form):
    """A contact as logged. The number or address is a *choice* among the customer's known ones, each
    shown masked and resolved to the full value on the server: the page never holds it in full."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND)
    address = forms.ChoiceField(
        label=_("Number or address used"),
        required=False,
        choices=[("", "—")],
        help_text=_("Leave blank for the customer's mobile."),
    )
    party = forms.ChoiceField(label=_("Party reached"), choices=Party.choices)
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *Result.choices])
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices, required=False)
    duration_seconds = forms.IntegerField(label=_("Duration (seconds)"), min_value=0, initial=0)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    recording_ref = forms.CharField(label=_("Recording reference"), required=False, max_length=120)
    promise_amount = AmountField(label=_("Promised amount"), required=False)
    promise_date = forms.DateField(
        label=_("Promised date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, routes: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = [("", _("the customer's mobile")), *(routes or [])]  # type: ignore[attr-defined]


class Offer:
    NONE = ""
    PROMISE = "promise"
    PLAN = "plan"
    CONCESSION = "concession"
    CHOICES = [
        (NONE, _("no offer")),
        (PROMISE, _("promise to pay")),
        (PLAN, _("repayment plan proposal")),
        (CONCESSION, _("concession (waiver, extension, settlement)")),
    ]


REASONS = [
    ("", "—"),
    ("income_loss", _("loss of income")),
    ("illness", _("illness")),
    ("forgot", _("forgot or was away")),
    ("dispute", _("disputes the debt")),
    ("overextended", _("too many debts")),
    ("refuses", _("refuses to pay")),
    ("other", _("other")),
]


class CallForm(ContactForm):
    """The guided call: the contact with everything the call decides, saved in one go."""

    identified = forms.BooleanField(label=_("I read the identification script"), required=False)
    reason = forms.ChoiceField(label=_("Reason for non-payment"), choices=REASONS, required=False)
    monthly_income = AmountField(label=_("Monthly income"), required=False)
    monthly_expenses = AmountField(label=_("Monthly expenses"), required=False)
    dependants = forms.IntegerField(label=_("Dependants"), min_value=0, max_value=30, required=False)
    ability = forms.ChoiceField(label=_("Ability"), choices=[("", "—"), *Ability.choices], required=False)
    willingness = forms.ChoiceField(label=_("Willingness"), choices=[("", "—"), *Willingness.choices], required=False)
    offer = forms.ChoiceField(label=_("Offer"), choices=Offer.CHOICES, required=False)
    callback_at = forms.DateTimeField(
        label=_("Call back at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    hand_to = forms.ChoiceField(label=_("Hand to"), choices=[("", "—"), *HandoffTo.choices], required=False)
    hand_comment = forms.CharField(label=_("Comment for the hand-off"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        # The outcome decides what must come with it: a callback needs its time, a hand-off its comment,
        # a situation its income, expenses, ability and willingness together.
        if d.get("disposition") == Disposition.CALLBACK and not d.get("callback_at"):
            self.add_error("callback_at", _("A callback outcome needs the time to call back."))
        if d.get("hand_to") and not d.get("hand_comment"):
            self.add_error("hand_comment", _("Say why the case is handed off."))
        situation = [d.get(k) for k in ("monthly_income", "monthly_expenses", "ability", "willingness")]
        if any(v not in (None, "") for v in situation) and not all(v not in (None, "") for v in situation):
            for k, v in zip(("monthly_income", "monthly_expenses", "ability", "willingness"), situation, strict=True):
                if v in (None, ""):
                    self.add_error(k, _("The financial situation needs income, expenses, ability and willingness."))
        return d

    @property
    def has_situation(self) -> bool:
        return self.cleaned_data.get("monthly_income") is not None


class SituationForm(forms.Form):
    monthly_income = AmountField(label=_("Monthly income"))
    monthly_expenses = AmountField(label=_("Monthly expenses"))
    dependants = forms.IntegerField(label=_("Dependants"), min_value=0, max_value=30, initial=0)
    other_debts = AmountField(label=_("Other debt payments a month"), initial="0.00")
    hardship_reason = forms.CharField(label=_("Hardship reason"), required=False, max_length=200)
    hardship_expected_end = forms.DateField(
        label=_("Hardship expected to end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ability = forms.ChoiceField(label=_("Ability"), choices=Ability.choices)
    willingness = forms.ChoiceField(label=_("Willingness"), choices=Willingness.choices)


class CallbackForm(forms.Form):
    due_at = forms.DateTimeField(label=_("Call back at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class HandoffForm(forms.Form):
    to_role = forms.ChoiceField(label=_("Hand to"), choices=HandoffTo.choices)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))
