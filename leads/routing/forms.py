"""Forms of lead routing: input shape and layout only; the services validate the business rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.criteria import field_specs
from core.roles import display_name
from core.rules import forms as rules_forms
from core.rules.forms import INPUT_SM, SELECT_SM
from emails.models import EmailTemplate

from ..fields import OBJECT_NAME
from ..models import Queue
from ..ownership import owner_from_key
from ..selectors import owner_choices
from .models import RuleEntry


def _active_users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class QueueForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    email = forms.EmailField(
        required=False, help_text=_("Notifications for leads assigned to the queue go here (else to every member).")
    )
    members = UserMultipleChoiceField(
        queryset=_active_users(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Users who see and accept the queue's leads. Hold Ctrl (⌘ on a Mac) to pick several."),
    )
    member_groups = forms.ModelMultipleChoiceField(
        label=_("Member role groups"),
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Everyone in these role groups is a member too."),
    )


class LeadSettingsForm(forms.Form):
    default_owner = forms.ChoiceField(
        label=_("Default lead owner"),
        required=False,
        help_text=_(
            "Gets the lead when no entry of the active assignment rule matches. Leave empty to keep the lead's owner."
        ),
    )
    opportunity_required_on_convert = forms.BooleanField(
        label=_("Require an opportunity on conversion"),
        required=False,
        help_text=_("Converting a lead must create an opportunity."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_owner"].choices = [("", "--None--"), *owner_choices()]

    def clean_default_owner(self):
        key = self.cleaned_data.get("default_owner") or ""
        if not key:
            return None
        owner = owner_from_key(key)
        if owner is None:
            raise forms.ValidationError(gettext("Choose an active user or a queue."))
        return owner


class RuleEntryForm(rules_forms.RuleEntryForm):
    """An entry: the criteria rows and filter logic (shared by every kind of rule), whom to
    assign, the notification template."""

    object_name = OBJECT_NAME

    do_not_reassign = forms.BooleanField(
        label=_("Do not reassign owner"),
        required=False,
        help_text=_("A matching lead keeps its owner (later entries are not tried)."),
    )
    assign_to = forms.ChoiceField(
        choices=RuleEntry.AssignTo.choices, widget=forms.RadioSelect, initial=RuleEntry.AssignTo.USER
    )
    assign_user = UserChoiceField(queryset=_active_users(), required=False, label=_("User"))
    assign_queue = forms.ModelChoiceField(
        queryset=Queue.objects.order_by("name"),
        required=False,
        label=_("Queue"),
        help_text=_("For a queue or round-robin."),
    )
    assign_group = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"), required=False, label=_("Role group"), help_text=_("For round-robin.")
    )
    weighted = forms.BooleanField(
        label=_("Weighted by open leads"),
        required=False,
        help_text=_("Round-robin: the available member holding the fewest open leads goes first."),
    )
    notification_template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.filter(is_active=True).order_by("name"),
        required=False,
        label=_("Notify the new owner with"),
        help_text=_("An email template sent to the new owner (for a queue: its email, or else its members)."),
    )

    @classmethod
    def action_initial(cls, entry: RuleEntry) -> dict:
        return {
            "do_not_reassign": entry.do_not_reassign,
            "assign_to": entry.assign_to,
            "assign_user": entry.assign_user_id,
            "assign_queue": entry.assign_queue_id,
            "assign_group": entry.assign_group_id,
            "weighted": entry.weighted,
            "notification_template": entry.notification_template_id,
        }

    def lookup_values(self) -> list[list[str]]:
        return [[key, label] for _group, choices in owner_choices() for key, label in choices]


class RuleTestForm(forms.Form):
    """Test a rule on a lead, or on typed field values."""

    lead = forms.IntegerField(
        required=False,
        label=_("Lead ID"),
        help_text=_(
            "Pick one of the latest leads or type a lead's ID (the number in the lead’s address, /leads/ID/). "
            "Leave empty to type field values instead."
        ),
        widget=forms.NumberInput(attrs={"list": "recent-leads", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        specs = field_specs(OBJECT_NAME)
        self.value_fields = []
        for name, spec in specs.items():
            if spec.field_type == "lookup":
                continue
            if spec.field_type == "picklist":
                field = forms.ChoiceField(
                    label=spec.label,
                    required=False,
                    choices=[("", "--None--"), *spec.picklist_labels.items()],
                    widget=forms.Select(attrs=SELECT_SM),
                )
            elif spec.field_type == "checkbox":
                field = forms.BooleanField(label=spec.label, required=False)
            else:
                field = forms.CharField(
                    label=spec.label, required=False, max_length=2000, widget=forms.TextInput(attrs=INPUT_SM)
                )
            self.fields[f"f_{name}"] = field
            self.value_fields.append(name)

    def record_values(self) -> dict:
        return {name: self.cleaned_data.get(f"f_{name}") for name in self.value_fields}

    def value_inputs(self):
        return [self[f"f_{name}"] for name in self.value_fields]


class SendToQueueForm(forms.Form):
    queue = forms.ModelChoiceField(
        queryset=Queue.objects.order_by("name"), widget=forms.Select(attrs={"autofocus": True})
    )
