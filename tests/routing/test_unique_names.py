"""Queue and assignment rule names are unique regardless of case, held by the database: a
duplicate that slips past the friendly check (a concurrent request) is the same field error."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from leads.routing import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def check_passed(monkeypatch):
    """The friendly exists() check passed before the other request committed."""
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)


def test_queue_name_differing_in_case_is_refused(marketing_admin):
    services.queue_create(name="Inbound", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        services.queue_create(name="INBOUND", acting_user=marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]


def test_concurrent_queue_create_is_a_field_error(marketing_admin, check_passed):
    services.queue_create(name="Inbound", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        services.queue_create(name="inbound", acting_user=marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]


def test_concurrent_queue_rename_is_a_field_error(marketing_admin, check_passed):
    services.queue_create(name="Inbound", acting_user=marketing_admin)
    other = services.queue_create(name="Outbound", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        services.queue_update(queue=other, name="Inbound", acting_user=marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]


def test_concurrent_assignment_rule_create_is_a_field_error(marketing_admin, check_passed):
    services.rule_create(name="Main", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        services.rule_create(name="MAIN", acting_user=marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]
