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
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND)
    address = forms.CharField(
        label=_("Number or address used"),
        required=False,
        max_length=120,
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
