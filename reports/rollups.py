"""Report rollups: per-lead facts (``LeadFact``), status visits (``StatusStay``) and daily counts
(``LeadDailyCount``), kept up to date from the leads.

Three ways keep them current, all through ``rollups_refresh`` (one computation, so the rollups
always equal what the raw reports compute):
- the Field History hook (``on_record_change``): a changed lead is refreshed on commit;
- the beat sweep (``rollups_sweep``): leads created or modified since the last sweep (lead intake
  writes no history) and facts of deleted leads;
- ``manage.py reports_backfill``: every lead, in batches.

Facts depend on the lead status picklist (its default and its "converted" values): after changing
those, run the backfill again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from activities.models import Call
from core.memo import memoized
from core.models import FieldHistory, PicklistValue
from core.registry import publish_after_commit
from core.selectors import picklist_default
from emails.models import OutboundEmail
from leads.fields import OBJECT_NAME
from leads.models import Lead, LeadNote

from . import histograms
from .models import LeadDailyCount, LeadDailySourceCount, LeadFact, RollupState, StatusStay

logger = logging.getLogger(__name__)
BATCH = 5_000
# Leads modified this long before the last sweep are read again: a transaction that started
# before the sweep may commit a change stamped earlier.
SWEEP_OVERLAP = dt.timedelta(minutes=5)


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _stage_settings() -> tuple[str, set[str]]:
    # Configuration: read once per scope (the refreshes of a bulk conversion's leads).
    return memoized(("rollup_stage_settings",), _read_stage_settings)


def _read_stage_settings() -> tuple[str, set[str]]:
    default = picklist_default(object_name=OBJECT_NAME, field_name="status") or ""
    qualified = set(
        PicklistValue.objects.filter(object_name=OBJECT_NAME, field_name="status", is_converted=True).values_list(
            "api_name", flat=True
        )
    )
    return default, qualified


def status_visits(created: dt.datetime, status: str, converted: bool, events: list[tuple]) -> list[tuple]:
    """(status, entered at, seconds) of each visit of a lead in a status, from its status changes
    ``(changed_at, old, new)`` in order: the lead starts in the old value of its first change (or
    its current status) at creation, and each change ends one visit. The visit still running has
    ``None`` seconds; a converted lead has none."""
    visits = []
    current, since = (events[0][1] if events else status), created
    for changed_at, _old, new in events:
        visits.append((current, since, max((changed_at - since).total_seconds(), 0.0)))
        current, since = new, changed_at
    if not converted:
        visits.append((status, since, None))
    return visits


def first_touches(lead_ids: list[int]) -> dict[int, dt.datetime]:
    """{lead id: its first touch by a person}: the earliest status change, note, logged call or
    email made by a user (automatic changes and emails have no user and do not count)."""
    touches: dict[int, dt.datetime] = {}

    def keep(rows) -> None:
        for lead_id, moment in rows:
            if lead_id is not None and moment is not None and (lead_id not in touches or moment < touches[lead_id]):
                touches[lead_id] = moment

    keep(
        FieldHistory.objects.filter(
            object_name=OBJECT_NAME, field_name="status", record_id__in=lead_ids, changed_by__isnull=False
        )
        .values("record_id")
        .annotate(first=Min("changed_at"))
        .values_list("record_id", "first")
    )
    keep(
        LeadNote.objects.filter(lead_id__in=lead_ids, created_by__isnull=False)
        .values("lead_id")
        .annotate(first=Min("created_at"))
        .values_list("lead_id", "first")
    )
    for column in ("lead_id", "converted_lead_id"):
        keep(
            Call.objects.filter(**{f"{column}__in": lead_ids}, created_by__isnull=False)
            .values(column)
            .annotate(first=Min("called_at"))
            .values_list(column, "first")
        )
    keep(
        OutboundEmail.objects.filter(object_name=OBJECT_NAME, record_id__in=lead_ids, created_by__isnull=False)
        .values("record_id")
        .annotate(first=Min("created_at"))
        .values_list("record_id", "first")
    )
    return touches


def _facts_for(lead_rows: list[dict], now: dt.datetime) -> tuple[list[LeadFact], dict[int, list[dict]]]:
    """Facts and status visits of leads, from their rows and their status history."""
    default, qualified = _stage_settings()
    touches = first_touches([r["id"] for r in lead_rows])
    changes: dict[int, list[tuple]] = defaultdict(list)
    history = (
        FieldHistory.objects.filter(
            object_name=OBJECT_NAME, field_name="status", record_id__in=[r["id"] for r in lead_rows]
        )
        .order_by("record_id", "changed_at", "id")
        .values_list("record_id", "changed_at", "old_value", "new_value")
    )
    for record_id, changed_at, old, new in history.iterator():
        changes[record_id].append((changed_at, old, new))
    facts, stays = [], {}
    for row in lead_rows:
        events = changes.get(row["id"], [])
        created, status, converted = row["created_at"], row["status"], row["is_converted"]
        day = _local_day(created)
        copied = {
            "lead_created_day": day,
            "lead_source": row["lead_source"],
            "owner_user_id_copy": row["owner_user_id"],
            "owner_queue_id_copy": row["owner_queue_id"],
        }
        stays[row["id"]] = [
            {"status": visit, "entered_at": since, "seconds": seconds, **copied}
            for visit, since, seconds in status_visits(created, status, converted, events)
        ]
        done = row["converted_at"]
        facts.append(
            LeadFact(
                lead_id=row["id"],
                created_day=day,
                created_at=created,
                lead_source=row["lead_source"],
                status=status,
                owner_user_id=row["owner_user_id"],
                owner_queue_id=row["owner_queue_id"],
                is_converted=converted,
                owner_assigned_at=row["owner_assigned_at"],
                reached_working=converted or bool(events) or status != default,
                reached_qualified=converted or status in qualified or any(e[2] in qualified for e in events),
                seconds_to_convert=(done - created).total_seconds() if converted and done else None,
                seconds_to_first_touch=(
                    max((touches[row["id"]] - created).total_seconds(), 0.0) if row["id"] in touches else None
                ),
                refreshed_at=now,
            )
        )
    return facts, stays


LEAD_FIELDS = (
    "id",
    "created_at",
    "lead_source",
    "status",
    "owner_user_id",
    "owner_queue_id",
    "is_converted",
    "converted_at",
    "owner_assigned_at",
)


def _recount_days(days: Iterable[dt.date]) -> None:
    days = sorted(set(days))
    _recount_counts(days)
    histograms.recount(days)


def _recount_counts(days: list[dt.date]) -> None:
    if not days:
        return
    for model, dimensions in (
        (LeadDailyCount, ("lead_source", "status", "owner_user_id", "owner_queue_id")),
        (LeadDailySourceCount, ("lead_source", "status")),
    ):
        model.objects.filter(day__in=days).delete()
        counted = (
            LeadFact.objects.filter(created_day__in=days, lead__isnull=False)
            .values("created_day", *dimensions)
            .annotate(
                n=Count("pk"),
                w=Count("pk", filter=Q(reached_working=True)),
                q=Count("pk", filter=Q(reached_qualified=True)),
                c=Count("pk", filter=Q(is_converted=True)),
            )
            .order_by()
        )
        model.objects.bulk_create(
            (
                model(
                    day=r["created_day"],
                    **{d: r[d] for d in dimensions},
                    leads=r["n"],
                    working=r["w"],
                    qualified=r["q"],
                    converted=r["c"],
                )
                for r in counted.iterator()
            ),
            batch_size=BATCH,
        )


def _state() -> RollupState:
    """The rollup state row, locked: refreshes run one at a time, so two of them never recount the
    same day at once."""
    state = RollupState.objects.select_for_update().filter(singleton=1).first()
    if state is None:
        RollupState.objects.get_or_create(singleton=1)
        state = RollupState.objects.select_for_update().get(singleton=1)
    return state


def _refresh(lead_ids: list[int], *, recount: bool = True) -> set[dt.date]:
    """Rewrite the facts of ``lead_ids`` (and drop those of deleted leads); answers the days touched."""
    now = timezone.now()
    lead_rows = list(Lead.objects.filter(pk__in=lead_ids).values(*LEAD_FIELDS))
    old = LeadFact.objects.filter(Q(lead_id__in=lead_ids) | Q(lead__isnull=True))
    days = set(old.values_list("created_day", flat=True))
    old.delete()
    facts, stays = _facts_for(lead_rows, now)
    LeadFact.objects.bulk_create(facts, batch_size=BATCH)
    by_lead = {f.lead_id: f for f in facts}
    StatusStay.objects.bulk_create(
        (StatusStay(fact_id=by_lead[lead_id].pk, **visit) for lead_id, visits in stays.items() for visit in visits),
        batch_size=BATCH,
    )
    days |= {f.created_day for f in facts}
    if recount:
        _recount_days(days)
    return days


@transaction.atomic
def rollups_refresh(*, lead_ids: Iterable[int]) -> int:
    """Bring the rollups of these leads up to date (idempotent); answers the leads refreshed."""
    ids = sorted(set(lead_ids))
    _state()
    for start in range(0, len(ids), BATCH):
        _refresh(ids[start : start + BATCH])
    return len(ids)


@transaction.atomic
def rollups_sweep() -> int:
    """Refresh the leads created or changed since the last sweep and forget deleted ones."""
    state = _state()
    now = timezone.now()
    qs = Lead.objects.all()
    if state.swept_until is not None:
        qs = qs.filter(last_modified_at__gte=state.swept_until - SWEEP_OVERLAP)
    ids = list(qs.values_list("pk", flat=True))
    if not ids and not LeadFact.objects.filter(lead__isnull=True).exists():
        RollupState.objects.filter(singleton=1).update(swept_until=now)
        return 0
    for start in range(0, max(len(ids), 1), BATCH):
        _refresh(ids[start : start + BATCH])
    RollupState.objects.filter(singleton=1).update(swept_until=now)
    return len(ids)


def rollups_backfill(*, log=None) -> int:
    """Rebuild every rollup from the leads, in batches of ``BATCH`` leads (one transaction each),
    then recount every day."""
    with transaction.atomic():
        _state()
        started = timezone.now()
        LeadFact.objects.filter(lead__isnull=True).delete()
    last, done = 0, 0
    while True:
        ids = list(Lead.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            _refresh(ids, recount=False)
        last, done = ids[-1], done + len(ids)
        if log:
            log(done)
    rollups_recount(swept_until=started)
    return done


@transaction.atomic
def rollups_recount(*, swept_until: dt.datetime | None = None) -> None:
    """Recount the daily counts and the duration histograms from the facts, without reading the
    leads again (after an upgrade that adds a rollup built from the facts)."""
    _state()
    LeadDailyCount.objects.all().delete()
    LeadDailySourceCount.objects.all().delete()
    _recount_counts(sorted(LeadFact.objects.values_list("created_day", flat=True).distinct()))
    histograms.recount(None)
    changes: dict = {"histograms_ready": True}
    if swept_until is not None:
        changes["swept_until"] = swept_until
    RollupState.objects.filter(singleton=1).update(**changes)


def _publish_refresh(lead_id: int) -> None:
    """Hand a lead's refresh to the broker. Never raises: with the broker down, the next sweep
    refreshes the lead (its change moved its ``last_modified_at``)."""
    from .tasks import refresh_lead_rollups

    try:
        refresh_lead_rollups.delay(lead_id)
    except Exception:  # the broker is down or its breaker is open: the sweep catches up
        logger.info("Rollups of lead %s left to the next sweep.", lead_id, exc_info=True)


def on_record_change(*, object_name: str, record_id: int) -> None:
    """Field History hook: a lead's changed status reaches the rollups once the change commits."""
    if object_name == OBJECT_NAME:
        # A bulk conversion gathers its leads' refreshes into one task (see commits_gathered).
        publish_after_commit(record_id, publish_one=_publish_refresh, publish_many=_publish_refresh_many)


def _publish_refresh_many(lead_ids: list[int]) -> None:
    from .tasks import refresh_lead_rollups

    try:
        refresh_lead_rollups.delay(lead_ids=lead_ids)
    except Exception:  # the broker is down or its breaker is open: the sweep catches up
        logger.info("Rollups of %s leads left to the next sweep.", len(lead_ids), exc_info=True)


def on_record_change_many(*, object_name: str, record_ids: list[int]) -> None:
    """The batch form of ``on_record_change`` (a batch of imported or Web-to-Lead leads): one task
    refreshes the batch's leads, instead of one task per lead."""
    if object_name == OBJECT_NAME and record_ids:
        ids = list(record_ids)
        transaction.on_commit(lambda: _publish_refresh_many(ids))


def on_lead_touch(*, lead_id: int, **kwargs) -> None:
    """Lead touch hook (a note, a call, an email by a person): its first touch reaches the rollups."""
    transaction.on_commit(lambda: _publish_refresh(lead_id))
