"""A real Celery worker on Redis takes the queue backlog snapshot that beat publishes: one row per
queue for today, however often the task runs."""

import pytest
from django.utils import timezone

from reports.models import QueueBacklogSnapshot
from reports.tasks import snapshot_queue_backlog
from tests.factories import LeadFactory, QueueFactory
from tests.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_worker_snapshots_each_queues_backlog_once_per_day(celery_worker_process):
    queue = QueueFactory(name="Inbound")
    QueueFactory(name="Partners")
    LeadFactory.create_batch(2, owner_user=None, owner_queue=queue)

    snapshot_queue_backlog.delay()
    assert wait_until(lambda: QueueBacklogSnapshot.objects.count() == 2)
    LeadFactory(owner_user=None, owner_queue=queue)
    snapshot_queue_backlog.delay()
    assert wait_until(lambda: QueueBacklogSnapshot.objects.get(queue=queue).waiting == 3)

    assert QueueBacklogSnapshot.objects.count() == 2
    assert set(QueueBacklogSnapshot.objects.values_list("day", flat=True)) == {timezone.localdate()}
