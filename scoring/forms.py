"""Setup forms of scoring models and their rules; the services check the rules again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.rules.forms import RuleEntryForm
from core.selectors import picklist_values
from emails.models import EmailTemplate
from engagement.models import EngagementEvent
from leads.fields import OBJECT_NAME
from leads.models import Queue

from .models import POINTS_MAX, POINTS_MIN, StatusProgressionRule


class ScoringModelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    fit_weight = forms.IntegerField(
        label=_("Fit weight"), min_value=0, max_value=100, initial=50, help_text=_("Share of fit in the score.")
    )
    behaviour_weight = forms.IntegerField(
        label=_("Behaviour weight"),
        min_value=0,
        max_value=100,
        initial=50,
        help_text=_("Share of behaviour in the score."),
    )
    decay_half_life_days = forms.IntegerField(
        label=_("Decay half-life (days)"),
        min_value=0,
        max_value=3650,
        initial=30,
        help_text=_("Behaviour points halve after this many days; 0 means they never decay."),
    )
    is_active = forms.BooleanField(label=_("Active (scores leads)"), required=False, initial=True)
    is_default = forms.BooleanField(label=_("Default model"), required=False)
    mql_threshold = forms.IntegerField(
        label=_("MQL threshold"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("A lead whose score rises to this becomes a marketing-qualified lead; blank means never."),
    )
    mql_hysteresis = forms.IntegerField(
        label=_("MQL hysteresis"),
        min_value=0,
        max_value=100,
        initial=10,
        required=False,
        help_text=_("The lead qualifies again only after its score fell below the threshold minus this."),
    )
    mql_status = forms.ChoiceField(label=_("At MQL, set the status to"), required=False)
    mql_queue = forms.ModelChoiceField(
        label=_("At MQL, move the lead to the queue"), queryset=Queue.objects.order_by("name"), required=False
    )
    mql_notify_owner = forms.BooleanField(label=_("At MQL, email the owner"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mql_status"].choices = [("", _("(leave the status)"))] + [
            (v.api_name, v.label)
            for v in picklist_values(object_name=OBJECT_NAME, field_name="status", active_only=True)
            if not v.is_converted
        ]

    @staticmethod
    def initial_from(model) -> dict:
        if model is None:
            return {}
        fields = ScoringModelForm.base_fields
        return {name: getattr(model, name) for name in fields}


class FitRuleForm(RuleEntryForm):
    object_name = "lead"

    label = forms.CharField(label=_("Label"), max_length=120, required=False)
    points = forms.IntegerField(
        label=_("Points"),
        min_value=POINTS_MIN,
        max_value=POINTS_MAX,
        help_text=_("Added to the fit score of every lead that meets the criteria (negative to subtract)."),
    )

    @classmethod
    def action_initial(cls, entry) -> dict:
        return {"label": entry.label, "points": entry.points}


class EventRuleForm(forms.Form):
    """Which engagement events a behaviour or velocity rule counts."""

    label = forms.CharField(label=_("Label"), max_length=120, required=False)
    event_type = forms.ChoiceField(label=_("Event type"), choices=EngagementEvent.Type.choices)
    url_pattern = forms.CharField(
        label=_("URL pattern"),
        max_length=500,
        required=False,
        help_text=_("Optional. The event's URL must contain this text; * stands for any text."),
    )


class BehaviourRuleForm(EventRuleForm):
    points = forms.IntegerField(label=_("Points per event"), min_value=POINTS_MIN, max_value=POINTS_MAX)
    daily_cap = forms.IntegerField(
        label=_("Cap per day"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("At most this many points per day from this rule; blank means no cap."),
    )


class VelocityRuleForm(EventRuleForm):
    min_events = forms.IntegerField(
        label=_("Events"), min_value=2, max_value=1000, help_text=_("How many events make the burst.")
    )
    window_days = forms.IntegerField(label=_("Within days"), min_value=1, max_value=365)
    points = forms.IntegerField(
        label=_("Points"),
        min_value=POINTS_MIN,
        max_value=POINTS_MAX,
        help_text=_("Given once for the lead's latest burst; they decay from its end like behaviour points."),
    )


class ProgressionRuleForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=120, required=False)
    from_status = forms.ChoiceField(label=_("From status"))
    to_status = forms.ChoiceField(label=_("To status"))
    comparison = forms.ChoiceField(label=_("Time taken"), choices=StatusProgressionRule.Comparison.choices)
    threshold = forms.IntegerField(label=_("Threshold"), min_value=1, max_value=8760)
    unit = forms.ChoiceField(label=_("Unit"), choices=StatusProgressionRule.Unit.choices)
    points = forms.IntegerField(
        label=_("Points"),
        min_value=POINTS_MIN,
        max_value=POINTS_MAX,
        help_text=_(
            "Within: the lead reached the second status in at most this time. Over: it took longer, or is still "
            "waiting longer."
        ),
    )

    def __init__(self, *args, status_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("from_status", "to_status"):
            self.fields[name].choices = status_choices


class AlertRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    event_type = forms.ChoiceField(label=_("Event type"), choices=EngagementEvent.Type.choices)
    url_pattern = forms.CharField(
        label=_("URL pattern"),
        max_length=500,
        required=False,
        help_text=_("Optional. The event's URL must contain this text; * stands for any text."),
    )
    template = forms.ModelChoiceField(
        label=_("Email template"),
        queryset=EmailTemplate.objects.order_by("name"),
        required=False,
        help_text=_("Optional. Only opens and clicks of emails sent from this template count."),
    )
    min_events = forms.IntegerField(label=_("Number of events"), min_value=1, max_value=1000, initial=5)
    window_hours = forms.IntegerField(label=_("Within hours"), min_value=1, max_value=24 * 90, initial=24)
    notify_queue = forms.ModelChoiceField(
        label=_("Notify the queue"),
        queryset=Queue.objects.order_by("name"),
        required=False,
        help_text=_("Blank: the lead's owner is emailed."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @staticmethod
    def initial_from(rule) -> dict:
        if rule is None:
            return {}
        return {name: getattr(rule, name) for name in AlertRuleForm.base_fields}
