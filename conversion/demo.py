"""Demo content of conversion: a custom-field mapping, and a few leads already converted."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from core.models import FieldDefinition
from core.services import custom_field_create
from leads.models import Lead

from .models import LeadConversion, LeadFieldMapping
from .services import ConvertOptions, field_mapping_create, lead_convert

CONVERTED_DEMO_LEADS = 3


def _field(object_name: str, label: str, api_name: str, admin) -> None:
    if not FieldDefinition.objects.filter(object_name=object_name, api_name=api_name).exists():
        custom_field_create(
            object_name=object_name,
            label=label,
            api_name=api_name,
            field_type="text",
            help_text=gettext_lazy("Sales region; copied from the lead to the account on conversion."),
            acting_user=admin,
        )


def seed(*, users: dict) -> None:
    admin = users["marketing"]
    _field("lead", "Region", "Region__c", admin)
    _field("account", "Region", "Region__c", admin)
    if not LeadFieldMapping.objects.filter(lead_field__object_name="lead", lead_field__api_name="Region__c").exists():
        field_mapping_create(
            lead_field="Region__c", target_object="account", target_field="Region__c", acting_user=admin
        )
    if LeadConversion.objects.exists():
        return
    rep = users["rep"]
    for lead in Lead.objects.filter(owner_user=rep, is_converted=False).order_by("created_at", "id")[
        :CONVERTED_DEMO_LEADS
    ]:
        try:
            lead_convert(lead=lead, acting_user=rep, options=ConvertOptions())
        except ValidationError:
            continue  # a demo lead the current setup cannot convert stays a lead
