"""The fixed mapping table and the custom-field mapping rules."""

import pytest
from django.core.exceptions import ValidationError

from conversion.mapping import STANDARD_MAPPING, TYPE_COMPATIBILITY
from conversion.services import field_mapping_create, field_mapping_delete, field_mapping_update
from core.models import FieldType
from core.services import custom_field_create, field_definition_update
from leads.models import Lead
from sales.models import Account, Contact, Opportunity

MODELS = {"account": Account, "contact": Contact, "opportunity": Opportunity}


def test_every_row_of_the_table_names_real_fields_of_matching_kinds():
    for lead_field, target_object, target_field in STANDARD_MAPPING:
        source = Lead._meta.get_field(lead_field)
        target = MODELS[target_object]._meta.get_field(target_field)
        assert source.get_internal_type() == target.get_internal_type() or {
            source.get_internal_type(),
            target.get_internal_type(),
        } <= {"CharField", "TextField", "EmailField"}, (lead_field, target_field)
        if getattr(target, "max_length", None) and getattr(source, "max_length", None):
            assert target.max_length >= source.max_length or target_field == "last_name" or target_field == "name", (
                lead_field,
                target_field,
            )


def test_table_covers_the_documented_fields():
    rows = set(STANDARD_MAPPING)
    assert ("company", "account", "name") in rows
    for name in ("first_name", "last_name", "salutation", "title", "email", "phone", "mobile", "description"):
        assert (name, "contact", name) in rows
    for part in ("street", "city", "state", "postal_code", "country"):
        assert (part, "account", f"billing_{part}") in rows
        assert (part, "contact", f"mailing_{part}") in rows
    assert ("lead_source", "contact", "lead_source") in rows
    assert ("lead_source", "opportunity", "lead_source") in rows
    for name in ("industry", "annual_revenue", "number_of_employees", "rating", "website", "phone"):
        assert (name, "account", name) in rows
    assert ("email_opt_out", "contact", "email_opt_out") in rows
    assert ("do_not_call", "contact", "do_not_call") in rows


def test_text_never_maps_into_numbers_dates_or_checkboxes():
    for source in (FieldType.TEXT, FieldType.TEXTAREA):
        assert not TYPE_COMPATIBILITY[source] & {
            FieldType.NUMBER,
            FieldType.CURRENCY,
            FieldType.PERCENT,
            FieldType.DATE,
            FieldType.CHECKBOX,
        }


@pytest.fixture
def fields(marketing_admin):
    make = custom_field_create
    make(object_name="lead", label="Region", field_type="text", acting_user=marketing_admin)
    make(object_name="lead", label="Budget", field_type="currency", acting_user=marketing_admin)
    make(object_name="account", label="Region", field_type="text", acting_user=marketing_admin)
    make(object_name="account", label="Seats", field_type="number", acting_user=marketing_admin)
    make(object_name="contact", label="Region", field_type="textarea", acting_user=marketing_admin)
    make(object_name="contact", label="Short", field_type="text", max_length=20, acting_user=marketing_admin)
    make(object_name="opportunity", label="Budget", field_type="number", acting_user=marketing_admin)


def test_compatible_mapping_is_saved(fields, marketing_admin):
    mapping = field_mapping_create(
        lead_field="Region__c", target_object="account", target_field="Region__c", acting_user=marketing_admin
    )

    assert (mapping.lead_field.object_name, mapping.target_field.object_name) == ("lead", "account")
    assert mapping.created_by == marketing_admin


@pytest.mark.parametrize(
    ("lead_field", "target_object", "target_field", "key", "text"),
    [
        ("Region__c", "account", "Seats__c", "target_field", "cannot be mapped to a Number field"),
        ("Region__c", "contact", "Short__c", "target_field", "at most 20 characters"),
        ("Region__c", "account", "Missing__c", "target_field", "not an active custom field of Account"),
        ("Missing__c", "account", "Region__c", "lead_field", "not an active custom lead field"),
        ("Region__c", "lead", "Region__c", "target_object", "Choose Account, Contact or Opportunity"),
        ("Region__c", "account", "phone", "target_field", "not an active custom field"),
    ],
)
def test_incompatible_or_missing_mappings_are_refused(
    fields, marketing_admin, lead_field, target_object, target_field, key, text
):
    with pytest.raises(ValidationError) as caught:
        field_mapping_create(
            lead_field=lead_field, target_object=target_object, target_field=target_field, acting_user=marketing_admin
        )

    assert text in " ".join(caught.value.message_dict[key])


def test_one_target_per_object_and_one_source_per_target(fields, marketing_admin):
    field_mapping_create(
        lead_field="Region__c", target_object="account", target_field="Region__c", acting_user=marketing_admin
    )

    with pytest.raises(ValidationError, match="already mapped"):
        field_mapping_create(
            lead_field="Region__c", target_object="account", target_field="Region__c", acting_user=marketing_admin
        )
    with pytest.raises(ValidationError, match="already receives"):
        field_mapping_create(
            lead_field="Budget__c", target_object="account", target_field="Region__c", acting_user=marketing_admin
        )


def test_update_checks_the_new_target(fields, marketing_admin):
    mapping = field_mapping_create(
        lead_field="Budget__c", target_object="opportunity", target_field="Budget__c", acting_user=marketing_admin
    )

    with pytest.raises(ValidationError):
        field_mapping_update(mapping=mapping, target_field="Nothing__c", acting_user=marketing_admin)
    mapping.refresh_from_db()
    assert mapping.target_field.api_name == "Budget__c"


def test_reps_may_not_change_the_mapping(fields, rep, marketing_admin):
    with pytest.raises(PermissionError):
        field_mapping_create(lead_field="Region__c", target_object="account", target_field="Region__c", acting_user=rep)
    mapping = field_mapping_create(
        lead_field="Region__c", target_object="account", target_field="Region__c", acting_user=marketing_admin
    )
    with pytest.raises(PermissionError):
        field_mapping_delete(mapping=mapping, acting_user=rep)


def test_deactivated_field_is_no_longer_mapped(fields, rep, marketing_admin, convert):
    from core.models import FieldDefinition
    from tests.factories import LeadFactory

    field_mapping_create(
        lead_field="Region__c", target_object="account", target_field="Region__c", acting_user=marketing_admin
    )
    field_definition_update(
        definition=FieldDefinition.objects.get(object_name="account", api_name="Region__c"),
        is_active=False,
        acting_user=marketing_admin,
    )
    lead = LeadFactory(owner_user=rep, custom_fields={"Region__c": "EMEA"})

    conversion = convert(lead, rep)

    assert "Region__c" not in conversion.account.custom_fields
