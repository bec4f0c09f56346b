"""Forms of the dashboard pages: input shape only; services validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ROLE_CHOICES, DashboardComponent
from .selectors import RANGES


class DashboardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    role = forms.ChoiceField(label=_("Shared with"), choices=ROLE_CHOICES, required=False)
    is_default = forms.BooleanField(
        label=_("Home page of this role"), required=False, help_text=_("Users who did not pick a dashboard see it.")
    )


def _params_help() -> str:
    ranges = ", ".join(RANGES)
    return _(
        "Report filters as a query string, e.g. owner=me&range=30d&group=lead_source. "
        "owner=me is the viewer; range is one of: %(ranges)s."
    ) % {"ranges": ranges}


class ComponentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    source = forms.ChoiceField(label=_("Report"))
    params = forms.CharField(label=_("Parameters"), max_length=500, required=False)
    chart_type = forms.ChoiceField(label=_("Chart type"), choices=DashboardComponent.ChartType.choices)
    size = forms.ChoiceField(label=_("Size"), choices=DashboardComponent.Size.choices)
    sort_order = forms.IntegerField(label=_("Order"), min_value=1, max_value=1000, initial=1)

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = sources
        self.fields["params"].help_text = _params_help()
