"""Input shape of the activity forms on record pages; the rules live in the services."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Call, Task


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TaskForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    due_date = forms.DateField(label=_("Due Date"), required=False, widget=DateInput)
    priority = forms.ChoiceField(label=_("Priority"), choices=Task.Priority.choices, initial=Task.Priority.NORMAL)
    reminder_at = forms.DateTimeField(label=_("Reminder"), required=False, widget=DateTimeInput)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CallForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255, initial=_("Call"))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Call.Outcome.choices, initial=Call.Outcome.CONNECTED)
    duration_seconds = forms.IntegerField(label=_("Duration (seconds)"), min_value=0, initial=0, required=False)
    called_at = forms.DateTimeField(label=_("Called At"), required=False, widget=DateTimeInput)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EventForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    start_at = forms.DateTimeField(label=_("Start"), widget=DateTimeInput)
    end_at = forms.DateTimeField(label=_("End"), widget=DateTimeInput)
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
