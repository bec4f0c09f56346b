"""The lean insert of the hottest write paths does what save(force_insert=True) does, and survives a
connection that the database dropped since its last use."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.db import insert_row
from tests.database import terminate_backend
from webtolead.models import Intake

pytestmark = pytest.mark.django_db


def test_insert_row_stores_every_field_and_sets_the_primary_key():
    intake = Intake(
        form_key="abc",
        payload={"last_name": "Lovelace", "tags": ["a", "b"]},
        content_type="application/json",
        received_at=timezone.now(),
        source_address="2001:db8::1",
        public_ref="ref-insert-row",
    )

    insert_row(intake)

    assert intake.pk is not None
    assert intake._state.adding is False
    stored = Intake.objects.get(pk=intake.pk)
    assert stored.payload == {"last_name": "Lovelace", "tags": ["a", "b"]}
    assert stored.source_address == "2001:db8::1"
    assert stored.outcome == Intake.Outcome.RECEIVED
    assert stored.errors == {}
    assert stored.received_at == intake.received_at


def test_insert_row_keeps_the_database_constraints():
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_row(Intake(form_key="x", received_at=timezone.now(), public_ref="r", outcome="created"))
    assert not Intake.objects.exists()


def _warm_intake(ref: str) -> Intake:
    return Intake(form_key="warm", received_at=timezone.now(), public_ref=ref)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_kept_connection_the_insert_is_its_own_health_check(monkeypatch):
    assert connection.vendor == "postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    insert_row(_warm_intake("first"))
    checks = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or real())

    connection.close_if_unusable_or_obsolete()  # what the start of the next request does
    insert_row(_warm_intake("second"))
    assert checks == []  # no SELECT 1 before the INSERT

    connection.close_if_unusable_or_obsolete()
    Intake.objects.count()  # any other query is checked first, as configured
    assert checks == [1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_the_database_dropped_is_replaced_and_the_row_stored_once():
    assert connection.vendor == "postgresql"
    insert_row(_warm_intake("before"))
    old_pid = connection.connection.get_backend_pid()
    terminate_backend(old_pid)
    connection.close_if_unusable_or_obsolete()

    intake = _warm_intake("after the restart")
    insert_row(intake)

    assert connection.connection.get_backend_pid() != old_pid
    assert Intake.objects.filter(public_ref="after the restart").count() == 1
    assert Intake.objects.get(public_ref="after the restart").pk == intake.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_other_database_errors_are_not_retried():
    assert connection.vendor == "postgresql"
    insert_row(_warm_intake("warm"))
    connection.close_if_unusable_or_obsolete()

    with pytest.raises(IntegrityError):
        insert_row(Intake(form_key="x", received_at=timezone.now(), public_ref="r", outcome="created"))

    assert not Intake.objects.filter(public_ref="r").exists()
    assert Intake.objects.count() == 1
