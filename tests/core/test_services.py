"""Picklist, custom field and organisation settings services."""

import pytest
from django.core.exceptions import ValidationError

from core import services
from core.fields import clean_custom_fields, clean_value
from core.models import FieldDefinition, FieldHistory, OrgSettings, PicklistValue
from core.selectors import org_settings, picklist_default, picklist_record_counts, picklist_values
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _value(field_name: str, api_name: str, object_name: str = "lead") -> PicklistValue:
    return PicklistValue.objects.get(object_name=object_name, field_name=field_name, api_name=api_name)


def _order(field_name: str) -> list[str]:
    return list(picklist_values(object_name="lead", field_name=field_name).values_list("api_name", flat=True))


# Create and relabel -------------------------------------------------------------------------


def test_create_appends_value_at_the_end(marketing_admin):
    value = services.picklist_value_create(
        object_name="lead", field_name="lead_source", label="Podcast", acting_user=marketing_admin
    )

    assert value.api_name == "Podcast"
    assert _order("lead_source")[-1] == "Podcast"
    assert value.is_active
    assert not value.is_default


def test_create_refuses_duplicate_api_name_and_label(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        services.picklist_value_create(
            object_name="lead", field_name="lead_source", label="Webinar", acting_user=marketing_admin
        )
    assert "label" in exc.value.message_dict

    with pytest.raises(ValidationError) as exc:
        services.picklist_value_create(
            object_name="lead",
            field_name="lead_source",
            label="Web seminar",
            api_name="Webinar",
            acting_user=marketing_admin,
        )
    assert "api_name" in exc.value.message_dict


def test_create_refuses_blank_label_and_unknown_picklist(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        services.picklist_value_create(
            object_name="lead", field_name="lead_source", label="  ", acting_user=marketing_admin
        )
    assert "label" in exc.value.message_dict

    with pytest.raises(ValidationError) as exc:
        services.picklist_value_create(object_name="lead", field_name="company", label="X", acting_user=marketing_admin)
    assert "field_name" in exc.value.message_dict


def test_create_validates_probability(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        services.picklist_value_create(
            object_name="lead", field_name="status", label="Odd", probability="abc", acting_user=marketing_admin
        )
    assert "probability" in exc.value.message_dict
    assert not PicklistValue.objects.filter(api_name="Odd").exists()


def test_rep_may_not_change_picklists(rep):
    with pytest.raises(PermissionError):
        services.picklist_value_create(object_name="lead", field_name="lead_source", label="Podcast", acting_user=rep)
    with pytest.raises(PermissionError):
        services.picklist_set_default(value=_value("lead_source", "Website"), acting_user=rep)


def test_relabel_touches_no_record(marketing_admin):
    lead = LeadFactory(lead_source="Website")

    services.picklist_value_update(
        value=_value("lead_source", "Website"), label="Company Website", acting_user=marketing_admin
    )

    lead.refresh_from_db()
    assert lead.lead_source == "Website"
    assert _value("lead_source", "Website").label == "Company Website"


def test_relabel_refuses_label_of_another_value(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        services.picklist_value_update(
            value=_value("lead_source", "Website"), label="webinar", acting_user=marketing_admin
        )
    assert "label" in exc.value.message_dict


def test_the_last_converted_status_stays_converted(marketing_admin):
    qualified = _value("status", "Qualified")

    with pytest.raises(ValidationError) as exc:
        services.picklist_value_update(value=qualified, is_converted=False, acting_user=marketing_admin)

    assert "is_converted" in exc.value.message_dict
    qualified.refresh_from_db()
    assert qualified.is_converted


# Order --------------------------------------------------------------------------------------


def test_move_up_and_down(marketing_admin):
    before = _order("rating")  # Hot, Warm, Cold

    services.picklist_value_move(value=_value("rating", "Cold"), direction=-1, acting_user=marketing_admin)
    assert _order("rating") == [before[0], before[2], before[1]]

    services.picklist_value_move(value=_value("rating", "Hot"), direction=1, acting_user=marketing_admin)
    assert _order("rating") == [before[2], before[0], before[1]]


def test_moving_the_first_value_up_keeps_the_order(marketing_admin):
    before = _order("rating")

    services.picklist_value_move(value=_value("rating", before[0]), direction=-1, acting_user=marketing_admin)

    assert _order("rating") == before


def test_reorder_must_list_every_value(marketing_admin):
    ids = list(picklist_values(object_name="lead", field_name="rating").values_list("pk", flat=True))

    with pytest.raises(ValidationError):
        services.picklist_reorder(
            object_name="lead", field_name="rating", ordered_ids=ids[:-1], acting_user=marketing_admin
        )

    services.picklist_reorder(
        object_name="lead", field_name="rating", ordered_ids=ids[::-1], acting_user=marketing_admin
    )
    assert list(picklist_values(object_name="lead", field_name="rating").values_list("pk", flat=True)) == ids[::-1]


# Default ------------------------------------------------------------------------------------


def test_set_default_keeps_one_default(marketing_admin):
    services.picklist_set_default(value=_value("status", "Working"), acting_user=marketing_admin)

    assert picklist_default(object_name="lead", field_name="status") == "Working"
    assert PicklistValue.objects.filter(object_name="lead", field_name="status", is_default=True).count() == 1


def test_inactive_value_cannot_be_default(marketing_admin):
    value = _value("lead_source", "Other")
    services.picklist_value_set_active(value=value, active=False, acting_user=marketing_admin)

    with pytest.raises(ValidationError):
        services.picklist_set_default(value=value, acting_user=marketing_admin)


def test_clear_default_only_for_optional_fields(marketing_admin):
    services.picklist_set_default(value=_value("lead_source", "Website"), acting_user=marketing_admin)

    services.picklist_clear_default(object_name="lead", field_name="lead_source", acting_user=marketing_admin)
    assert picklist_default(object_name="lead", field_name="lead_source") is None

    with pytest.raises(ValidationError):
        services.picklist_clear_default(object_name="lead", field_name="status", acting_user=marketing_admin)
    assert picklist_default(object_name="lead", field_name="status") == "New"


# Activate / deactivate ------------------------------------------------------------------------


def test_deactivated_value_stays_on_records_but_is_no_longer_offered(marketing_admin):
    lead = LeadFactory(lead_source="Webinar")
    definition = FieldDefinition.objects.get(object_name="lead", api_name="lead_source")

    services.picklist_value_set_active(
        value=_value("lead_source", "Webinar"), active=False, acting_user=marketing_admin
    )

    lead.refresh_from_db()
    assert lead.lead_source == "Webinar"
    assert "Webinar" not in picklist_values(object_name="lead", field_name="lead_source", active_only=True).values_list(
        "api_name", flat=True
    )
    with pytest.raises(ValidationError):
        clean_value(definition, "Webinar")
    assert clean_value(definition, "Webinar", current="Webinar") == "Webinar"

    services.picklist_value_set_active(value=_value("lead_source", "Webinar"), active=True, acting_user=marketing_admin)
    assert clean_value(definition, "Webinar") == "Webinar"


def test_default_value_cannot_be_deactivated(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        services.picklist_value_set_active(value=_value("status", "New"), active=False, acting_user=marketing_admin)

    assert any("default" in m for m in exc.value.messages)
    assert _value("status", "New").is_active


def test_value_used_by_a_rule_cannot_be_deactivated_or_deleted(marketing_admin, picklist_usage):
    value = _value("lead_source", "Trade Show")
    picklist_usage.add(value, "Assignment rule “Events” (entry 2)")

    with pytest.raises(ValidationError) as exc:
        services.picklist_value_set_active(value=value, active=False, acting_user=marketing_admin)
    assert "Assignment rule “Events” (entry 2)" in exc.value.messages

    with pytest.raises(ValidationError) as exc:
        services.picklist_value_delete(value=value, replacement=None, acting_user=marketing_admin)
    assert "Assignment rule “Events” (entry 2)" in exc.value.messages
    assert PicklistValue.objects.filter(pk=value.pk, is_active=True).exists()


def test_usages_list_every_place(picklist_usage):
    value = _value("status", "New")
    picklist_usage.add(value, "Web-to-Lead form “Contact us”")

    usages = services.picklist_value_usages(value)

    assert usages == ["It is the default value of this picklist.", "Web-to-Lead form “Contact us”"]


# Delete ---------------------------------------------------------------------------------------


def test_delete_unused_value(marketing_admin):
    value = _value("lead_source", "Purchased List")

    moved = services.picklist_value_delete(value=value, replacement=None, acting_user=marketing_admin)

    assert moved == 0
    assert not PicklistValue.objects.filter(pk=value.pk).exists()


def test_delete_used_value_needs_a_replacement(marketing_admin):
    LeadFactory(lead_source="Cold Call")

    with pytest.raises(ValidationError) as exc:
        services.picklist_value_delete(
            value=_value("lead_source", "Cold Call"), replacement=None, acting_user=marketing_admin
        )

    assert "replacement" in exc.value.message_dict
    assert PicklistValue.objects.filter(object_name="lead", field_name="lead_source", api_name="Cold Call").exists()


def test_delete_moves_records_to_the_replacement_with_history(marketing_admin):
    leads = [LeadFactory(lead_source="Cold Call") for _ in range(3)]
    untouched = LeadFactory(lead_source="Website")
    versions = {lead.pk: lead.version for lead in leads}

    moved = services.picklist_value_delete(
        value=_value("lead_source", "Cold Call"),
        replacement=_value("lead_source", "Phone Inquiry"),
        acting_user=marketing_admin,
    )

    assert moved == 3
    for lead in leads:
        lead.refresh_from_db()
        assert lead.lead_source == "Phone Inquiry"
        assert lead.version == versions[lead.pk] + 1
        assert lead.last_modified_by == marketing_admin
    untouched.refresh_from_db()
    assert untouched.lead_source == "Website"
    history = FieldHistory.objects.filter(object_name="lead", field_name="lead_source")
    assert history.count() == 3
    assert {(h.old_value, h.new_value, h.changed_by_id) for h in history} == {
        ("Cold Call", "Phone Inquiry", marketing_admin.pk)
    }
    assert not PicklistValue.objects.filter(object_name="lead", field_name="lead_source", api_name="Cold Call").exists()


def test_delete_refuses_a_replacement_from_another_picklist_or_inactive(marketing_admin):
    LeadFactory(lead_source="Cold Call")
    other = _value("rating", "Hot")
    inactive = _value("lead_source", "Other")
    services.picklist_value_set_active(value=inactive, active=False, acting_user=marketing_admin)

    for replacement in (other, inactive, _value("lead_source", "Cold Call")):
        with pytest.raises(ValidationError) as exc:
            services.picklist_value_delete(
                value=_value("lead_source", "Cold Call"), replacement=replacement, acting_user=marketing_admin
            )
        assert "replacement" in exc.value.message_dict
    assert Lead.objects.filter(lead_source="Cold Call").count() == 1


def test_delete_is_atomic(marketing_admin, monkeypatch):
    """If anything fails after records moved, nothing is kept: records, history and the value."""
    leads = [LeadFactory(lead_source="Cold Call") for _ in range(2)]

    def fail(self, *args, **kwargs):
        raise RuntimeError("storage failed")

    monkeypatch.setattr(PicklistValue, "delete", fail)
    with pytest.raises(RuntimeError):
        services.picklist_value_delete(
            value=_value("lead_source", "Cold Call"),
            replacement=_value("lead_source", "Phone Inquiry"),
            acting_user=marketing_admin,
        )

    for lead in leads:
        lead.refresh_from_db()
        assert lead.lead_source == "Cold Call"
    assert not FieldHistory.objects.filter(field_name="lead_source").exists()
    assert PicklistValue.objects.filter(object_name="lead", field_name="lead_source", api_name="Cold Call").exists()


def test_delete_custom_picklist_value_moves_custom_field_values(marketing_admin):
    services.custom_field_create(
        object_name="lead",
        label="Tier",
        field_type="picklist",
        picklist_values=["Gold", "Silver"],
        acting_user=marketing_admin,
    )
    lead = LeadFactory(custom_fields={"Tier__c": "Gold"})
    other = LeadFactory(custom_fields={"Tier__c": "Silver"})
    assert picklist_record_counts(object_name="lead", field_name="Tier__c") == {"Gold": 1, "Silver": 1}

    moved = services.picklist_value_delete(
        value=_value("Tier__c", "Gold"), replacement=_value("Tier__c", "Silver"), acting_user=marketing_admin
    )

    assert moved == 1
    lead.refresh_from_db()
    other.refresh_from_db()
    assert lead.custom_fields["Tier__c"] == "Silver"
    assert other.custom_fields["Tier__c"] == "Silver"
    assert picklist_record_counts(object_name="lead", field_name="Tier__c") == {"Silver": 2}


def test_record_counts_per_value():
    LeadFactory(lead_source="Webinar")
    LeadFactory(lead_source="Webinar")
    LeadFactory(lead_source="")

    assert picklist_record_counts(object_name="lead", field_name="lead_source") == {"Webinar": 2}


# Custom fields ----------------------------------------------------------------------------------


def test_custom_field_api_name_comes_from_the_label(marketing_admin):
    definition = services.custom_field_create(
        object_name="lead",
        label="Preferred Contact Time",
        field_type="text",
        help_text="When the lead likes to be called.",
        description="Asked for by the inside sales team.",
        requested_by="Inside Sales",
        purpose="Call at the right time",
        acting_user=marketing_admin,
    )

    assert definition.api_name == "Preferred_Contact_Time__c"
    assert definition.is_custom
    assert definition.requested_by == "Inside Sales"
    assert definition.created_by == marketing_admin


def test_custom_field_api_name_gets_the_suffix(marketing_admin):
    definition = services.custom_field_create(
        object_name="lead", label="Budget", api_name="Budget_Amount", field_type="currency", acting_user=marketing_admin
    )

    assert definition.api_name == "Budget_Amount__c"


def test_custom_field_refuses_duplicate_api_name_in_any_case(marketing_admin):
    services.custom_field_create(object_name="lead", label="Region", field_type="text", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as exc:
        services.custom_field_create(
            object_name="lead", label="Region 2", api_name="region__c", field_type="text", acting_user=marketing_admin
        )

    assert "api_name" in exc.value.message_dict
    assert FieldDefinition.objects.filter(object_name="lead", api_name__iexact="region__c").count() == 1


@pytest.mark.parametrize("api_name", ["1abc", "has space", "a-b", "double__under", "x" * 70])
def test_custom_field_refuses_bad_api_names(marketing_admin, api_name):
    with pytest.raises(ValidationError) as exc:
        services.custom_field_create(
            object_name="lead", label="Thing", api_name=api_name, field_type="text", acting_user=marketing_admin
        )

    assert "api_name" in exc.value.message_dict


@pytest.mark.parametrize(
    ("field_type", "default"),
    [
        ("number", "many"),
        ("currency", "12,5x"),
        ("percent", "5000"),
        ("date", "31/12/2026"),
        ("datetime", "tomorrow"),
        ("checkbox", "maybe"),
        ("email", "not-an-email"),
        ("url", "http://"),
        ("phone", "call me"),
        ("text", "x" * 300),
    ],
)
def test_custom_field_refuses_defaults_that_do_not_fit_the_type(marketing_admin, field_type, default):
    with pytest.raises(ValidationError) as exc:
        services.custom_field_create(
            object_name="lead", label="Thing", field_type=field_type, default_value=default, acting_user=marketing_admin
        )

    assert "default_value" in exc.value.message_dict
    assert not FieldDefinition.objects.filter(api_name="Thing__c").exists()


@pytest.mark.parametrize(
    ("field_type", "default", "stored"),
    [
        ("number", "42", 42),
        ("currency", "1,250.5", 1250.5),
        ("date", "2026-12-31", "2026-12-31"),
        ("checkbox", "true", True),
        ("email", "sales@example.com", "sales@example.com"),
    ],
)
def test_custom_field_stores_a_fitting_default(marketing_admin, field_type, default, stored):
    definition = services.custom_field_create(
        object_name="lead", label="Thing", field_type=field_type, default_value=default, acting_user=marketing_admin
    )

    assert definition.default_value == stored
    assert clean_custom_fields("lead", {})["Thing__c"] == stored


def test_custom_picklist_needs_values_and_a_default_among_them(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        services.custom_field_create(
            object_name="lead",
            label="Tier",
            field_type="picklist",
            picklist_values=[" ", ""],
            acting_user=marketing_admin,
        )
    assert "picklist_values" in exc.value.message_dict

    with pytest.raises(ValidationError) as exc:
        services.custom_field_create(
            object_name="lead",
            label="Tier",
            field_type="picklist",
            picklist_values=["Gold"],
            default_value="Bronze",
            acting_user=marketing_admin,
        )
    assert "default_value" in exc.value.message_dict


def test_custom_picklist_creates_its_values_and_default(marketing_admin):
    services.custom_field_create(
        object_name="lead",
        label="Tier",
        field_type="picklist",
        picklist_values=["Gold", "Silver", "gold", "Bronze"],
        default_value="Silver",
        acting_user=marketing_admin,
    )

    assert list(picklist_values(object_name="lead", field_name="Tier__c").values_list("api_name", flat=True)) == [
        "Gold",
        "Silver",
        "Bronze",
    ]
    assert picklist_default(object_name="lead", field_name="Tier__c") == "Silver"

    services.picklist_set_default(value=_value("Tier__c", "Bronze"), acting_user=marketing_admin)
    assert FieldDefinition.objects.get(object_name="lead", api_name="Tier__c").default_value == "Bronze"


def test_custom_field_reports_every_problem_at_once(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        services.custom_field_create(
            object_name="lead", label="", field_type="spreadsheet", help_text="h" * 501, acting_user=marketing_admin
        )

    assert {"label", "field_type", "help_text"} <= set(exc.value.message_dict)


def test_custom_field_on_unknown_object_is_refused(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        services.custom_field_create(
            object_name="spaceship", label="Fuel", field_type="number", acting_user=marketing_admin
        )

    assert "object_name" in exc.value.message_dict


def test_rep_may_not_create_fields(rep):
    with pytest.raises(PermissionError):
        services.custom_field_create(object_name="lead", label="Fuel", field_type="number", acting_user=rep)


def test_update_standard_field_changes_texts_only(marketing_admin):
    definition = FieldDefinition.objects.get(object_name="lead", api_name="company")

    services.field_definition_update(
        definition=definition,
        label="Company Name",
        help_text="Legal name of the company.",
        requested_by="Finance",
        purpose="Invoices",
        is_required=False,
        acting_user=marketing_admin,
    )

    definition.refresh_from_db()
    assert (definition.label, definition.help_text, definition.requested_by, definition.purpose) == (
        "Company Name",
        "Legal name of the company.",
        "Finance",
        "Invoices",
    )
    assert definition.is_required


def test_update_custom_field_validates_the_default(marketing_admin):
    definition = services.custom_field_create(
        object_name="lead", label="Seats", field_type="number", acting_user=marketing_admin
    )

    with pytest.raises(ValidationError) as exc:
        services.field_definition_update(
            definition=definition, default_value="lots", label="", acting_user=marketing_admin
        )
    assert {"default_value", "label"} <= set(exc.value.message_dict)

    services.field_definition_update(
        definition=definition, default_value="10", is_required=True, is_active=False, acting_user=marketing_admin
    )
    definition.refresh_from_db()
    assert (definition.default_value, definition.is_required, definition.is_active) == (10, True, False)


def test_update_custom_picklist_default_moves_the_default_flag(marketing_admin):
    definition = services.custom_field_create(
        object_name="lead",
        label="Tier",
        field_type="picklist",
        picklist_values=["Gold", "Silver"],
        default_value="Gold",
        acting_user=marketing_admin,
    )

    services.field_definition_update(definition=definition, default_value="Silver", acting_user=marketing_admin)
    assert picklist_default(object_name="lead", field_name="Tier__c") == "Silver"

    services.field_definition_update(definition=definition, default_value="", acting_user=marketing_admin)
    assert picklist_default(object_name="lead", field_name="Tier__c") is None


# Organisation settings -------------------------------------------------------------------------


def test_sharing_settings_only_for_system_admins(system_admin, marketing_admin):
    with pytest.raises(PermissionError):
        services.org_settings_update(lead_access="public_read", acting_user=marketing_admin)

    with pytest.raises(ValidationError):
        services.org_settings_update(lead_access="everything", acting_user=system_admin)

    services.org_settings_update(lead_access=OrgSettings.LeadAccess.PUBLIC_READ_WRITE, acting_user=system_admin)
    assert org_settings().lead_access == "public_read_write"
    assert org_settings().updated_by == system_admin


def test_a_provider_answering_many_values_is_asked_once():
    from core import registry

    calls = []

    class BulkProvider:
        def __call__(self, value):
            calls.append(("one", value.pk))
            return []

        def many(self, values):
            calls.append(("many", len(values)))
            return {values[0].pk: ["Web-to-Lead form “Events”"]}

    provider = BulkProvider()
    values = list(picklist_values(object_name="lead", field_name="industry"))
    registry.register_picklist_usage(provider)
    try:
        usages = services.picklist_value_usages_many(values)
    finally:
        registry._usage_providers.remove(provider)

    assert calls == [("many", len(values))]
    assert usages[values[0].pk] == ["Web-to-Lead form “Events”"]
    assert usages[values[1].pk] == []
