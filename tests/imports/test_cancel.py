"""Cancelling a queued or running import: leads made so far stay, the rest is not imported."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from leads.imports import processing
from leads.imports.models import LeadImport
from leads.imports.services import lead_import_cancel, lead_import_process, lead_imports_requeue_stalled
from leads.models import Lead

pytestmark = pytest.mark.django_db

THREE_ROWS = [
    "Last Name,Company",
    "Lovelace,Analytical",
    "Hopper,Navy",
    "Turing,Bletchley",
]


@pytest.fixture
def started(rep, upload, start):
    lead_import = upload(rep, THREE_ROWS)
    return start(lead_import, rep, run_assignment=False)


def test_a_cancelled_import_creates_no_more_leads(rep, started, monkeypatch, settings):
    # given an import in batches of one whose first batch is committed
    settings.LEAD_IMPORT_BATCH_SIZE = 1
    real = processing._commit_batch

    def cancel_after_first(ctx, records, first_row, end_row):
        counts = real(ctx, records, first_row, end_row)
        if first_row == 0:
            lead_import_cancel(lead_import=started, acting_user=rep)
        return counts

    monkeypatch.setattr(processing, "_commit_batch", cancel_after_first)

    # when the worker runs and the rep cancels after the first batch
    lead_import_process(lead_import_id=started.pk)

    # then the next batch is rolled back and nothing more is written
    started.refresh_from_db()
    assert started.status == LeadImport.Status.CANCELLED
    assert list(Lead.objects.values_list("last_name", flat=True)) == ["Lovelace"]
    assert (started.created_count, started.pending_count, started.next_row) == (1, 2, 1)
    assert started.failure_reason == "Cancelled by Riley Rep."
    assert started.finished_at is not None
    assert started.batches.count() == 1


def test_only_the_importer_or_an_admin_cancels_and_only_an_active_import(rep, other_rep, marketing_admin, started):
    with pytest.raises(PermissionError):
        lead_import_cancel(lead_import=started, acting_user=other_rep)

    lead_import_cancel(lead_import=started, acting_user=marketing_admin)

    with pytest.raises(ValidationError, match="This import is cancelled"):
        lead_import_cancel(lead_import=started, acting_user=rep)


def test_a_finished_import_cannot_be_cancelled(rep, started):
    lead_import_process(lead_import_id=started.pk)

    with pytest.raises(ValidationError, match="This import is done"):
        lead_import_cancel(lead_import=started, acting_user=rep)
    assert Lead.objects.count() == 3


def test_the_sweeper_leaves_cancelled_imports_alone(rep, started):
    lead_import_cancel(lead_import=started, acting_user=rep)
    LeadImport.objects.filter(pk=started.pk).update(last_activity_at=timezone.now() - timedelta(hours=1))

    assert lead_imports_requeue_stalled() == []
    assert LeadImport.objects.get(pk=started.pk).status == LeadImport.Status.CANCELLED


def test_cancel_page_action_reports_what_was_kept(client, rep, other_rep, started):
    url = reverse("leads:import_cancel", args=[started.pk])
    client.force_login(other_rep)
    hidden = client.post(url)
    client.force_login(rep)
    before = client.get(reverse("leads:import_detail", args=[started.pk])).content.decode()

    response = client.post(url, follow=True)
    again = client.post(url, follow=True)

    body = response.content.decode()
    assert hidden.status_code == 404
    assert 'data-testid="cancel-import"' in before
    assert "Import of “leads.csv” cancelled: 0 leads created, 3 rows not imported." in body
    assert 'data-testid="import-status">Cancelled' in body
    assert 'data-testid="cancel-import"' not in body
    assert "only a pending or running import can be cancelled" in again.content.decode()
