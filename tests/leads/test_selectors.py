import pytest
from django.http import Http404

from core.models import PicklistValue
from core.services import custom_field_create
from leads.selectors import (
    lead_detail,
    lead_history,
    lead_list_columns,
    lead_list_rows,
    lead_record_sections,
    lead_status_path,
    next_open_status,
    owner_choices,
)
from leads.services import lead_create, lead_update
from tests.factories import LeadFactory, QueueFactory

pytestmark = pytest.mark.django_db


def test_status_path_marks_complete_and_current_steps(rep):
    lead = LeadFactory(owner_user=rep, status="Nurturing")

    steps = lead_status_path(lead=lead)

    assert [(s.api_name, s.state) for s in steps] == [
        ("New", "complete"),
        ("Working", "complete"),
        ("Marketing Qualified", "complete"),
        ("Nurturing", "current"),
        ("", ""),
    ]
    # The path ends with one closing step offering the closed and the converted statuses.
    assert [(c.api_name, c.is_closed, c.is_converted) for c in steps[-1].choices] == [
        ("Unqualified", True, False),
        ("Qualified", False, True),
    ]


def test_status_path_keeps_an_inactive_current_value_and_hides_other_inactive_ones(rep):
    PicklistValue.objects.filter(object_name="lead", field_name="status", api_name__in=["Working", "Nurturing"]).update(
        is_active=False
    )
    lead = LeadFactory(owner_user=rep, status="Working")

    names = [s.api_name for s in lead_status_path(lead=lead)]

    assert names == ["New", "Working", "Marketing Qualified", ""]


def test_next_open_status_skips_converted_statuses(rep):
    assert next_open_status(lead=LeadFactory(owner_user=rep, status="New")).api_name == "Working"
    assert next_open_status(lead=LeadFactory(owner_user=rep, status="Unqualified")) is None


def test_lead_detail_is_scoped_to_the_user(rep, other_rep):
    lead = LeadFactory(owner_user=other_rep)

    with pytest.raises(Http404):
        lead_detail(user=rep, pk=lead.pk)
    assert lead_detail(user=other_rep, pk=lead.pk) == lead


def test_lead_detail_of_a_queue_lead_for_a_member(rep):
    queue = QueueFactory(name="Inbound")
    queue.members.add(rep)
    lead = LeadFactory(owner_user=None, owner_queue=queue)

    assert lead_detail(user=rep, pk=lead.pk) == lead


def test_record_sections_follow_field_metadata(rep, marketing_admin):
    from core.models import FieldDefinition

    FieldDefinition.objects.filter(object_name="lead", api_name="company").update(
        label="Organisation", help_text="Where they work."
    )
    custom_field_create(
        object_name="lead", label="Tier", field_type="picklist", picklist_values=["Gold"], acting_user=marketing_admin
    )
    PicklistValue.objects.filter(object_name="lead", field_name="Tier__c").update(label="Gold tier")
    lead = lead_create(
        data={"last_name": "Ng", "company": "Acme", "website": "acme.example", "rating": "Hot"},
        custom_fields={"Tier__c": "Gold"},
        acting_user=rep,
    )

    sections = {s.key: s for s in lead_record_sections(lead=lead)}
    rows = {r.key: r for s in sections.values() for r in s.rows}

    assert [s.title for s in sections.values()] == [
        "Lead Information",
        "Address Information",
        "Additional Information",
        "Custom Fields",
    ]
    assert (rows["company"].label, rows["company"].help_text, rows["company"].value) == (
        "Organisation",
        "Where they work.",
        "Acme",
    )
    assert rows["website"].href == "https://acme.example"
    assert rows["Tier__c"].value == "Gold tier"
    assert rows["owner"].inline_editable is False
    assert rows["owner"].value == "Riley Rep"


def test_record_sections_never_link_other_schemes(rep):
    lead = LeadFactory(owner_user=rep, website="javascript:alert(1)")

    rows = {r.key: r for s in lead_record_sections(lead=lead) for r in s.rows}

    assert rows["website"].href == ""


def test_list_columns_include_active_custom_fields_only(marketing_admin):
    from core.services import field_definition_update

    custom_field_create(object_name="lead", label="Score", field_type="number", acting_user=marketing_admin)
    old = custom_field_create(object_name="lead", label="Old", field_type="text", acting_user=marketing_admin)
    field_definition_update(definition=old, is_active=False, acting_user=marketing_admin)

    keys = [c.key for c in lead_list_columns()]

    assert keys[0] == "name"
    assert {"company", "status", "owner", "created_at", "Score__c"} <= set(keys)
    assert "Old__c" not in keys
    assert "description" not in keys


def test_list_rows_format_picklists_dates_and_owners(rep):
    PicklistValue.objects.filter(object_name="lead", field_name="status", api_name="New").update(label="Fresh")
    queue = QueueFactory(name="Inbound")
    lead = LeadFactory(owner_user=None, owner_queue=queue, status="New", annual_revenue=1234567)
    columns = [c for c in lead_list_columns() if c.key in {"status", "owner", "annual_revenue"}]

    [(row_lead, cells)] = lead_list_rows(leads=[lead], columns=columns)

    assert row_lead == lead
    assert dict(zip([c.key for c in columns], cells, strict=True)) == {
        "status": "Fresh",
        "owner": "Inbound",
        "annual_revenue": "1,234,567.00",
    }


def test_owner_choices_list_active_users_and_queues(rep, other_rep):
    other_rep.is_active = False
    other_rep.save()
    queue = QueueFactory(name="Inbound")

    groups = dict(owner_choices())

    assert (f"user:{rep.pk}", "Riley Rep") in groups["Users"]
    assert all(key != f"user:{other_rep.pk}" for key, _ in groups["Users"])
    assert groups["Queues"] == [(f"queue:{queue.pk}", "Inbound")]


def test_lead_history_is_newest_first(rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)
    lead_update(lead=lead, data={"title": "CTO"}, acting_user=rep)

    history = lead_history(lead=lead)

    assert [h.field_name for h in history] == ["title", "created"]
