"""Setup forms of lead record types: input shape only; the services validate and write."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import PicklistValue
from core.roles import ROLES
from core.selectors import field_definitions

from ..fields import OBJECT_NAME, SECTIONS, STANDARD_FIELDS, WRITABLE_FIELDS
from .selectors import MAX_KEY_FIELDS, lead_process, lead_record_types
from .services import NOT_KEY_FIELDS


def section_choices() -> list[tuple[str, str]]:
    return [(key, gettext(title)) for key, title in SECTIONS] + [("custom", gettext("Custom Fields"))]


def key_field_choices() -> list[tuple[str, str]]:
    labels = {d.api_name: d.label for d in field_definitions(object_name=OBJECT_NAME)}
    standard = [(api, labels.get(api, label)) for api, label, *_rest in STANDARD_FIELDS if api in WRITABLE_FIELDS]
    custom = [(d.api_name, d.label) for d in field_definitions(object_name=OBJECT_NAME, custom_only=True)]
    return [(api, label) for api, label in standard + custom if api not in NOT_KEY_FIELDS]


class LeadRecordTypeForm(forms.Form):
    """A lead record type: its name, page layout and process. Each status has a box (offered) and
    a position (the order of the process)."""

    name = forms.CharField(label=_("Record Type Name"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    is_org_default = forms.BooleanField(
        label=_("Default for the organisation"),
        required=False,
        help_text=_("New leads of users without a default of their own (or of their role) get it."),
    )
    layout_sections = forms.MultipleChoiceField(
        label=_("Sections on the lead page"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every section. Number them in the order the lead page and form show them."),
    )

    def __init__(self, *args, record_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Listed in the record type's order (its sections first), each with its position.
        order = list(record_type.layout_sections or []) if record_type is not None else []
        choices = sorted(section_choices(), key=lambda c: order.index(c[0]) if c[0] in order else len(order))
        self.fields["layout_sections"].choices = choices
        for position, (key, label) in enumerate(choices, start=1):
            self.fields[f"section_position_{key}"] = forms.IntegerField(
                label=_("Position of %(section)s") % {"section": label},
                min_value=1,
                max_value=99,
                required=False,
                initial=position,
            )
        offered = {s.api_name: i for i, s in enumerate(lead_process(record_type), start=1)} if record_type else {}
        self.status_rows = []
        values = PicklistValue.objects.filter(object_name=OBJECT_NAME, field_name="status", is_active=True).order_by(
            "sort_order", "id"
        )
        for value in values:
            box, pos = f"status_{value.pk}", f"position_{value.pk}"
            self.fields[box] = forms.BooleanField(
                label=value.display_label, required=False, initial=value.api_name in offered or not offered
            )
            self.fields[pos] = forms.IntegerField(
                label=_("Position"),
                min_value=1,
                max_value=999,
                required=False,
                initial=offered.get(value.api_name, value.sort_order),
            )
            self.status_rows.append((value, box, pos))
        if record_type is not None and not self.is_bound:
            self.initial.update(
                {
                    "name": record_type.name,
                    "description": record_type.description,
                    "is_active": record_type.is_active,
                    "is_org_default": record_type.is_org_default,
                    "layout_sections": record_type.layout_sections,
                }
            )

    def bound_section_rows(self):
        """Each section's box with its position field, in the record type's order."""
        boxes = {box.data["value"]: box for box in self["layout_sections"]}
        return [(boxes[key], self[f"section_position_{key}"]) for key, _label in self.fields["layout_sections"].choices]

    def ordered_sections(self) -> list[str]:
        """The ticked sections in the order of their positions (ties: as listed)."""
        ticked = set(self.cleaned_data.get("layout_sections") or [])
        keys = [key for key, _label in self.fields["layout_sections"].choices]
        chosen = [(self.cleaned_data.get(f"section_position_{key}") or 99, i, key) for i, key in enumerate(keys)]
        return [key for _pos, _i, key in sorted(chosen) if key in ticked]

    def bound_status_rows(self):
        return [(value, self[box], self[pos]) for value, box, pos in self.status_rows]

    def statuses(self) -> list[str]:
        """The ticked statuses' API names in the order of their positions."""
        chosen = [
            (self.cleaned_data.get(pos) or 999, i, value.api_name)
            for i, (value, box, pos) in enumerate(self.status_rows)
            if self.cleaned_data.get(box)
        ]
        return [api for _pos, _i, api in sorted(chosen)]


class PathStepForm(forms.Form):
    """The guidance for success and the key fields of one step of a lead path."""

    status = forms.CharField(widget=forms.HiddenInput)
    guidance = forms.CharField(
        label=_("Guidance for Success"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Plain text; links are made clickable. Shown under the path at this step."),
    )
    key_fields = forms.MultipleChoiceField(
        label=_("Key Fields"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At most %(count)d fields, editable right under the path.") % {"count": MAX_KEY_FIELDS},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_fields"].choices = key_field_choices()


class LeadRecordTypeDefaultForm(forms.Form):
    """The default lead record type of one user or one role (empty record type: clear it)."""

    user = forms.ModelChoiceField(queryset=None, required=False, label=_("User"))
    role = forms.ModelChoiceField(queryset=None, required=False, label=_("Role"))
    record_type = forms.ModelChoiceField(queryset=None, required=False, label=_("Record Type"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["role"].queryset = Group.objects.filter(name__in=ROLES).order_by("name")
        self.fields["record_type"].queryset = lead_record_types()


class LeadRecordTypeAccessForm(forms.Form):
    """The lead record types one role may use (none ticked: every one) and its default."""

    record_types = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Available record types"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every active record type."),
    )
    default = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Default record type"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_types"].queryset = lead_record_types()
        self.fields["default"].queryset = lead_record_types()
