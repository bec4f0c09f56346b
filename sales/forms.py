"""Forms of the sales pages: they shape input and lay it out; the services validate and write.

The record forms are built from the field metadata (labels and help text an admin may edit), offer
only the picklist values of the record's record type, and add the object's custom fields.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext, gettext_lazy

from core.fields import custom_definitions, form_field, form_help_text, form_initial
from core.models import FieldDefinition, FieldType, PicklistValue
from core.roles import ROLES, display_name

from .fields import CONTACT_ROLES, PICKLIST_FIELDS, SECTIONS, STANDARD_FIELDS, WRITABLE_FIELDS
from .models import Account, Contact, Product, RecordType
from .selectors import allowed_picklist_values, record_type_picklist_fields, record_types_for

MODELS = {"account": Account, "contact": Contact}


def _user_choices():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class RecordForm(forms.Form):
    """Create or edit an account, contact or opportunity.

    ``record_type`` is the record type whose picklist values are offered (on create, the one chosen
    or the user's default; on edit, the record's or the one being switched to).
    """

    def __init__(self, *args, object_name: str, model, instance=None, record_type=None, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.object_name = object_name
        self.instance = instance
        self.record_type = record_type
        self.creating = creating
        definitions = {d.api_name: d for d in FieldDefinition.objects.filter(object_name=object_name, is_custom=False)}
        self.sections: list[tuple[str, list[str]]] = []
        section_map: dict[str, list[str]] = {key: [] for key, _ in SECTIONS[object_name]}
        for api_name, label, ftype, required, section, help_text in STANDARD_FIELDS[object_name]:
            definition = definitions.get(api_name)
            # Standard labels and help texts as seeded are translated; an admin's own are kept.
            label = gettext(definition.label if definition else label)
            help_text = definition.help_text if definition else help_text
            help_text = gettext(help_text) if help_text else ""
            field = self._standard_field(model, api_name, ftype, required, label, help_text)
            if field is None:
                continue
            self.fields[api_name] = field
            section_map[section].append(api_name)
            if instance is not None and api_name in WRITABLE_FIELDS[object_name]:
                self.initial.setdefault(api_name, getattr(instance, api_name))
        self.sections = [(title, section_map[key]) for key, title in SECTIONS[object_name] if section_map[key]]
        self.custom_names = []
        for definition in custom_definitions(object_name):
            current = (instance.custom_fields or {}).get(definition.api_name) if instance is not None else None
            self.fields[definition.api_name] = form_field(definition, current=current)
            if definition.field_type == FieldType.PICKLIST and record_type is not None:
                # Only the values the record type offers (and the value the record holds now).
                offered = {
                    v.api_name
                    for v in allowed_picklist_values(
                        object_name=object_name, field_name=definition.api_name, record_type=record_type
                    )
                }
                field = self.fields[definition.api_name]
                field.choices = [(k, v) for k, v in field.choices if k in offered or k in ("", current)]
            if instance is not None:
                self.initial.setdefault(definition.api_name, form_initial(definition, current))
            elif definition.default_value is not None:
                self.initial.setdefault(definition.api_name, form_initial(definition, definition.default_value))
            self.custom_names.append(definition.api_name)
        if self.custom_names:
            self.sections.append(("Custom Fields", self.custom_names))
        first = next(iter(self.fields.values()), None)
        if first is not None:
            first.widget.attrs.setdefault("autofocus", True)

    def _standard_field(self, model, api_name, ftype, required, label, help_text):
        common = {"label": label, "help_text": form_help_text(help_text), "required": required}
        if api_name == "record_type":
            return None  # chosen above the form: it decides which values are offered
        if api_name == "owner":
            field = UserChoiceField(queryset=_user_choices(), empty_label=None, **common)
            if self.instance is not None:
                self.initial.setdefault("owner", self.instance.owner_id)
            return field
        if api_name == "account":
            field = forms.ModelChoiceField(
                queryset=Account.objects.order_by("name", "id"), empty_label=gettext_lazy("--None--"), **common
            )
            if self.instance is not None:
                self.initial.setdefault("account", self.instance.account_id)
            return field
        model_field = model._meta.get_field(api_name)
        if api_name in PICKLIST_FIELDS[self.object_name]:
            current = getattr(self.instance, api_name, "") if self.instance is not None else ""
            values = allowed_picklist_values(
                object_name=self.object_name, field_name=api_name, record_type=self.record_type
            )
            choices = [(v.api_name, v.label) for v in values]
            if current and current not in {c[0] for c in choices}:
                label_of = PicklistValue.objects.filter(
                    object_name=self.object_name, field_name=api_name, api_name=current
                ).values_list("label", flat=True)
                choices.append((current, f"{label_of.first() or current} (current)"))
            blank = [] if required else [("", "--None--")]
            return forms.ChoiceField(choices=blank + choices, **common)
        if ftype == "textarea":
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), max_length=model_field.max_length, **common
            )
        if ftype == "email":
            return forms.EmailField(max_length=model_field.max_length, **common)
        if ftype == "checkbox":
            common["required"] = False
            return forms.BooleanField(**common)
        if ftype == "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
        if ftype in {"currency"}:
            return forms.DecimalField(max_digits=18, decimal_places=2, min_value=0, **common)
        if ftype in {"number", "percent"}:
            extra = {"max_value": 100} if ftype == "percent" else {}
            return forms.IntegerField(min_value=0, **extra, **common)
        widget = forms.URLInput() if ftype == "url" else None
        return forms.CharField(max_length=model_field.max_length, widget=widget, **common)

    @property
    def bound_sections(self) -> list[tuple[str, list]]:
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def service_data(self) -> dict:
        """The cleaned standard values, as the service's ``data``."""
        return {
            name: self.cleaned_data.get(name)
            for name in WRITABLE_FIELDS[self.object_name]
            if name in self.fields and not self.fields[name].disabled
        }

    def custom_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.custom_names}


class RecordTypeChoiceForm(forms.Form):
    """The record type a new (or edited) record uses; changing it reloads the form's picklists."""

    record_type = forms.ModelChoiceField(
        queryset=RecordType.objects.none(), required=False, label=gettext_lazy("Record Type")
    )

    def __init__(self, *args, object_name: str, allow_master: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].queryset = record_types_for(object_name=object_name)
        # Master (no record type) is offered only where it is what the services would give anyway:
        # a user with a default record type creates records of a record type.
        self.fields["record_type"].empty_label = "Master (all values)" if allow_master else None
        self.fields["record_type"].help_text = "Decides which picklist values the record offers."


class LineItemForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True).order_by("name"),
        help_text=gettext_lazy("An active product of the catalogue."),
    )
    quantity = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0.01, initial=1)
    unit_price = forms.DecimalField(
        label=gettext_lazy("Sales Price"),
        max_digits=18,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=gettext_lazy("Leave blank to use the product's list price."),
    )


class LineItemEditForm(forms.Form):
    quantity = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0.01)
    unit_price = forms.DecimalField(label=gettext_lazy("Sales Price"), max_digits=18, decimal_places=2, min_value=0)


class ContactRoleForm(forms.Form):
    """Add a contact role. The list offers the contacts of the opportunity's account; whether a
    contact may take a role is the service's rule, so any existing contact passes the form and the
    service gives the one message."""

    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(), help_text=gettext_lazy("Contacts of the opportunity's account.")
    )
    role = forms.ChoiceField(choices=[("", "--None--")] + [(r, r) for r in CONTACT_ROLES], required=False)
    is_primary = forms.BooleanField(
        label=gettext_lazy("Primary"), required=False, help_text=gettext_lazy("The main contact of the deal.")
    )

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["contact"]
        field.queryset = Contact.objects.order_by("last_name", "first_name")
        field.label_from_instance = lambda c: c.full_name
        if account is not None:
            offered = forms.ModelChoiceField(queryset=field.queryset.filter(account=account))
            offered.label_from_instance = field.label_from_instance
            field.widget.choices = offered.choices


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["name", "product_code", "list_price", "is_active", "description"]
        help_texts = {
            "name": "What the product is called on opportunities.",
            "product_code": "Your internal code or SKU; unique when given.",
            "list_price": "The standard price; opportunity products start from it.",
            "is_active": "Only active products can be added to opportunities.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "name": forms.TextInput(attrs={"autofocus": True})}

    def _post_clean(self):
        # The service validates (uniqueness, constraints); the model is not cleaned here.
        pass


class RecordTypeForm(forms.Form):
    """A record type: name, description, active, and per picklist field the values offered."""

    name = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(max_length=255, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, object_name: str, record_type: RecordType | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.object_name = object_name
        chosen = set(record_type.picklist_values.values_list("pk", flat=True)) if record_type else set()
        field_names = record_type_picklist_fields(object_name)
        labels = dict(
            FieldDefinition.objects.filter(object_name=object_name, api_name__in=field_names).values_list(
                "api_name", "label"
            )
        )
        self.value_fields = []
        for field_name in field_names:
            values = PicklistValue.objects.filter(object_name=object_name, field_name=field_name).order_by(
                "sort_order", "id"
            )
            key = f"values_{field_name}"
            self.fields[key] = forms.ModelMultipleChoiceField(
                queryset=values,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=labels.get(field_name, field_name),
                help_text=gettext_lazy(
                    "Tick the values this record type offers; none ticked offers every active value."
                ),
            )
            self.fields[key].label_from_instance = lambda v: v.label if v.is_active else f"{v.label} (inactive)"
            self.initial.setdefault(key, [pk for pk in values.values_list("pk", flat=True) if pk in chosen])
            self.value_fields.append(key)
        if record_type is not None:
            self.initial.setdefault("name", record_type.name)
            self.initial.setdefault("description", record_type.description)
            self.initial.setdefault("is_active", record_type.is_active)

    def picklist_values(self) -> list[PicklistValue]:
        return [v for key in self.value_fields for v in self.cleaned_data.get(key) or []]


class RecordTypeDefaultForm(forms.Form):
    """Default record type of one object for a role, or for a user (which overrides the role's)."""

    object_name = forms.ChoiceField(
        choices=[("account", "Account"), ("contact", "Contact"), ("opportunity", "Opportunity")]
    )
    role = forms.ModelChoiceField(queryset=Group.objects.filter(name__in=ROLES).order_by("name"), required=False)
    user = UserChoiceField(
        queryset=_user_choices(), required=False, help_text=gettext_lazy("A user's default overrides the role's.")
    )
    record_type = forms.ModelChoiceField(
        queryset=RecordType.objects.filter(is_active=True).order_by("object_name", "name"),
        required=False,
        empty_label=gettext_lazy("No default (Master)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].label_from_instance = lambda rt: f"{rt.get_object_name_display()}: {rt.name}"

    def clean(self):
        data = super().clean()
        if bool(data.get("role")) == bool(data.get("user")):
            raise forms.ValidationError(gettext("Choose either a role or a user."))
        return data
