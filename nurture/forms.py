"""Forms of the nurture pages: input shape and layout only (the services validate)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.criteria import field_specs
from core.forms import time_zone_choices
from core.rules.forms import RuleEntryForm
from core.selectors import picklist_values
from emails.models import EmailTemplate
from leads.models import Queue

from .models import WEEKDAYS, NurtureSequence, NurtureStep


def _status_choices():
    return [(v.api_name, v.label) for v in picklist_values(object_name="lead", field_name="status", active_only=True)]


class SequenceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    lead_statuses = forms.MultipleChoiceField(
        label=_("Lead statuses"),
        required=False,
        help_text=_("A lead exits when its status is none of these (none chosen: any status)."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)
    use_lead_time_zone = forms.BooleanField(
        label=_("Use the lead's time zone"),
        required=False,
        help_text=_("Read the lead's Time_Zone__c field (an IANA name such as Europe/Paris) when it has one."),
    )
    send_window_start = forms.TimeField(
        label=_("Send from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    send_window_end = forms.TimeField(
        label=_("Send until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    send_days = forms.TypedMultipleChoiceField(
        label=_("Send on"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every day."),
    )
    from_name = forms.CharField(label=_("From name"), max_length=120, required=False)
    from_address = forms.EmailField(label=_("From address"), required=False)
    reply_to = forms.EmailField(label=_("Reply-to"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_statuses"].choices = _status_choices()
        self.fields["time_zone"].choices = time_zone_choices()

    @staticmethod
    def initial_for(sequence: NurtureSequence) -> dict:
        return {f: getattr(sequence, f) for f in SequenceForm.base_fields}


class StepForm(forms.Form):
    """Every kind's fields; the page shows those of the chosen kind (static/js/nurture_builder.js)."""

    kind = forms.ChoiceField(label=_("Step"), choices=NurtureStep.Kind.choices)
    template = forms.ModelChoiceField(label=_("Email template"), queryset=EmailTemplate.objects.none(), required=False)
    wait_days = forms.IntegerField(label=_("Days"), min_value=0, required=False)
    wait_hours = forms.IntegerField(label=_("Hours"), min_value=0, required=False)
    wait_weekday = forms.TypedChoiceField(
        label=_("Or until weekday"), choices=[("", "—"), *WEEKDAYS], coerce=int, empty_value=None, required=False
    )
    wait_time = forms.TimeField(label=_("At time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    condition = forms.ChoiceField(
        label=_("Condition"), choices=[("", "—"), *NurtureStep.Condition.choices], required=False
    )
    criteria_field = forms.CharField(
        label=_("Field (API name)"), required=False, help_text=_("e.g. Industry, LeadSource")
    )
    criteria_operator = forms.ChoiceField(
        label=_("Operator"),
        required=False,
        choices=[("equals", _("equals")), ("not_equal", _("not equal to")), ("contains", _("contains"))],
    )
    criteria_value = forms.CharField(label=_("Value"), required=False)
    score_min = forms.IntegerField(label=_("Minimum score"), min_value=0, max_value=100, required=False)
    ref_step = forms.ModelChoiceField(label=_("Email step"), queryset=NurtureStep.objects.none(), required=False)
    else_step = forms.ModelChoiceField(
        label=_("Otherwise go to"),
        queryset=NurtureStep.objects.none(),
        required=False,
        empty_label=_("Exit the sequence"),
    )
    action = forms.ChoiceField(label=_("Action"), choices=[("", "—"), *NurtureStep.Action.choices], required=False)
    action_status = forms.ChoiceField(label=_("New status"), required=False)
    action_queue = forms.ModelChoiceField(label=_("Queue"), queryset=Queue.objects.all(), required=False)
    action_campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)

    def __init__(self, *args, sequence: NurtureSequence, **kwargs):
        super().__init__(*args, **kwargs)
        from campaigns.models import Campaign

        self.fields["template"].queryset = EmailTemplate.objects.filter(is_active=True).order_by("name")
        steps = sequence.steps.order_by("position")
        self.fields["ref_step"].queryset = steps.filter(kind=NurtureStep.Kind.EMAIL)
        self.fields["else_step"].queryset = steps
        self.fields["action_status"].choices = [("", "—"), *_status_choices()]
        self.fields["criteria_field"].choices = [("", "—")] + [
            (api_name, spec.label)
            for api_name, spec in sorted(field_specs("lead").items(), key=lambda i: str(i[1].label))
        ]
        self.fields["action_campaign"].queryset = Campaign.objects.filter(is_active=True).order_by("name")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        field, op, value = (
            data.pop("criteria_field", ""),
            data.pop("criteria_operator", ""),
            data.pop("criteria_value", ""),
        )
        data["criteria"] = [{"field": field.strip(), "operator": op, "value": value}] if field else []
        return data

    @staticmethod
    def initial_for(step: NurtureStep) -> dict:
        initial = {f: getattr(step, f) for f in StepForm.base_fields if hasattr(step, f) and f != "criteria"}
        if step.criteria:
            first = step.criteria[0]
            initial.update(
                criteria_field=first.get("field", ""),
                criteria_operator=first.get("operator", ""),
                criteria_value=first.get("value", ""),
            )
        return initial


class EnrolLeadsForm(forms.Form):
    sequence = forms.ModelChoiceField(label=_("Sequence"), queryset=NurtureSequence.objects.none())

    def __init__(self, *args, sequences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sequence"].queryset = sequences


class EnrolmentEntryForm(RuleEntryForm):
    """An enrolment rule entry: the criteria rows (shared by every kind of rule) and the sequence."""

    object_name = "lead"

    sort_order = forms.IntegerField(label=_("Order"), min_value=1, required=False, help_text=_("1 is evaluated first."))
    sequence = forms.ModelChoiceField(
        label=_("Sequence"),
        queryset=NurtureSequence.objects.exclude(status=NurtureSequence.Status.DRAFT).order_by("name"),
        help_text=_("The sequence a matching lead is enrolled in, once."),
    )

    @classmethod
    def action_initial(cls, entry) -> dict:
        return {"sequence": entry.sequence_id}
