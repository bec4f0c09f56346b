"""A real Celery worker on Redis keeps the rollups current: a lead's status change reaches the
duration histograms on commit, and beat's sweep brings a new Web-to-Lead submission into the
daily intake counts."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import FieldHistory
from reports.intake_rollup import intake_counts_backfill
from reports.models import DurationHistogram, IntakeDailyCount
from reports.rollups import on_record_change, rollups_backfill
from reports.tasks import sweep_rollups
from tests.factories import LeadFactory
from tests.waiting import wait_until
from webtolead.models import Intake

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def stays(status: str) -> int:
    return sum(DurationHistogram.objects.filter(measure="stay", grain="d", status=status).values_list("n", flat=True))


def test_the_worker_keeps_the_histograms_and_the_intake_counts(celery_worker_process, rep):
    created = timezone.now() - dt.timedelta(days=2)
    lead = LeadFactory(owner_user=rep, status="New", created_at=created)
    rollups_backfill()
    intake_counts_backfill()
    assert stays("New") == 0

    from django.db import transaction

    with transaction.atomic():
        FieldHistory.objects.create(
            object_name="lead",
            record_id=lead.pk,
            field_name="status",
            field_label="Lead Status",
            old_value="New",
            new_value="Working",
            changed_at=timezone.now(),
            changed_by=rep,
        )
        type(lead).objects.filter(pk=lead.pk).update(status="Working")
        on_record_change(object_name="lead", record_id=lead.pk)

    assert wait_until(lambda: stays("New") == 1)
    Intake.objects.create(outcome="spam", received_at=timezone.now(), processed_at=timezone.now(), public_ref="r")
    sweep_rollups.delay()
    assert wait_until(lambda: IntakeDailyCount.objects.filter(outcome="spam", n=1).exists())
