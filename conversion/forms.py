"""Input shapes of the convert page and the mapping page; the services validate the rules."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from core.forms import apply_service_errors
from core.roles import display_name
from sales.models import Product

from .mapping import TARGET_LABELS
from .selectors import mappable_lead_fields, mappable_target_fields, owner_choices
from .services import ConvertOptions, ProductLine, converted_statuses, opportunity_stages

NEW = "new"


def _choice_id(value: str, label: str):
    value = (value or "").strip()
    if value in ("", NEW):
        return None
    if not value.isdigit():
        raise forms.ValidationError(gettext("Choose an existing %(label)s or create a new one.") % {"label": label})
    return int(value)


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class ConvertForm(forms.Form):
    """The convert page: account, contact, opportunity, owner, converted status, notification."""

    # "new" or the id of an existing record; the radios are drawn by the template.
    account = forms.CharField(initial=NEW, required=False)
    contact = forms.CharField(initial=NEW, required=False)
    no_opportunity = forms.BooleanField(
        label=gettext_lazy("Don't create an opportunity upon conversion"), required=False
    )
    opportunity_name = forms.CharField(
        label=gettext_lazy("Opportunity Name"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Defaults to the company name followed by a hyphen."),
    )
    close_date = forms.DateField(
        label=gettext_lazy("Close Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Defaults to the end of the current quarter."),
    )
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    owner = OwnerChoiceField(
        label=gettext_lazy("Record Owner"),
        queryset=None,
        help_text=gettext_lazy("Owns the new account, contact and opportunity."),
    )
    converted_status = forms.ChoiceField(label=gettext_lazy("Converted Status"))
    send_email = forms.BooleanField(
        label=gettext_lazy("Send an email to the owner"),
        required=False,
        help_text=gettext_lazy("Tells the record owner about the conversion."),
    )

    def __init__(self, *args, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()
        # The converted statuses of the lead's process.
        self.fields["converted_status"].choices = [(v.api_name, v.label) for v in converted_statuses(lead=lead)]
        self.fields["stage"].choices = [(v.api_name, v.label) for v in opportunity_stages()]

    def clean_account(self):
        return _choice_id(self.cleaned_data.get("account"), "account")

    def clean_contact(self):
        return _choice_id(self.cleaned_data.get("contact"), "contact")

    def options(self, products: list[ProductLine]) -> ConvertOptions:
        data = self.cleaned_data
        return ConvertOptions(
            account_id=data.get("account"),
            contact_id=data.get("contact") if data.get("account") else None,
            create_opportunity=not data.get("no_opportunity"),
            opportunity_name=data.get("opportunity_name") or "",
            close_date=data.get("close_date"),
            stage=data.get("stage") or "",
            products=products if not data.get("no_opportunity") else [],
            owner_id=data["owner"].pk,
            converted_status=data.get("converted_status") or "",
            send_email=bool(data.get("send_email")),
        )

    # Service error keys -> form fields; object-level errors go to the top of the form.
    ERROR_FIELDS = {
        "owner": "owner",
        "converted_status": "converted_status",
        "account": "account",
        "contact": "contact",
        "create_opportunity": "no_opportunity",
        "opportunity_name": "opportunity_name",
        "stage": "stage",
        "close_date": "close_date",
    }

    def add_service_errors(self, exc) -> None:
        # The account and contact choices are searched for above the form: their errors go on top.
        apply_service_errors(self, exc, field_map=self.ERROR_FIELDS, form_wide=("account", "contact"))


class ProductLineForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        empty_label=gettext_lazy("--None--"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    quantity = forms.DecimalField(
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
    )
    unit_price = forms.DecimalField(
        label=gettext_lazy("Sales Price"),
        min_value=0,
        max_digits=18,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("product") is None and (data.get("quantity") is not None or data.get("unit_price") is not None):
            self.add_error("product", "Choose a product for this line.")
        if data.get("product") is not None and data.get("quantity") is None:
            self.add_error("quantity", "Enter a quantity.")
        return data


ProductLineFormSet = forms.formset_factory(ProductLineForm, extra=3, max_num=20, validate_max=True)


def product_lines(formset) -> list[ProductLine]:
    return [
        ProductLine(
            product_id=f.cleaned_data["product"].pk,
            quantity=f.cleaned_data["quantity"],
            unit_price=f.cleaned_data.get("unit_price"),
        )
        for f in formset.forms
        if f.cleaned_data.get("product") is not None
    ]


class FieldMappingForm(forms.Form):
    """A custom lead field -> a custom field of account, contact or opportunity."""

    lead_field = forms.ChoiceField(
        label=gettext_lazy("Lead field"), help_text=gettext_lazy("A custom field of the lead.")
    )
    target = forms.ChoiceField(
        label=gettext_lazy("Maps to"), help_text=gettext_lazy("A custom field of the account, contact or opportunity.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_field"].choices = [("", "--Choose--")] + [
            (f.api_name, f"{f.label} ({f.api_name}, {f.get_field_type_display()})") for f in mappable_lead_fields()
        ]
        groups: dict[str, list] = {}
        for f in mappable_target_fields():
            groups.setdefault(TARGET_LABELS[f.object_name], []).append(
                (f"{f.object_name}:{f.api_name}", f"{f.label} ({f.api_name}, {f.get_field_type_display()})")
            )
        self.fields["target"].choices = [("", "--Choose--"), *groups.items()]

    def target_parts(self) -> tuple[str, str]:
        target_object, _, target_field = self.cleaned_data["target"].partition(":")
        return target_object, target_field
