"""Daily Web-to-Lead intake counts (``IntakeDailyCount``): submissions per received day, form and
outcome, so that the intake report reads a few hundred rows instead of every submission.

Every outcome a submission gets is written with its ``processed_at`` (``webtolead.services``), and
a new submission has its ``received_at``: the beat sweep (``intake_counts_sweep``) recounts the
day and form of every submission received or processed since its last run (with an overlap for
transactions that committed late), and ``manage.py reports_backfill`` recounts them all. A day and
form are recounted as a whole from the submissions, so running either twice changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, DateField
from django.db.models.functions import TruncDay
from django.utils import timezone

from webtolead.models import Intake

from . import stats
from .models import IntakeDailyCount, RollupState
from .rollups import SWEEP_OVERLAP

# The outcomes the intake report shows (received and duplicate submits are not counted).
COUNTED_OUTCOMES = ("created", "pending", "spam", "rejected")


def _state() -> RollupState:
    RollupState.objects.get_or_create(singleton=1)
    return RollupState.objects.select_for_update().get(singleton=1)


def _recount(pairs: set[tuple[dt.date, int | None]]) -> None:
    """Rewrite the counts of each (day, form) from its submissions."""
    for day, form_id in sorted(pairs, key=lambda p: (p[0], p[1] or 0)):
        start, end = stats.day_bounds(day, day)
        rows = (
            Intake.objects.filter(form_id=form_id, received_at__gte=start, received_at__lt=end)
            .filter(outcome__in=COUNTED_OUTCOMES)
            .values_list("outcome")
            .annotate(n=Count("pk"))
            .order_by()
        )
        IntakeDailyCount.objects.filter(day=day, form_id=form_id).delete()
        IntakeDailyCount.objects.bulk_create(
            IntakeDailyCount(day=day, form_id=form_id, outcome=outcome, n=n) for outcome, n in rows
        )


def _touched_since(since: dt.datetime) -> set[tuple[dt.date, int | None]]:
    """(day, form) of the submissions received or given an outcome since ``since``: one index range
    per outcome (the indexes of ``Intake`` lead with the outcome)."""
    day = TruncDay("received_at", output_field=DateField())
    pairs: set[tuple[dt.date, int | None]] = set()
    for outcome in Intake.Outcome.values:
        for column in ("received_at", "processed_at"):
            pairs.update(
                Intake.objects.filter(outcome=outcome, **{f"{column}__gte": since})
                .annotate(day=day)
                .values_list("day", "form_id")
                .distinct()
            )
    return pairs


@transaction.atomic
def intake_counts_sweep() -> int:
    """Recount the days and forms of the submissions received or processed since the last sweep;
    answers the (day, form) pairs recounted. Before the first backfill it does nothing."""
    state = _state()
    if state.intake_swept_until is None:
        return 0
    now = timezone.now()
    pairs = _touched_since(state.intake_swept_until - SWEEP_OVERLAP)
    _recount(pairs)
    RollupState.objects.filter(singleton=1).update(intake_swept_until=now)
    return len(pairs)


@transaction.atomic
def intake_counts_backfill() -> int:
    """Recount every day and form from the submissions; answers the rows written."""
    _state()
    now = timezone.now()
    IntakeDailyCount.objects.all().delete()
    rows = (
        Intake.objects.filter(outcome__in=COUNTED_OUTCOMES)
        .annotate(day=TruncDay("received_at", output_field=DateField()))
        .values_list("day", "form_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    created = IntakeDailyCount.objects.bulk_create(
        (IntakeDailyCount(day=day, form_id=form_id, outcome=outcome, n=n) for day, form_id, outcome, n in rows),
        batch_size=5_000,
    )
    RollupState.objects.filter(singleton=1).update(intake_swept_until=now)
    return len(created)


def intake_counts_ready() -> bool:
    return RollupState.objects.filter(intake_swept_until__isnull=False).exists()
