"""With the broker down, starting an import still succeeds and the sweeper keeps trying."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.imports.models import LeadImport
from leads.imports.services import lead_imports_requeue_stalled
from leads.models import Lead


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_starting_with_the_broker_down_keeps_the_import_for_the_sweeper(client, rep, upload, broker_down):
    # given an uploaded file
    lead_import = upload(rep)
    client.force_login(rep)
    data = {f"col_{i}": api for i, api in enumerate(lead_import.mapping)}

    # when the rep starts it while the broker is down
    response = client.post(reverse("leads:import_detail", args=[lead_import.pk]), {**data, "run_assignment": "on"})

    # then the page answers normally and the import waits, nothing lost
    assert response.status_code == 302
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.pending_count) == ("pending", 2)
    assert Lead.objects.count() == 0

    # when the sweeper runs after the stall delay, with the broker still down
    LeadImport.objects.filter(pk=lead_import.pk).update(last_activity_at=timezone.now() - timedelta(minutes=3))
    requeued = lead_imports_requeue_stalled()

    # then it picked the import up again, and the import keeps waiting for a broker
    assert requeued == [lead_import.pk]
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.pending_count) == ("pending", 2)
