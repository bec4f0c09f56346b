"""Queue backlog over time: one snapshot per queue and day (``QueueBacklogSnapshot``), taken by a
periodic task from the leads and, for the days before the first snapshot, rebuilt from the lead
owner history; and the accepts of each queue member.

A lead waits in a queue from the moment the queue got it (``owner_assigned_at``, or the owner
change that gave it to the queue, or its creation when it was routed there at intake) until it
gets another owner or is converted.
"""

from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_left, bisect_right
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from core.models import FieldHistory
from leads.fields import OBJECT_NAME
from leads.models import Lead, Queue
from leads.ownership import owner_label

from .models import QueueBacklogSnapshot

# The note the accept services write on the owner change (``leads.routing.services.accept``).
ACCEPT_NOTE_PREFIX = "Accepted from queue"


@transaction.atomic
def backlog_snapshot_take(*, now: dt.datetime | None = None) -> int:
    """Today's backlog of every queue (rewritten until the day ends: safe to run any number of
    times); answers the queues snapshot."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    counted = {
        row["owner_queue_id"]: row
        for row in Lead.objects.filter(owner_queue__isnull=False, is_converted=False)
        .values("owner_queue_id")
        .annotate(n=Count("pk"), oldest=Min("owner_assigned_at"))
        .order_by()
    }
    snapshots = [
        QueueBacklogSnapshot(
            queue_id=queue_id,
            day=day,
            waiting=counted.get(queue_id, {}).get("n", 0),
            oldest_since=counted.get(queue_id, {}).get("oldest"),
            taken_at=now,
            backfilled=False,
        )
        for queue_id in Queue.objects.values_list("pk", flat=True)
    ]
    QueueBacklogSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["queue", "day"],
        update_fields=["waiting", "oldest_since", "taken_at", "backfilled"],
    )
    return len(snapshots)


def queue_labels(queues=None) -> dict[str, int]:
    """{the owner history's text of a queue: its id} (queue names are unique)."""
    return {owner_label(queue): queue.pk for queue in (Queue.objects.all() if queues is None else queues)}


def queue_stays() -> dict[int, list[tuple[dt.datetime, dt.datetime | None]]]:
    """{queue id: [(since, until or None)]}: every stay of a lead in a queue that the leads and
    the owner history tell of (the history holds owners as their labels)."""
    queues = queue_labels()
    stays: dict[int, list] = defaultdict(list)
    for queue_id, since, converted_at in Lead.objects.filter(owner_queue__isnull=False).values_list(
        "owner_queue_id", "owner_assigned_at", "converted_at"
    ):
        stays[queue_id].append((since, converted_at))
    changes = (
        FieldHistory.objects.filter(object_name=OBJECT_NAME, field_name="owner", old_value__in=list(queues))
        .order_by("record_id", "changed_at", "id")
        .values_list("record_id", "changed_at", "old_value")
    )
    left = list(changes)
    if not left:
        return stays
    lead_ids = {record_id for record_id, _at, _old in left}
    created = dict(Lead.objects.filter(pk__in=lead_ids).values_list("pk", "created_at"))
    arrivals: dict[tuple[int, str], list[dt.datetime]] = defaultdict(list)
    for record_id, changed_at, new in FieldHistory.objects.filter(
        object_name=OBJECT_NAME, field_name="owner", new_value__in=list(queues), record_id__in=lead_ids
    ).values_list("record_id", "changed_at", "new_value"):
        arrivals[(record_id, new)].append(changed_at)
    for record_id, changed_at, old in left:
        # The stay began at the latest arrival before it ended, else at the lead's creation.
        earlier = [at for at in arrivals.get((record_id, old), []) if at <= changed_at]
        since = max(earlier) if earlier else created.get(record_id)
        if since is not None:
            stays[queues[old]].append((since, changed_at))
    return stays


def daily_backlog(stays: list[tuple], day_ends: list[dt.datetime]) -> list[tuple[int, dt.datetime | None]]:
    """(waiting, oldest since) at each of ``day_ends`` (in order) from a queue's stays: a stay
    counts at ``t`` when it began before ``t`` and had not ended by then."""
    ordered = sorted(stays, key=lambda s: s[0])
    starts = [s for s, _e in ordered]
    ends = sorted(e for _s, e in ordered if e is not None)
    heap: list[tuple] = []
    taken, out = 0, []
    for t in day_ends:
        while taken < len(ordered) and ordered[taken][0] < t:
            since, until = ordered[taken]
            heapq.heappush(heap, (since, until or dt.datetime.max.replace(tzinfo=dt.UTC)))
            taken += 1
        while heap and heap[0][1] <= t:
            heapq.heappop(heap)
        waiting = bisect_left(starts, t) - bisect_right(ends, t)
        out.append((waiting, heap[0][0] if heap else None))
    return out


@transaction.atomic
def backlog_backfill(*, days: int, today: dt.date | None = None) -> int:
    """Snapshots of the ``days`` days before today rebuilt from the leads and the owner history;
    a day that has a snapshot keeps it (safe to run again). Answers the rows offered."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=days)
    day_list = [first + dt.timedelta(days=n) for n in range(days)]
    day_ends = [timezone.make_aware(dt.datetime.combine(d + dt.timedelta(days=1), dt.time.min)) for d in day_list]
    now = timezone.now()
    stays = queue_stays()
    rows = []
    for queue_id in Queue.objects.values_list("pk", flat=True):
        for day, (waiting, oldest) in zip(day_list, daily_backlog(stays.get(queue_id, []), day_ends), strict=True):
            rows.append(
                QueueBacklogSnapshot(
                    queue_id=queue_id, day=day, waiting=waiting, oldest_since=oldest, taken_at=now, backfilled=True
                )
            )
    created = QueueBacklogSnapshot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5_000)
    return len(created)
