"""Input shapes of the Web-to-Lead setup pages (the services validate the business rules)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.fields import picklist_choices
from core.roles import display_name

from .models import WebToLeadForm, WebToLeadSettings


class WebToLeadSettingsForm(forms.ModelForm):
    default_creator = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("Default lead creator"),
        help_text=_("Creates web leads, owns them when no assignment rule applies, and hears about the daily limit."),
    )

    class Meta:
        model = WebToLeadSettings
        fields = [
            "enabled",
            "default_creator",
            "daily_limit",
            "allowed_return_domains",
            "honeypot_enabled",
            "min_fill_seconds",
            "rate_limit_per_minute",
        ]
        widgets = {"allowed_return_domains": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_creator"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        )
        self.fields["default_creator"].label_from_instance = display_name
        self.fields["enabled"].help_text = "Turn off to refuse every web form submission (they are still logged)."
        if templates is not None:
            self.fields["default_template"] = forms.ModelChoiceField(
                queryset=templates,
                required=False,
                label=_("Default response template"),
                help_text=_("Sent to web leads when no auto-response rule entry matches."),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False


class WebToLeadFormForm(forms.ModelForm):
    """The form's own settings; the field table of the builder is read by the view."""

    lead_source = forms.ChoiceField(required=False, label=_("Default lead source"))
    return_url = forms.URLField(required=False, max_length=500, assume_scheme="https", label=_("Return URL"))

    class Meta:
        model = WebToLeadForm
        fields = [
            "name",
            "lead_source",
            "campaign",
            "return_url",
            "run_assignment",
            "send_autoresponse",
            "submit_label",
            "language",
            "salesforce_oid",
            "is_active",
        ]
        help_texts = {
            "campaign": "Sent with every submission as Campaign_ID and kept on its intake record.",
            "return_url": "Where visitors go after submitting. Its domain must be allowed in the settings.",
            "run_assignment": "The active assignment rule picks the owner; otherwise the default lead creator owns it.",
            "send_autoresponse": "The active auto-response rule emails the visitor.",
            "salesforce_oid": (
                "For a form moved from Salesforce: its oid value (15 or 18 characters), so the unchanged form "
                "finds this one."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.lead_source if self.instance and self.instance.pk else None
        self.fields["lead_source"].choices = picklist_choices("lead", "lead_source", current=current)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the visitor pages"),
            required=False,
            choices=[("", _("The visitor's browser language")), *settings.LANGUAGES],
            help_text=_("The thank-you and error pages a visitor sees after submitting."),
            initial=self.instance.language if self.instance and self.instance.pk else "",
        )
        self.fields["name"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.form_tag = False
