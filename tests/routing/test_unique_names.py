"""Queue and assignment rule names are unique regardless of case, held by the database: a
duplicate that slips past the friendly check (a concurrent request) is the same field error."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet

from leads.models import Queue
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


def test_names_differing_only_in_case_are_numbered_before_the_constraint_is_made():
    # given queues saved before the constraint, their names differing only in case
    migration = importlib.import_module("leads.migrations.0008_rename_case_duplicate_names")
    constraint = next(c for c in Queue._meta.constraints if c.name == "leads_queue_name_ci")
    with connection.schema_editor() as editor:  # undone with the test's transaction
        editor.remove_constraint(Queue, constraint)
    first, second, third = (Queue.objects.create(name=name) for name in ("Inbound", "INBOUND", "inbound"))
    taken = Queue.objects.create(name="Inbound (2)")

    # when the data migration runs
    migration.rename_case_duplicates(django_apps, None)

    # then the oldest keeps its name and the others get the next free number
    names = dict(Queue.objects.values_list("pk", "name"))
    assert [names[q.pk] for q in (first, second, third, taken)] == [
        "Inbound",
        "INBOUND (3)",
        "inbound (4)",
        "Inbound (2)",
    ]
