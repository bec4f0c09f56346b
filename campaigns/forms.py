"""Campaign forms: input shape only; ``campaigns.services`` validates and writes."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.fields import custom_definitions, form_field, form_initial, picklist_choices
from core.roles import display_name
from core.selectors import field_labels

from .fields import CAMPAIGN, SECTIONS
from .models import Campaign

STANDARD = (
    "name",
    "type",
    "status",
    "start_date",
    "end_date",
    "parent",
    "owner",
    "is_active",
    "tracking_code",
    "budgeted_cost",
    "actual_cost",
    "expected_revenue",
    "expected_response",
    "description",
)
PLANNING = ("budgeted_cost", "actual_cost", "expected_revenue", "expected_response", "description")


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=255)
    type = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False)
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    parent = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False)
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    is_active = forms.BooleanField(required=False, initial=True)
    tracking_code = forms.CharField(max_length=80, required=False)
    budgeted_cost = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=17)
    actual_cost = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=17)
    expected_revenue = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=17)
    expected_response = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=2)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, instance: Campaign | None = None, **kwargs):
        if instance is not None:
            initial = {name: getattr(instance, name) for name in STANDARD if name not in ("parent", "owner")}
            initial.update(parent=instance.parent_id, owner=instance.owner_id)
            kwargs.setdefault("initial", {}).update(initial)
        super().__init__(*args, **kwargs)
        self.instance = instance
        labels = field_labels(object_name=CAMPAIGN)
        for name in STANDARD:
            if name in labels:
                self.fields[name].label = labels[name]
        for name in ("type", "status"):
            self.fields[name].choices = picklist_choices(CAMPAIGN, name, current=getattr(instance, name, None))
        parents = Campaign.objects.order_by("name")
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        )
        self.fields["owner"].label_from_instance = display_name
        self.custom_names = []
        for definition in custom_definitions(CAMPAIGN):
            current = (instance.custom_fields or {}).get(definition.api_name) if instance else None
            self.fields[definition.api_name] = form_field(definition, current=current)
            if instance is not None:
                self.initial[definition.api_name] = form_initial(definition, current)
            self.custom_names.append(definition.api_name)

    @property
    def bound_sections(self):
        info = [self[name] for name in STANDARD if name not in PLANNING]
        sections = [(SECTIONS[0][1], info), (SECTIONS[1][1], [self[name] for name in PLANNING])]
        if self.custom_names:
            sections.append((_("Custom Fields"), [self[name] for name in self.custom_names]))
        return sections

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in STANDARD if name not in ("parent", "owner")}

    def custom_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.custom_names}


class MemberStatusForm(forms.Form):
    label = forms.CharField(label=_("Member status"), max_length=120)
    counts_as_responded = forms.BooleanField(label=_("Counts as responded"), required=False)
    is_default = forms.BooleanField(label=_("Default"), required=False)


class AddLeadsForm(forms.Form):
    """Add the leads chosen on the lead list to a campaign."""

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    status = forms.CharField(label=_("Member status"), required=False, help_text=_("Blank: the campaign's default."))

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
