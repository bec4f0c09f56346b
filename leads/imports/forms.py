"""Forms of the lead import: the upload and the mapping step. They shape input; services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext, gettext_lazy

from core.fields import picklist_choices
from core.roles import display_name, is_marketing_admin

from ..fields import OBJECT_NAME
from .models import LeadImport
from .parsing import CAMPAIGN_COLUMN, ID_COLUMN, MAX_BYTES, importable_fields
from .services import OPTION_DEFAULTS, OPTION_MAX_LENGTHS


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class LeadImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or Windows-1252; comma, semicolon or tab separated) or Excel .xlsx, up to "
            "1,000,000 rows. The first row names the columns, such as First Name, Last Name, Company, Email."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,text/csv,.txt,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "autofocus": True,
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(MAX_BYTES)s MB. Split it and import the parts.")
                % {"MAX_BYTES": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class LeadImportMappingForm(forms.Form):
    """One select per column of the file (a lead field or skip), then the import options."""

    mode = forms.ChoiceField(
        required=False,
        label=gettext_lazy("What to do"),
        choices=LeadImport.Mode.choices,
        initial=LeadImport.Mode.INSERT,
    )
    match_by = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Match existing leads by"),
        choices=LeadImport.MatchBy.choices,
        initial=LeadImport.MatchBy.EMAIL,
        help_text=gettext_lazy("For updates: the column that finds the lead a row belongs to."),
    )
    external_id_field = forms.ChoiceField(
        label=gettext_lazy("External id field"),
        required=False,
        help_text=gettext_lazy("The custom field holding the other system's id, when matching by external id."),
    )
    on_match = forms.ChoiceField(
        required=False,
        label=gettext_lazy("When a row matches a lead"),
        choices=LeadImport.OnMatch.choices,
        initial=LeadImport.OnMatch.SKIP,
    )
    run_assignment = forms.BooleanField(
        label=gettext_lazy("Assign using active assignment rule"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Each new lead goes through the active assignment rule, as leads from Web-to-Lead do."),
    )
    send_autoresponse = forms.BooleanField(
        label=gettext_lazy("Send auto-response email"),
        required=False,
        initial=False,
        help_text=gettext_lazy(
            "Leads with an email address get the auto-response chosen by the active auto-response rule."
        ),
    )
    default_lead_source = forms.ChoiceField(
        label=gettext_lazy("Default lead source"),
        required=False,
        help_text=gettext_lazy("Used for rows whose Lead Source cell is empty or not mapped."),
    )

    default_status = forms.ChoiceField(
        label=gettext_lazy("Default status"),
        required=False,
        help_text=gettext_lazy("Used for new leads whose Status cell is empty or not mapped."),
    )
    template_name = forms.CharField(
        label=gettext_lazy("Save this mapping as a template"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("A file with the same columns is mapped this way next time."),
    )

    # The services check the options (lengths, picklist values, choices); the fields shape the page.
    campaign = forms.CharField(
        label=gettext_lazy("Campaign"),
        widget=forms.TextInput(attrs={"maxlength": OPTION_MAX_LENGTHS["campaign"]}),
        required=False,
        help_text=gettext_lazy(
            "The campaign every new lead joins: its id, tracking code or name. A column mapped to "
            "Campaign names the campaign of its row instead."
        ),
    )
    campaign_status = forms.CharField(
        label=gettext_lazy("Member status"),
        widget=forms.TextInput(attrs={"maxlength": OPTION_MAX_LENGTHS["campaign_status"]}),
        required=False,
        help_text=gettext_lazy(
            "The campaign member status the leads get, such as Sent or Responded (blank: the default)."
        ),
    )

    def __init__(self, *args, lead_import: LeadImport, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_import = lead_import
        fields = importable_fields()
        choices = [("", gettext("— Skip this column —"))]
        choices += [(d.api_name, f"{d.label}{' (custom)' if d.is_custom else ''}") for d in fields]
        choices.append((CAMPAIGN_COLUMN, gettext("Campaign (id, tracking code or name)")))
        choices.append((ID_COLUMN, gettext("Lead Id (to match existing leads)")))
        self.column_names = []
        for index, header in enumerate(lead_import.headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or f"Column {index + 1}",
                choices=choices,
                required=False,
                initial=lead_import.mapping[index] if index < len(lead_import.mapping) else "",
            )
            self.column_names.append(name)
        self.fields["default_lead_source"].choices = picklist_choices(OBJECT_NAME, "lead_source")
        self.fields["default_status"].choices = picklist_choices(OBJECT_NAME, "status")
        self.fields["external_id_field"].choices = [("", "—")] + [(d.api_name, d.label) for d in fields if d.is_custom]
        for name in ("mode", "match_by", "external_id_field", "on_match", "default_status", "default_lead_source"):
            value = getattr(lead_import, name, "")
            if value:
                self.fields[name].initial = value
        if is_marketing_admin(user):
            self.fields["owner"] = UserChoiceField(
                queryset=get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name"),
                label=gettext_lazy("Owner when no rule assigns"),
                initial=user.pk,
                help_text=gettext_lazy("Owns the new leads unless the assignment rule routes them elsewhere."),
            )

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(name, "") for name in self.column_names]

    def column_fields(self):
        return [self[name] for name in self.column_names]

    OPTION_NAMES = tuple(OPTION_DEFAULTS)

    def options(self) -> dict:
        """The import options as the services take them."""
        return {name: self.cleaned_data.get(name) for name in self.OPTION_NAMES}

    def option_fields(self):
        return [self[name] for name in self.fields if name not in self.column_names]
