from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EVENTS, WebhookDelivery


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.CharField(
        label=_("Endpoint URL"),
        max_length=500,
        help_text=_("Events are POSTed here as JSON, signed with the endpoint's secret."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/leadcrm"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENTS, widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    @classmethod
    def initial_of(cls, endpoint) -> dict:
        if endpoint is None:
            return {"is_active": True, "events": ["lead.created", "lead.updated"]}
        return {
            "name": endpoint.name,
            "url": endpoint.url,
            "events": endpoint.events,
            "is_active": endpoint.is_active,
            "description": endpoint.description,
        }


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *WebhookDelivery.Status.choices]
    )
    event = forms.ChoiceField(label=_("Event"), required=False, choices=[("", _("All events")), *EVENTS])
