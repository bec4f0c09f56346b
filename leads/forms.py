"""Forms of the lead pages: input shape and layout only; the services validate and write."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.fields import field_help_text, field_label, form_field, form_initial, picklist_choices
from core.forms import apply_service_errors
from core.models import FieldDefinition, PicklistValue
from core.selectors import field_definitions, picklist_default

from .fields import OBJECT_NAME, PICKLIST_FIELDS, SECTIONS, STANDARD_FIELDS, WRITABLE_FIELDS
from .models import Lead
from .processes.selectors import (
    ALWAYS_SHOWN,
    layout_sections,
    lead_process_statuses,
    lead_record_type_default,
    lead_record_type_of,
    lead_record_types,
    lead_record_types_for,
)
from .selectors import owner_choices

MAX_MASS_IDS = 500


def _standard_field(
    api: str,
    ftype: str,
    definition: FieldDefinition | None,
    default_label: str,
    lead: Lead | None,
    offered_statuses: list[str] | None = None,
):
    label = field_label(definition) if definition else gettext(default_label)
    help_text = field_help_text(definition) if definition else ""
    required = api in {"last_name", "company", "status"}
    common = {"label": label, "help_text": help_text, "required": required}
    model_field = Lead._meta.get_field(api)
    if api in PICKLIST_FIELDS:
        current = getattr(lead, api) if lead else None
        choices = picklist_choices(OBJECT_NAME, api, current=current, blank=not required)
        if api == "status":
            # A converted status is reached by converting the lead (the service refuses it here).
            converted = set(
                PicklistValue.objects.filter(
                    object_name=OBJECT_NAME, field_name="status", is_converted=True
                ).values_list("api_name", flat=True)
            )
            choices = [(value, label) for value, label in choices if value not in converted or value == current]
            if offered_statuses is not None:
                # The record type's process decides which statuses are offered, in its order.
                by_value = dict(choices)
                keep = [*offered_statuses, *([current] if current and current not in offered_statuses else [])]
                choices = [(value, by_value[value]) for value in keep if value in by_value]
        return forms.ChoiceField(choices=choices, **common)
    if ftype == "checkbox":
        common["required"] = False
        return forms.BooleanField(**common)
    if api == "annual_revenue":
        return forms.DecimalField(max_digits=18, decimal_places=2, **common)
    if api == "number_of_employees":
        return forms.IntegerField(min_value=0, **common)
    if ftype == "textarea":
        rows = 2 if api == "street" else 4
        return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), max_length=model_field.max_length, **common)
    widget = {
        "email": forms.EmailInput(),
        "phone": forms.TextInput(attrs={"type": "tel"}),
    }.get(ftype, forms.TextInput())
    return forms.CharField(widget=widget, max_length=model_field.max_length, **common)


class LeadForm(forms.Form):
    """The lead's standard and custom fields, laid out in the record page's sections.

    ``only`` limits the form to some fields (the inline edit of one field). On create the form
    offers the owner; on edit it carries the version the user started from.
    """

    def __init__(
        self, *args, lead: Lead | None = None, only: list[str] | None = None, user=None, record_type=None, **kwargs
    ):
        self.lead = lead
        self.only = only
        # The record type decides the statuses offered and, on the full form, the sections shown.
        if record_type is None:
            record_type = lead_record_type_of(lead) if lead is not None else lead_record_type_default(user=user)
        self.record_type = record_type
        self.sections = layout_sections(record_type)
        definitions = {d.api_name: d for d in field_definitions(object_name=OBJECT_NAME)}
        self.custom_definitions = [d for d in definitions.values() if d.is_custom]
        if only is None and "custom" not in self.sections:
            self.custom_definitions = []
        if lead is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(lead)
        super().__init__(*args, **kwargs)
        offered = lead_process_statuses(record_type)
        for api, label, ftype, _required, section, _help in STANDARD_FIELDS:
            if api not in WRITABLE_FIELDS or (only is not None and api not in only):
                continue
            if only is None and section not in self.sections and api not in ALWAYS_SHOWN:
                # A section the record type's layout leaves out is not on the form (nor saved).
                continue
            self.fields[api] = _standard_field(api, ftype, definitions.get(api), label, lead, offered)
        for definition in self.custom_definitions:
            if only is None or definition.api_name in only:
                current = (lead.custom_fields or {}).get(definition.api_name) if lead else None
                self.fields[definition.api_name] = form_field(definition, current=current)
        if lead is None and only is None:
            self.fields["owner"] = forms.ChoiceField(
                label=field_label(definitions["owner"]) if "owner" in definitions else _("Lead Owner"),
                help_text=field_help_text(definitions["owner"]) if "owner" in definitions else "",
                choices=owner_choices(),
            )
            if user is not None and "owner" not in self.initial:
                self.initial["owner"] = f"user:{user.pk}"
            # A new lead starts with each picklist's default and each custom field's default.
            for api in PICKLIST_FIELDS:
                if api in self.fields and api not in self.initial:
                    self.initial[api] = picklist_default(object_name=OBJECT_NAME, field_name=api)
            for definition in self.custom_definitions:
                if definition.default_value is not None and definition.api_name not in self.initial:
                    self.initial[definition.api_name] = form_initial(definition, definition.default_value)
        if lead is not None and only is None:
            # The record types the user's roles may use; the lead keeps its own whatever it is.
            offered = lead_record_types_for(user=user) if user is not None else lead_record_types()
            if lead.record_type_id:
                offered = offered | lead_record_types(active_only=False).filter(pk=lead.record_type_id)
            choices = list(offered.distinct().values_list("pk", "name"))
            if len(choices) > 1:
                # Changing the record type changes the statuses offered: the service checks the
                # status against the new process.
                self.fields["record_type"] = forms.TypedChoiceField(
                    label=_("Lead Record Type"), choices=choices, coerce=int, required=False
                )
                self.initial.setdefault("record_type", record_type.pk if record_type is not None else None)
        if lead is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput(), min_value=1)
            self.initial.setdefault("version", lead.version)
        if only is None:
            self.fields["use_assignment_rule"] = forms.BooleanField(
                label=_("Assign using active assignment rule"),
                required=False,
                help_text=_("The active lead assignment rule chooses the owner when you save."),
            )
        if lead is None and only is None:
            self.fields["send_autoresponse"] = forms.BooleanField(
                label=_("Send the auto-response email"),
                required=False,
                help_text=_("The lead gets the email the active auto-response rule chooses for it."),
            )
        for name, field in self.fields.items():
            # Crispy prints help text unescaped; admins type it, so it is escaped here.
            field.help_text = conditional_escape(field.help_text)
            if field.required and name != "version":
                field.widget.attrs["aria-required"] = "true"

    @staticmethod
    def _initial(lead: Lead) -> dict:
        initial = {api: getattr(lead, api) for api in WRITABLE_FIELDS}
        for definition in field_definitions(object_name=OBJECT_NAME, custom_only=True):
            initial[definition.api_name] = form_initial(definition, (lead.custom_fields or {}).get(definition.api_name))
        return initial

    @property
    def helper(self) -> FormHelper:
        # Built at render time, so that the first field with an error gets the focus.
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        if self.only is not None:
            names = [n for n in self.fields if n != "version"]
            focus = self._focus(names)
            helper.layout = Layout(*[Field(n, autofocus=True) if n == focus else Field(n) for n in self.fields])
            return helper
        groups = []
        titles = dict(SECTIONS)
        # In the order of the record type's page layout; fields it must keep come in their sections.
        for key in self.sections + [key for key in titles if key not in self.sections]:
            if key == "custom":
                if self.custom_definitions:
                    groups.append(("Custom Fields", [d.api_name for d in self.custom_definitions]))
                continue
            names = [api for api, _l, _t, _r, section, _h in STANDARD_FIELDS if section == key and api in self.fields]
            if names:
                groups.append((titles[key], names))
        focus = self._focus([n for _t, names in groups for n in names])
        sections = []
        for title, names in groups:
            cells = [Div(Field(n, autofocus=True) if n == focus else Field(n), css_class="col-md-6") for n in names]
            sections.append(Fieldset(title, Div(*cells, css_class="row"), css_class="mb-3"))
        if "record_type" in self.fields:
            sections.insert(0, Div(Div(Field("record_type"), css_class="col-md-6"), css_class="row"))
        if "version" in self.fields:
            sections.append(Field("version"))
        options = [n for n in ("use_assignment_rule", "send_autoresponse") if n in self.fields]
        if options:
            sections.append(Fieldset("Optional", *[Field(n) for n in options], css_class="mb-3"))
        helper.layout = Layout(
            HTML('<p class="small text-muted"><span class="required-marker">*</span> = Required</p>'),
            *sections,
        )
        return helper

    def _focus(self, names: list[str]) -> str | None:
        errors = self._errors if self.is_bound and self._errors else {}
        return next((n for n in names if n in errors), names[0] if names else None)

    # What the services take ---------------------------------------------------------------------

    def standard_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in WRITABLE_FIELDS}

    def record_type_change(self) -> dict:
        """``{"record_type": ...}`` for ``lead_update`` when the form changes the record type."""
        chosen = self.cleaned_data.get("record_type")
        if chosen in (None, "") or self.record_type is None or chosen == self.record_type.pk:
            return {}
        # The service refuses a record type the user may not use (the choices offer only those).
        return {"record_type": lead_record_types(active_only=False).filter(pk=chosen).first()}

    def custom_data(self) -> dict:
        return {
            d.api_name: self.cleaned_data[d.api_name]
            for d in self.custom_definitions
            if d.api_name in self.cleaned_data
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError beside the fields it names (others on top of the form)."""
        apply_service_errors(self, error)


class NoteForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, label=_("Title"))
    body = forms.CharField(
        label=_("Note"),
        max_length=32000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Log a call, a meeting, anything worth keeping…"}),
    )


class ChangeOwnerForm(forms.Form):
    owner = forms.ChoiceField(label=_("New Owner"), help_text=_("A user, or a queue whose members will work the lead."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Choose a user or queue…"), *owner_choices()]


class StatusForm(forms.Form):
    status = forms.CharField(max_length=120)
    version = forms.IntegerField(min_value=1)
    # Asked when the status closes the lead without converting it (the service requires it then).
    unqualified_reason = forms.CharField(max_length=120, required=False)


class RecordTypeChoiceForm(forms.Form):
    """The record type of a new lead, asked first when the user may choose among several."""

    record_type = forms.ModelChoiceField(
        queryset=None, label=_("Record Type"), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, record_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].queryset = record_types


def seen_versions(data) -> dict[int, int]:
    """The version of each listed lead when the user saw it: the list page sends one hidden
    ``versions`` input per row, ``<id>:<version>``. Malformed values are ignored (not checked)."""
    versions: dict[int, int] = {}
    for raw in data.getlist("versions") if hasattr(data, "getlist") else []:
        pk, _sep, version = str(raw).partition(":")
        if pk.isdigit() and version.isdigit() and len(versions) < MAX_MASS_IDS * 2:
            versions[int(pk)] = int(version)
    return versions


class MassActionForm(forms.Form):
    """The selected lead ids and the action; each action reads its own extra inputs."""

    action = forms.CharField(max_length=50)
    ids = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": _("Select at least one lead.")}
    )
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer is accepted here; the services decide which of them the user may change.
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(v, v) for v in raw if str(v).isdigit()][:MAX_MASS_IDS]
