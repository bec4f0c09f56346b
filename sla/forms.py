"""Forms of the SLA pages: input shape only; services validate and save."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.rules.forms import RuleEntryForm
from leads.models import Queue

from .models import BusinessHours

DAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


class BusinessHoursForm(forms.Form):
    """Name, time zone, default flag and an opening and closing time per weekday (blank: closed)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, initial="UTC", help_text=_("Such as Europe/Paris.")
    )
    is_default = forms.BooleanField(label=_("Default business hours"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, day in enumerate(DAYS):
            self.fields[f"opens_{index}"] = forms.TimeField(
                label=_("%(day)s opens") % {"day": day}, required=False, widget=forms.TimeInput(attrs={"type": "time"})
            )
            self.fields[f"closes_{index}"] = forms.TimeField(
                label=_("%(day)s closes") % {"day": day}, required=False, widget=forms.TimeInput(attrs={"type": "time"})
            )

    @classmethod
    def initial_of(cls, business_hours: BusinessHours | None) -> dict:
        if business_hours is None:
            week = [["09:00", "17:00"]] * 5 + [None, None]
            return {"time_zone": "UTC", **cls._days(week)}
        return {
            "name": business_hours.name,
            "time_zone": business_hours.time_zone,
            "is_default": business_hours.is_default,
            **cls._days(business_hours.weekly_hours),
        }

    @staticmethod
    def _days(week) -> dict:
        values = {}
        for index, day in enumerate(week):
            values[f"opens_{index}"] = day[0] if day else None
            values[f"closes_{index}"] = day[1] if day else None
        return values

    def weekly_hours(self) -> list:
        week = []
        for index in range(7):
            opens, closes = self.cleaned_data.get(f"opens_{index}"), self.cleaned_data.get(f"closes_{index}")
            week.append([opens.strftime("%H:%M"), closes.strftime("%H:%M")] if opens and closes else None)
        return week

    def day_rows(self):
        return [(day, self[f"opens_{i}"], self[f"closes_{i}"]) for i, day in enumerate(DAYS)]


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120, required=False)


class SlaPolicyForm(RuleEntryForm):
    """An SLA policy: the criteria (shared by every kind of rule), the first-touch time and what
    happens on a breach."""

    object_name = "lead"

    sort_order = forms.IntegerField(label=_("Order"), min_value=1, required=False, help_text=_("1 is evaluated first."))
    name = forms.CharField(label=_("Policy name"), max_length=120)
    business_hours = forms.ModelChoiceField(label=_("Business hours"), queryset=BusinessHours.objects.order_by("name"))
    first_touch_hours = forms.DecimalField(
        label=_("First touch within (business hours)"), min_value=0.01, max_value=9999, decimal_places=2
    )
    notify_owner = forms.BooleanField(label=_("On breach, notify the owner"), required=False, initial=True)
    notify_user = forms.ModelChoiceField(
        label=_("On breach, notify a manager"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
    )
    reassign = forms.BooleanField(label=_("On breach, reassign by the active assignment rule"), required=False)
    move_to_queue = forms.ModelChoiceField(
        label=_("On breach, move to queue"), queryset=Queue.objects.order_by("name"), required=False
    )

    @classmethod
    def action_initial(cls, entry) -> dict:
        return {
            "name": entry.name,
            "business_hours": entry.business_hours_id,
            "first_touch_hours": entry.first_touch_hours,
            "notify_owner": entry.notify_owner,
            "notify_user": entry.notify_user_id,
            "reassign": entry.reassign,
            "move_to_queue": entry.move_to_queue_id,
        }
