import pytest
from django.core.exceptions import ValidationError

from core.models import FieldHistory
from core.services import custom_field_create
from leads.models import Lead
from leads.services import LeadEditConflict, lead_change_owner, lead_create, lead_update
from tests.factories import QueueFactory

pytestmark = pytest.mark.django_db


def test_lead_create_defaults_status_and_owner_and_records_creation(rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    assert lead.status == "New"
    assert lead.owner_user == rep
    assert FieldHistory.objects.filter(object_name="lead", record_id=lead.pk, field_name="created").exists()


def test_lead_create_reports_every_missing_required_field_at_once(rep):
    with pytest.raises(ValidationError) as exc:
        lead_create(data={"first_name": "Al", "email": "not-an-email", "rating": "Lukewarm"}, acting_user=rep)

    errors = exc.value.message_dict
    assert set(errors) >= {"last_name", "company", "email", "rating"}
    assert Lead.objects.count() == 0


def test_lead_update_writes_history_per_changed_field(rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    lead = lead_update(lead=lead, data={"company": "Acme Ltd", "title": "CTO"}, acting_user=rep)

    rows = FieldHistory.objects.filter(record_id=lead.pk, record_version=2)
    assert {(r.field_name, r.old_value, r.new_value) for r in rows} == {
        ("company", "Acme", "Acme Ltd"),
        ("title", "", "CTO"),
    }


def test_lead_update_refuses_stale_version_and_shows_what_changed(rep, other_rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)
    lead_update(lead=lead, data={"company": "Changed Co"}, acting_user=rep, expected_version=1)

    with pytest.raises(LeadEditConflict) as exc:
        lead_update(lead=lead, data={"title": "CEO"}, acting_user=rep, expected_version=1)

    assert [(c.field_name, c.new_value) for c in exc.value.changes] == [("company", "Changed Co")]
    assert Lead.objects.get(pk=lead.pk).title == ""


def test_custom_fields_are_validated_by_type_and_required(rep, marketing_admin):
    custom_field_create(
        object_name="lead", label="Budget", field_type="currency", is_required=True, acting_user=marketing_admin
    )

    with pytest.raises(ValidationError) as exc:
        lead_create(data={"last_name": "Ng", "company": "Acme"}, custom_fields={"Budget__c": "lots"}, acting_user=rep)
    assert exc.value.message_dict == {"Budget__c": ["Enter a number."]}

    lead = lead_create(
        data={"last_name": "Ng", "company": "Acme"}, custom_fields={"Budget__c": "1200.5"}, acting_user=rep
    )
    assert lead.custom_fields == {"Budget__c": 1200.5}


def test_change_owner_to_queue_records_history(rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)
    queue = QueueFactory(name="Inbound")

    lead = lead_change_owner(lead=lead, owner=queue, acting_user=rep)

    assert lead.owner_queue == queue
    assert lead.owner_user is None
    assert FieldHistory.objects.get(record_id=lead.pk, field_name="owner").new_value == "Queue: Inbound"
