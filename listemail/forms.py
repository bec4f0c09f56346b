"""The list email form: input shape only; the services check and send."""

from django import forms
from django.utils.translation import gettext_lazy as _

from emails.models import EmailTemplate


class ListEmailForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Email template"),
        queryset=EmailTemplate.objects.filter(is_active=True).order_by("name"),
        help_text=_("Sent as a marketing email: with an unsubscribe link, never to people who opted out."),
    )
    record_campaign = forms.ModelChoiceField(
        label=_("Record as a send of campaign"),
        queryset=None,
        required=False,
        empty_label=_("— No campaign —"),
        help_text=_("Recipients who are not members yet join the campaign with the status Sent."),
    )
    from_name = forms.CharField(label=_("From name"), max_length=120, required=False)
    from_address = forms.EmailField(label=_("From address"), max_length=254, required=False)
    reply_to = forms.EmailField(label=_("Reply-to"), max_length=254, required=False)

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_campaign"].queryset = campaigns
