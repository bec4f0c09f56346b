"""Queue backlog over time: the daily arithmetic on hand-built stays, snapshots (one per queue and
day, taken again safely), the rebuild from the owner history, the report in the viewer's scope,
and the accepts of each queue member."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from core.models import FieldHistory, OrgSettings
from leads.routing.services.accept import lead_accept
from reports import stats
from reports.backlog import backlog_backfill, backlog_snapshot_take, daily_backlog, queue_stays
from reports.models import QueueBacklogSnapshot
from reports.selectors import run_report
from tests.factories import LeadFactory, QueueFactory

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=dt.UTC)


def end_of(day: int) -> dt.datetime:
    return dt.datetime(2026, 11, day + 1, 0, 0, tzinfo=dt.UTC)


def owner_change(lead, old: str, new: str, when: dt.datetime, *, by=None, note: str = "") -> None:
    FieldHistory.objects.create(
        object_name="lead",
        record_id=lead.pk,
        field_name="owner",
        field_label="Lead Owner",
        old_value=old,
        new_value=new,
        changed_at=when,
        changed_by=by,
        note=note,
    )


@pytest.fixture
def private_sharing(db):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})


def test_daily_backlog_counts_each_stay_open_at_the_end_of_each_day():
    stays = [
        (at(1), at(3)),  # waits days 1 and 2, leaves on day 3
        (at(2), None),  # still waiting
        (at(3, 1), at(3, 2)),  # in and out within day 3: never at a day's end
        (at(2, 8), end_of(2)),  # leaves exactly at the end of day 2: not waiting then
    ]
    assert daily_backlog(stays, [end_of(d) for d in (1, 2, 3, 4)]) == [
        (1, at(1)),
        (2, at(1)),
        (1, at(2)),
        (1, at(2)),
    ]


def test_daily_backlog_of_no_stays_is_empty():
    assert daily_backlog([], [end_of(1)]) == [(0, None)]


def test_a_snapshot_is_one_row_per_queue_and_day_and_can_be_taken_again(rep):
    queue, empty = QueueFactory(name="Inbound"), QueueFactory(name="Partners")
    LeadFactory(owner_user=None, owner_queue=queue, owner_assigned_at=at(1))
    LeadFactory(owner_user=None, owner_queue=queue, owner_assigned_at=at(2))
    LeadFactory(owner_user=None, owner_queue=queue, owner_assigned_at=at(2), is_converted=True, converted_at=at(3))
    now = at(4)
    assert backlog_snapshot_take(now=now) == 2
    LeadFactory(owner_user=None, owner_queue=queue, owner_assigned_at=at(4))
    backlog_snapshot_take(now=now + dt.timedelta(hours=1))

    rows = {s.queue_id: s for s in QueueBacklogSnapshot.objects.filter(day=timezone.localdate(now))}
    assert len(rows) == 2
    assert rows[queue.pk].waiting == 3
    assert rows[queue.pk].oldest_since == at(1)
    assert rows[empty.pk].waiting == 0
    assert rows[empty.pk].oldest_since is None
    with pytest.raises(IntegrityError):
        QueueBacklogSnapshot.objects.create(queue=queue, day=timezone.localdate(now), waiting=1, taken_at=now)


def test_past_days_are_rebuilt_from_the_owner_history(rep):
    queue = QueueFactory(name="Inbound")
    # Routed to the queue at intake (no history) on day 1, accepted on day 3.
    accepted = LeadFactory(owner_user=rep, created_at=at(1), owner_assigned_at=at(3))
    owner_change(accepted, "Queue: Inbound", "Rep Smith", at(3), by=rep, note="Accepted from queue “Inbound”")
    # Moved into the queue on day 2 and out again on day 4, then back on day 5 (still there).
    moved = LeadFactory(owner_user=None, owner_queue=queue, created_at=at(1), owner_assigned_at=at(5))
    owner_change(moved, "Rep Smith", "Queue: Inbound", at(2))
    owner_change(moved, "Queue: Inbound", "Rep Smith", at(4))
    owner_change(moved, "Rep Smith", "Queue: Inbound", at(5))

    assert sorted(queue_stays()[queue.pk]) == [(at(1), at(3)), (at(2), at(4)), (at(5), None)]
    backlog_backfill(days=6, today=dt.date(2026, 11, 7))
    waiting = dict(QueueBacklogSnapshot.objects.filter(queue=queue, backfilled=True).values_list("day__day", "waiting"))
    assert waiting == {1: 1, 2: 2, 3: 1, 4: 0, 5: 1, 6: 1}
    # Again: nothing doubles, and a day with a snapshot keeps it.
    QueueBacklogSnapshot.objects.filter(queue=queue, day=dt.date(2026, 11, 6)).update(waiting=9, backfilled=False)
    backlog_backfill(days=6, today=dt.date(2026, 11, 7))
    assert QueueBacklogSnapshot.objects.filter(queue=queue).count() == 6
    assert QueueBacklogSnapshot.objects.get(queue=queue, day=dt.date(2026, 11, 6)).waiting == 9


def test_the_report_shows_each_queues_backlog_at_each_periods_end(marketing_admin, rep, private_sharing):
    inbound, partners = QueueFactory(name="Inbound"), QueueFactory(name="Partners")
    inbound.members.add(rep)
    for day, waiting in ((2, 4), (3, 6), (9, 1)):
        QueueBacklogSnapshot.objects.create(
            queue=inbound, day=dt.date(2026, 11, day), waiting=waiting, oldest_since=at(1), taken_at=at(day)
        )
    QueueBacklogSnapshot.objects.create(
        queue=partners, day=dt.date(2026, 11, 3), waiting=2, oldest_since=None, taken_at=at(3)
    )
    data = {"created_from": "2026-11-02", "created_to": "2026-11-15", "period": "week"}

    _spec, _params, result = run_report(user=marketing_admin, key="queue-backlog-trend", data=data)
    by_week = {row["period"]: row for row in result.rows}
    inbound_key, partners_key = f"q{inbound.pk}", f"q{partners.pk}"
    # The week of 2 November ends with the snapshot of the 3rd; the next with the 9th's.
    assert by_week["2026-11-02"][inbound_key] == 6
    assert by_week["2026-11-02"][partners_key] == 2
    assert by_week["2026-11-02"]["oldest_days"] == 2.5  # from noon on the 1st to the end of the 3rd
    assert by_week["2026-11-09"][inbound_key] == 1
    assert by_week["2026-11-09"][partners_key] is None
    assert result.chart["type"] == "line"
    assert result.links[0][inbound_key].endswith(f"owner=queue%3A{inbound.pk}")

    # A rep sees only the queues they belong to.
    _spec, _params, mine = run_report(user=rep, key="queue-backlog-trend", data=data)
    assert [c["key"] for c in mine.columns] == ["period", inbound_key, "oldest_days"]


def test_accepts_per_member_count_each_members_share(marketing_admin, rep, other_rep):
    queue = QueueFactory(name="Inbound")
    queue.members.add(rep, other_rep)
    for user in (rep, rep, other_rep):
        lead_accept(lead=LeadFactory(owner_user=None, owner_queue=queue), acting_user=user)
    today = timezone.localdate().isoformat()
    data = {"created_from": today, "created_to": today}

    _spec, _params, result = run_report(user=marketing_admin, key="queue-accepts", data=data)
    rows = {row["member"]: row for row in result.rows}
    assert len(rows) == 2
    counts = sorted((r["accepted"], r["share"]) for r in rows.values())
    assert counts == [(1, 33.3), (2, 66.7)]
    assert all(r["queue"] == "Inbound" for r in rows.values())


def test_the_backlog_now_gives_each_queues_age_percentiles(marketing_admin, rep, private_sharing):
    queue = QueueFactory(name="Inbound")
    queue.members.add(rep)
    now = timezone.now()
    for hours in (1, 2, 5, 8, 16, 40):
        LeadFactory(owner_user=None, owner_queue=queue, owner_assigned_at=now - dt.timedelta(hours=hours))
    LeadFactory(
        owner_user=None,
        owner_queue=queue,
        owner_assigned_at=now - dt.timedelta(days=9),
        is_converted=True,
        converted_at=now,
    )

    # An admin and a member of the queue see the same waiting leads and ages.
    _spec, _params, admin = run_report(user=marketing_admin, key="queue-backlog", data={})
    _spec, _params, member = run_report(user=rep, key="queue-backlog", data={})
    expected = [stats.days(stats.percentile([h * 3600.0 for h in (1, 2, 5, 8, 16, 40)], f)) for f in (0.5, 0.9)]
    for result in (admin, member):
        row = result.rows[0]
        assert row["waiting"] == 6
        assert [row["median_days"], row["p90_days"]] == pytest.approx(expected, abs=0.06)  # days to one decimal
