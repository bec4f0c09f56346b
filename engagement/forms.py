from django import forms

from .models import EngagementSettings


class EngagementSettingsForm(forms.ModelForm):
    class Meta:
        model = EngagementSettings
        fields = ["tracking_enabled", "email_tracking_enabled", "rate_limit_per_minute"]
