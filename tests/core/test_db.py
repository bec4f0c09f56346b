"""The lean insert of the hottest write paths does what save(force_insert=True) does."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.db import insert_row
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
