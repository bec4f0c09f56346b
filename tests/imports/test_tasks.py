"""The import tasks: registered under their names, beat runs the sweeper every two minutes."""

import pytest
from django.conf import settings

from leadcrm.celery import app as celery_app
from leads.imports.models import LeadImport
from leads.imports.tasks import process_lead_import, requeue_stalled_imports
from leads.models import Lead


def test_beat_requeues_stalled_imports_every_two_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["leads-requeue-stalled-imports"]

    assert entry == {"task": "leads.imports.requeue_stalled_imports", "schedule": 120.0}
    assert entry["task"] in celery_app.tasks
    assert "leads.imports.process_lead_import" in celery_app.tasks


@pytest.mark.django_db
def test_the_task_is_a_no_op_for_an_unknown_or_finished_import(rep, upload, start):
    lead_import = start(upload(rep), rep)

    assert process_lead_import.delay(lead_import.pk).get() == 2
    assert process_lead_import.delay(lead_import.pk).get() == 2
    assert process_lead_import.delay(999_999).get() == 0
    assert Lead.objects.count() == 2
    assert LeadImport.objects.get().status == "done"
    assert requeue_stalled_imports.delay().get() == 0
