"""Forms of lead routing: input shape and layout only; the services validate the business rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.criteria import OPERATOR_LABELS, OPERATORS, TYPE_OPERATORS, VALUELESS, field_specs
from emails.models import EmailTemplate

from ..fields import OBJECT_NAME
from ..models import Queue
from ..ownership import owner_from_key
from ..selectors import owner_choices
from .models import RuleEntry

SELECT_SM = {"class": "form-select form-select-sm"}
INPUT_SM = {"class": "form-control form-control-sm", "autocomplete": "off"}
EXTRA_ROWS = 3
MAX_ROWS = 25


def _active_users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class QueueForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    email = forms.EmailField(
        required=False, help_text="Notifications for leads assigned to the queue go here (else to every member)."
    )
    members = UserMultipleChoiceField(
        queryset=_active_users(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Users who see and accept the queue's leads. Hold Ctrl (⌘ on a Mac) to pick several.",
    )
    member_groups = forms.ModelMultipleChoiceField(
        label="Member role groups",
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text="Everyone in these role groups is a member too.",
    )


class RuleForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LeadSettingsForm(forms.Form):
    default_owner = forms.ChoiceField(
        label="Default lead owner",
        required=False,
        help_text="Gets the lead when no entry of the active assignment rule matches. "
        "Leave empty to keep the lead's owner.",
    )
    opportunity_required_on_convert = forms.BooleanField(
        label="Require an opportunity on conversion",
        required=False,
        help_text="Converting a lead must create an opportunity.",
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
            raise forms.ValidationError("Choose an active user or a queue.")
        return owner


def criteria_field_info() -> dict:
    """For the criteria rows' script: each field's type, fitting operators and picklist values."""
    owners = [[key, label] for _group, choices in owner_choices() for key, label in choices]
    return {
        name: {
            "type": spec.field_type,
            "operators": list(TYPE_OPERATORS.get(spec.field_type, ())),
            "values": owners
            if spec.field_type == "lookup"
            else [[api, label] for api, label in spec.picklist_labels.items()],
        }
        for name, spec in field_specs(OBJECT_NAME).items()
    }


class CriteriaRowsMixin:
    """Rows of (field, operator, value) criteria; blank rows are ignored."""

    def add_criteria_rows(self, rows: int) -> None:
        specs = field_specs(OBJECT_NAME)
        field_choices = [("", "--None--")] + [(name, spec.label) for name, spec in specs.items()]
        operator_choices = [("", "--None--")] + [(op, OPERATOR_LABELS[op]) for op in OPERATORS]
        self.rows = rows
        for n in range(1, rows + 1):
            self.fields[f"field_{n}"] = forms.ChoiceField(
                label=f"Field {n}",
                choices=field_choices,
                required=False,
                widget=forms.Select(attrs={**SELECT_SM, "data-criteria-field": n}),
            )
            self.fields[f"operator_{n}"] = forms.ChoiceField(
                label=f"Operator {n}",
                choices=operator_choices,
                required=False,
                widget=forms.Select(attrs={**SELECT_SM, "data-criteria-operator": n}),
            )
            self.fields[f"value_{n}"] = forms.CharField(
                label=f"Value {n}",
                max_length=2000,
                required=False,
                widget=forms.TextInput(attrs={**INPUT_SM, "data-criteria-value": n}),
            )

    def criteria_rows(self):
        return [(self[f"field_{n}"], self[f"operator_{n}"], self[f"value_{n}"], n) for n in range(1, self.rows + 1)]

    def clean_criteria_rows(self, cleaned: dict) -> list[dict]:
        criteria = []
        for n in range(1, self.rows + 1):
            field, operator = cleaned.get(f"field_{n}"), cleaned.get(f"operator_{n}")
            value = (cleaned.get(f"value_{n}") or "").strip()
            if not field and not operator and not value:
                continue
            if not field or not operator:
                self.add_error(f"field_{n}", f"Row {n}: choose a field and an operator.")
                continue
            if operator in VALUELESS:
                parsed = None
            elif operator in {"includes", "excludes"}:
                parsed = [v.strip() for v in value.split(",") if v.strip()]
            else:
                parsed = value
            criteria.append({"field": field, "operator": operator, "value": parsed})
        return criteria

    @staticmethod
    def criteria_initial(criteria: list) -> dict:
        initial = {}
        for n, criterion in enumerate(criteria or [], start=1):
            if not isinstance(criterion, dict):
                continue
            value = criterion.get("value")
            initial[f"field_{n}"] = criterion.get("field")
            initial[f"operator_{n}"] = criterion.get("operator")
            initial[f"value_{n}"] = ", ".join(value) if isinstance(value, list) else (value or "")
        return initial


class RuleEntryForm(CriteriaRowsMixin, forms.Form):
    """An entry: criteria rows, filter logic, whom to assign, notification template."""

    filter_logic = forms.CharField(
        max_length=1000,
        required=False,
        help_text="Optional, such as (1 AND 2) OR 3. Blank means every criterion must be met.",
    )
    do_not_reassign = forms.BooleanField(
        label="Do not reassign owner",
        required=False,
        help_text="A matching lead keeps its owner (later entries are not tried).",
    )
    assign_to = forms.ChoiceField(
        choices=RuleEntry.AssignTo.choices, widget=forms.RadioSelect, initial=RuleEntry.AssignTo.USER
    )
    assign_user = UserChoiceField(queryset=_active_users(), required=False, label="User")
    assign_queue = forms.ModelChoiceField(
        queryset=Queue.objects.order_by("name"), required=False, label="Queue", help_text="For a queue or round-robin."
    )
    assign_group = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"), required=False, label="Role group", help_text="For round-robin."
    )
    weighted = forms.BooleanField(
        label="Weighted by open leads",
        required=False,
        help_text="Round-robin: the available member holding the fewest open leads goes first.",
    )
    notification_template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.filter(is_active=True).order_by("name"),
        required=False,
        label="Notify the new owner with",
        help_text="An email template sent to the new owner (for a queue: its email, or else its members).",
    )

    def __init__(self, *args, rows: int = 5, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_criteria_rows(min(max(rows, 1), MAX_ROWS))

    @classmethod
    def rows_for(cls, entry: RuleEntry | None) -> int:
        return max(5, len(entry.criteria or []) + EXTRA_ROWS) if entry else 5

    @classmethod
    def initial_from(cls, entry: RuleEntry) -> dict:
        return {
            **cls.criteria_initial(entry.criteria),
            "filter_logic": entry.filter_logic,
            "do_not_reassign": entry.do_not_reassign,
            "assign_to": entry.assign_to,
            "assign_user": entry.assign_user_id,
            "assign_queue": entry.assign_queue_id,
            "assign_group": entry.assign_group_id,
            "weighted": entry.weighted,
            "notification_template": entry.notification_template_id,
        }

    def clean(self):
        cleaned = super().clean()
        cleaned["criteria"] = self.clean_criteria_rows(cleaned)
        return cleaned


class RuleTestForm(forms.Form):
    """Test a rule on a lead, or on typed field values."""

    lead = forms.IntegerField(
        required=False,
        label="Lead ID",
        help_text="Pick one of the latest leads or type a lead's ID (the number in the lead’s address, /leads/ID/). "
        "Leave empty to type field values instead.",
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
