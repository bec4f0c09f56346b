from collections.abc import Iterable, Mapping

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .auth import client_address, login_failed, login_succeeded, login_wait, throttled_message
from .locale import time_zone_names


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, slowing down repeated failures per (account, address) and per address."""

    def clean(self):
        username = self.cleaned_data.get("username", "")
        address = client_address(self.request)
        wait = login_wait(username, address)
        if wait:
            raise forms.ValidationError(throttled_message(wait), code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failed(username, address)
            raise
        login_succeeded(username, address)
        return cleaned


# Setup forms: they shape input only; the services in core.services validate and write. -------------


def apply_service_errors(
    form: forms.Form, exc: ValidationError, *, field_map: Mapping[str, str] | None = None, form_wide: Iterable[str] = ()
) -> None:
    """Map a service's ValidationError onto the form: known fields get their messages, the rest
    become form-wide errors. ``field_map`` renames a service's keys to the form's fields where the
    two differ; the fields in ``form_wide`` show their errors at the top of the form instead."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    field_map = field_map or {}
    on_top = set(form_wide)
    for key, messages in exc.message_dict.items():
        field = field_map.get(key, key)
        form.add_error(field if field in form.fields and field not in on_top else None, messages)


def errors_as_text(form: forms.Form) -> str:
    """A form's errors as one sentence per field ("Phone: Enter a valid value."), for a message."""
    parts = []
    for name, errors in form.errors.items():
        label = form[name].label if name in form.fields else None
        text = " ".join(errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


class PicklistValueForm(forms.Form):
    """Add or relabel a picklist value; only the flags that matter for the picklist are shown."""

    label = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    api_name = forms.CharField(
        label=_("API name"),
        max_length=120,
        required=False,
        help_text=_("Stored on records. Leave blank to use the label; it cannot change later."),
    )
    is_converted = forms.BooleanField(
        label=_("Converted"), required=False, help_text=_("Leads converted into an account get this status.")
    )
    is_closed = forms.BooleanField(label=_("Closed"), required=False, help_text=_("The opportunity is finished."))
    is_won = forms.BooleanField(label=_("Won"), required=False, help_text=_("A closed stage that counts as a sale."))
    probability = forms.IntegerField(
        label=_("Probability (%)"), required=False, min_value=0, max_value=100, help_text=_("Between 0 and 100.")
    )

    def __init__(self, *args, flags: tuple[str, ...] = (), with_api_name: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for flag in ("is_converted", "is_closed", "is_won", "probability"):
            if flag not in flags:
                del self.fields[flag]
        if not with_api_name:
            del self.fields["api_name"]
        self.fields["label"].widget.attrs["autofocus"] = True


class PicklistReplacementForm(forms.Form):
    """Delete a value: records that hold it move to the chosen replacement."""

    replacement = forms.TypedChoiceField(
        coerce=int,
        required=False,
        label=_("Replace with"),
        help_text=_("Records that hold the deleted value get this value instead."),
    )

    def __init__(self, *args, choices: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].choices = [("", "--Choose a value--"), *choices]
        self.fields["replacement"].widget.attrs["autofocus"] = True


class CustomFieldForm(forms.Form):
    """New Custom Field."""

    label = forms.CharField(max_length=120, help_text=_("What users see on forms and record pages."))
    api_name = forms.CharField(
        label=_("API name"),
        max_length=63,
        required=False,
        help_text=_("Used by the API, imports and merge fields. Filled from the label; ends with __c."),
    )
    field_type = forms.ChoiceField(label=_("Type"), choices=())
    is_required = forms.BooleanField(
        label=_("Required"), required=False, help_text=_("Records cannot be saved without it.")
    )
    default_value = forms.CharField(
        label=_("Default value"),
        required=False,
        max_length=500,
        help_text=_(
            "Given to new records. Dates as YYYY-MM-DD, checkboxes as true/false, picklists as one of the values."
        ),
    )
    picklist_values = forms.CharField(
        label=_("Picklist values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Picklists only: one value per line, in the order users should see them."),
    )
    help_text = forms.CharField(
        label=_("Help text"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown beside the field on forms."),
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For admins: what the field holds and how it is used."),
    )
    requested_by = forms.CharField(
        label=_("Requested by"), required=False, max_length=200, help_text=_("Who asked for the field.")
    )
    purpose = forms.CharField(required=False, max_length=500, help_text=_("What the field is for."))

    def __init__(self, *args, **kwargs):
        from .services import CUSTOM_FIELD_TYPES

        super().__init__(*args, **kwargs)
        self.fields["field_type"].choices = [("", "--Choose a type--")] + [
            (t.value, t.label) for t in CUSTOM_FIELD_TYPES
        ]
        self.fields["label"].widget.attrs["autofocus"] = True

    def picklist_lines(self) -> list[str]:
        return [line for line in self.cleaned_data.get("picklist_values", "").splitlines() if line.strip()]


class FieldEditForm(forms.Form):
    """Edit a field's label, help text and description; required/default/active for custom fields."""

    label = forms.CharField(max_length=120)
    help_text = forms.CharField(
        label=_("Help text"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown beside the field on forms."),
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For admins: what the field holds and how it is used."),
    )
    requested_by = forms.CharField(
        label=_("Requested by"), required=False, max_length=200, help_text=_("Who asked for the field.")
    )
    purpose = forms.CharField(required=False, max_length=500, help_text=_("What the field is for."))
    is_required = forms.BooleanField(label=_("Required"), required=False)
    default_value = forms.CharField(label=_("Default value"), required=False, max_length=500)
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Inactive fields are hidden from forms, pages and the API.")
    )
    salesforce_id = forms.CharField(
        label=_("Salesforce field id"),
        required=False,
        max_length=18,
        help_text=_(
            "For a field moved from Salesforce: its id (00N…), so that forms and data that name it still fill it."
        ),
    )

    def __init__(self, *args, definition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].widget.attrs["autofocus"] = True
        if not definition.is_custom:
            for name in ("is_required", "default_value", "is_active", "salesforce_id"):
                del self.fields[name]
        elif definition.field_type == "picklist":
            from .fields import picklist_choices

            self.fields["default_value"] = forms.ChoiceField(
                label=_("Default value"),
                required=False,
                choices=picklist_choices(definition.object_name, definition.api_name, blank=True),
            )


class SharingForm(forms.Form):
    lead_access = forms.ChoiceField(label=_("Default access for leads"), widget=forms.RadioSelect, choices=())

    def __init__(self, *args, **kwargs):
        from .models import OrgSettings

        super().__init__(*args, **kwargs)
        self.fields["lead_access"].choices = OrgSettings.LeadAccess.choices


def language_choices() -> list[tuple[str, str]]:
    """The app's languages, each in its own words, after "the browser's language"."""
    return [("", _("The browser's language")), *settings.LANGUAGES]


def time_zone_choices() -> list[tuple[str, str]]:
    default = _("The organisation's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}
    return [("", default), *((name, name.replace("_", " ")) for name in time_zone_names())]


class ProfileForm(forms.Form):
    """My profile: the user's name, email, language, time zone and email signature."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"))
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), required=False, help_text=_("Dates and times are shown in this time zone.")
    )
    email_signature = forms.CharField(
        label=_("Email signature"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Added below the emails you write to leads."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        self.fields["time_zone"].choices = time_zone_choices()
