"""The worker's batches: received submissions become leads many at a time.

``submissions_process`` drains received rows in batches: one transaction locks up to a batch of them
(``SELECT ... FOR UPDATE SKIP LOCKED``, so several workers share the backlog), checks each row on
its own (form, fields, the per-render submission key, the default creator, the daily limit: a bad
row is marked with its reason and never stops the others), turns the good ones into leads through
the batched lead intake (``leads.intake.intake_batch``: multi-row inserts, the assignment rule
compiled once, the auto-responses queued together), runs the Web-to-Lead hooks of the apps above
(campaign membership, engagement), and marks every row with its outcome in one update.

A batch commits whole or not at all: a worker stopped in the middle loses nothing, its rows are
still received and the next worker takes them. A processed row is no longer received, so no row is
made into a lead twice. Should a batch fail as a whole, its rows are processed again one by one,
each in a savepoint, so that one bad row cannot hold back the others.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.db import update_rows
from core.memo import config_scope
from core.registry import run_web_to_lead_hooks_many
from core.request_id import request_id_bound
from leads.intake import IntakeOptions, IntakeRow, IntakeRules, intake_batch

from ..models import Intake, WebToLeadSettings
from ..selectors import leads_created_in_window, webtolead_settings
from .parsing import ParsedSubmission, _reason_from, _salesforce_errors
from .processing import (
    AUTORESPONSE_SOURCE,
    FINISH_FIELDS,
    RETRY_FAILED_AFTER,
    _mark,
    _note_unused_values,
    _notify_limit_reached,
    _process,
    _received_to_claim,
    _screen,
    _user_is_usable,
    pending_process,
)

logger = logging.getLogger(__name__)

# Submissions per transaction: a burst of thousands becomes leads in a few transactions, while a
# batch still commits within a fraction of a second.
BATCH_SIZE = 500
SAVED_FIELDS = [*FINISH_FIELDS, "duplicate_of"]


def _lead_note(intake: Intake) -> str:
    note = f"Web-to-Lead: {intake.form.name}"
    if intake.campaign:
        note += f" (campaign {intake.campaign})"
    return note


def _claim_keys(candidates: list[tuple[Intake, ParsedSubmission]]) -> tuple[list, list, list]:
    """Give each row its form's per-render submission key (saved with the row's outcome; the
    database's unique constraint holds the rule against other workers). Answers the rows to go on
    with, the rows whose key an earlier stored row holds (duplicates, with that row), and the rows
    whose key an earlier row of this batch takes: they wait for the next batch, where that row's
    outcome is known, as one row at a time would have found it."""
    keyed = [intake for intake, _parsed in candidates if intake.submission_key and intake.form_id is not None]
    batch_ids = {intake.pk for intake, _parsed in candidates}
    holders: dict[tuple[int, str], Intake] = {}
    if keyed:
        held = (
            Intake.objects.filter(
                form_id__in={i.form_id for i in keyed}, claimed_key__in={i.submission_key for i in keyed}
            )
            .exclude(pk__in=batch_ids)
            .select_related("lead")
        )
        holders = {(row.form_id, row.claimed_key): row for row in held}
    go_on, duplicates, later = [], [], []
    taken: set[tuple[int, str]] = set()
    for intake, parsed in candidates:
        if not intake.submission_key or intake.form_id is None:
            go_on.append((intake, parsed))
            continue
        key = (intake.form_id, intake.submission_key)
        if key in holders:
            duplicates.append((intake, holders[key]))
        elif key in taken:
            later.append(intake)
        else:
            taken.add(key)
            intake.claimed_key = intake.submission_key
            go_on.append((intake, parsed))
    return go_on, duplicates, later


def _capacity(settings_row: WebToLeadSettings, now) -> tuple[float, bool]:
    """How many leads the daily limit lets this batch make, and whether earlier submissions wait
    held by it (newcomers then queue behind them)."""
    if not settings_row.daily_limit:
        return math.inf, False
    # One batch at a time counts the window, so the limit holds under concurrency.
    WebToLeadSettings.objects.select_for_update().filter(pk=settings_row.pk).first()
    waiting = Intake.objects.filter(outcome=Intake.Outcome.PENDING).exists()
    return settings_row.daily_limit - leads_created_in_window(now=now), waiting


def _make_leads(candidates: list[tuple[Intake, ParsedSubmission]], creator) -> list[tuple[Intake, object, tuple]]:
    """The batched lead intake over the rows, grouped by what their forms ask (assignment,
    auto-response); marks refused rows and answers the (row, lead, intake notes) made (a row a
    duplicate rule attached to an existing lead answers that lead, with a note saying so)."""
    groups: dict[tuple[bool, bool], list] = defaultdict(list)
    for intake, parsed in candidates:
        groups[(intake.form.run_assignment, intake.form.send_autoresponse)].append((intake, parsed))
    made = []
    for (assign, auto_respond), members in groups.items():
        options = IntakeOptions(source=AUTORESPONSE_SOURCE, assign=assign, auto_respond=auto_respond)
        rows = [
            IntakeRow(
                data=parsed.data,
                custom_fields=parsed.custom,
                owner=creator,
                note=_lead_note(intake),
                request_id=getattr(intake, "request_id", "") or "",
            )
            for intake, parsed in members
        ]
        answers = intake_batch(rows=rows, options=options, acting_user=creator, rules=IntakeRules.load(options))
        for (intake, parsed), answer in zip(members, answers, strict=True):
            if isinstance(answer, ValidationError):
                errors = _salesforce_errors(answer)
                intake.claimed_key = None
                _mark(intake, Intake.Outcome.REJECTED, reason=_reason_from(errors), errors=errors)
                continue
            _note_unused_values(answer.lead, intake, parsed, creator)
            made.append((intake, answer.lead, answer.notes))
    return made


def _process_batch(rows: list[Intake], settings_row: WebToLeadSettings) -> tuple[int, list[Intake]]:
    """Process locked received rows together, inside the caller's transaction. Answers how many
    were processed and the rows left for a later batch."""
    Outcome = Intake.Outcome
    now = timezone.now()
    candidates = []
    for intake in rows:
        decided, parsed = _screen(intake, settings_row, check_spam=False)
        if decided is None:
            candidates.append((intake, parsed))
    candidates, duplicates, later = _claim_keys(candidates)
    for intake, original in duplicates:
        intake.duplicate_of = original
        _mark(intake, Outcome.DUPLICATE, reason="Submitted again from the same form page.", lead=original.lead)
    creator = settings_row.default_creator
    if not _user_is_usable(creator):
        for intake, _parsed in candidates:
            _mark(intake, Outcome.PENDING, reason="No active default lead creator is set in the Web-to-Lead settings.")
        candidates = []
    capacity, waiting = _capacity(settings_row, now) if candidates else (0, False)
    if waiting:
        # Oldest first: newcomers queue behind submissions already held by the daily limit.
        for intake, _parsed in candidates:
            _mark(intake, Outcome.PENDING, reason="Waiting behind earlier submissions held by the daily limit.")
        candidates = []
    made = []
    while candidates and capacity > 0:
        # A refused row makes no lead: the capacity it leaves goes to the next rows, in order.
        take = int(min(capacity, len(candidates)))
        chunk, candidates = candidates[:take], candidates[take:]
        chunk_made = _make_leads(chunk, creator)
        capacity -= len(chunk_made)
        made.extend(chunk_made)
    if candidates:
        for intake, _parsed in candidates:
            _mark(intake, Outcome.PENDING, reason=f"Over the daily limit of {settings_row.daily_limit} leads.")
        _notify_limit_reached(settings_row, now)
    notes = run_web_to_lead_hooks_many(items=[(lead, intake) for intake, lead, _notes in made], acting_user=creator)
    for intake, lead, intake_notes in made:
        _mark(intake, Outcome.CREATED, reason=" ".join([*intake_notes, *notes.get(intake.pk, [])]), lead=lead)
    waiting_ids = {intake.pk for intake in later}
    finished = [intake for intake in rows if intake.pk not in waiting_ids]
    _save_outcomes(finished)
    for intake in finished:
        # One line per submission, under the request id of its POST (as ``_process`` writes it).
        with request_id_bound(intake.request_id):
            logger.info(
                "Web-to-Lead submission %s: %s",
                intake.pk,
                intake.outcome,
                extra={"intake_id": intake.pk, "outcome": intake.outcome, "lead_id": intake.lead_id},
            )
    return len(finished), later


def _save_outcomes(rows: list[Intake]) -> None:
    """Write the rows' outcomes: on PostgreSQL one ``UPDATE ... FROM (VALUES ...)`` (Django's
    ``bulk_update`` builds a CASE per field and row, which costs more than the batch's leads)."""
    update_rows(rows, SAVED_FIELDS)


def _process_one_by_one(rows: list[Intake], settings_row: WebToLeadSettings) -> int:
    """Each row in its own savepoint: a row that fails keeps its outcome, notes the error and is
    tried again after ``RETRY_FAILED_AFTER``."""
    done = 0
    for row in rows:
        try:
            with transaction.atomic():
                _process(row, settings_row, check_spam=False, check_limit=True)
        except Exception as exc:
            with request_id_bound(row.request_id):
                logger.exception("Web-to-Lead submission %s could not be processed", row.pk)
            Intake.objects.filter(pk=row.pk).update(
                reason=f"Processing failed, to be tried again: {exc}"[:500], processed_at=timezone.now()
            )
            continue
        done += 1
    return done


def received_batch_process(rows: list[Intake], settings_row: WebToLeadSettings) -> tuple[int, list[int]]:
    """Process locked received rows, together when they can be, else one by one (inside the
    caller's transaction). Answers how many were processed and the ids left for a later batch."""
    try:
        with transaction.atomic():
            done, later = _process_batch(rows, settings_row)
            return done, [intake.pk for intake in later]
    except Exception:
        logger.warning(
            "A batch of %s Web-to-Lead submissions failed; processing them one by one.", len(rows), exc_info=True
        )
    fresh = list(
        Intake.objects.select_related("form").filter(pk__in=[r.pk for r in rows]).order_by("received_at", "id")
    )
    return _process_one_by_one(fresh, settings_row), []


def submissions_process(*, batch_size: int = BATCH_SIZE) -> int:
    """Turn stored submissions into leads: first those held by the daily limit (oldest first, as the
    window allows), then the received ones, oldest first, a batch per transaction.

    Safe to run concurrently and repeatedly: rows are claimed with ``skip_locked`` and a processed
    row is no longer received or pending. A row whose processing fails keeps its outcome, notes the
    error and is tried again after ``RETRY_FAILED_AFTER``. Answers how many rows were processed.
    """
    done = pending_process(batch_size=batch_size)
    tried: set[int] = set()
    while True:
        retry_before = timezone.now() - RETRY_FAILED_AFTER
        with transaction.atomic():
            settings_row = webtolead_settings()
            rows = list(
                _received_to_claim()
                .filter(Q(processed_at__isnull=True) | Q(processed_at__lt=retry_before))
                .exclude(pk__in=tried)
                .order_by("received_at", "id")[:batch_size]
            )
            if not rows:
                return done
            with config_scope():
                processed, later = received_batch_process(rows, settings_row)
            done += processed
            # A row held for the next batch is not tried yet (it waits for an earlier row's outcome).
            held = set(later)
            tried.update(row.pk for row in rows if row.pk not in held)
