"""Forms of the consent pages: input shape only; services validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConsentRecord, ConsentText, Purpose


class ConsentLineForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    action = forms.ChoiceField(
        label=_("Consent"),
        choices=[
            (ConsentRecord.Action.GRANTED, ConsentRecord.Action.GRANTED.label),
            (ConsentRecord.Action.WITHDRAWN, ConsentRecord.Action.WITHDRAWN.label),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ConsentTextForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    text = forms.CharField(
        label=_("Text"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What people agree to. Saving makes a new version; earlier versions stay as they were shown."),
    )


class FormConsentForm(forms.Form):
    text = forms.ModelChoiceField(
        label=_("Consent checkbox"),
        queryset=ConsentText.objects.filter(purpose=Purpose.MARKETING_EMAIL).order_by("-version"),
        required=False,
        empty_label=_("— No consent checkbox —"),
        help_text=_("The text version shown next to the checkbox; each grant records it."),
    )
    double_opt_in = forms.BooleanField(
        label=_("Double opt-in"),
        required=False,
        help_text=_("Send a confirmation email; marketing email waits until the link in it is opened."),
    )
