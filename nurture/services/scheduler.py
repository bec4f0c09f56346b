"""The scheduler: beat runs ``nurture_tick``, which takes due enrolments in batches with
``SELECT ... FOR UPDATE SKIP LOCKED`` and runs each through the step engine.

Each batch is one transaction: the emails it sends (outbox rows and their ``NurtureSend`` rows, one
per enrolment and step, unique) and the enrolments' new positions commit together or not at all. Several workers may tick at once (each takes rows the others have not
locked); a worker killed mid-batch leaves its transaction rolled back and its enrolments due, so
the next tick runs them again and nothing is lost or sent twice. The outbox rows are handed to the
broker after the commit, a chunk per task.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from core.criteria import compile_criteria, field_specs
from core.db import insert_columns
from core.fields import validate_email
from core.registry import leads_reached_mql
from emails.models import OutboundEmail
from emails.rendering import CompiledTemplate, field_map
from engagement.models import EngagementEvent
from leads.models import Lead

from ..models import NurtureEnrolment, NurtureSend, NurtureSequence, NurtureStep, NurtureThrottle
from . import engine

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
PUBLISH_CHUNK = 200
# The email kind of a sequence's emails in the outbox.
EMAIL_KIND = OutboundEmail.Kind.NURTURE.value
LEAD_TIME_ZONE_FIELD = "Time_Zone__c"
THROTTLE_WINDOW = dt.timedelta(minutes=1)
RETRY_AFTER_ERROR = dt.timedelta(minutes=10)


@dataclass
class BatchResult:
    processed: int = 0
    sent: int = 0
    exited: int = 0
    completed: int = 0


def emails_per_minute() -> int:
    """The global throttle (0: none)."""
    return int(getattr(settings, "NURTURE_EMAILS_PER_MINUTE", 0) or 0)


def idempotency_key(enrolment_id: int, lead_id: int, step_id: int) -> str:
    return f"nurture:lead-{lead_id}:step-{step_id}:enrolment-{enrolment_id}"


# Throttle --------------------------------------------------------------------------------------


def throttle_take(wanted: int, *, now: dt.datetime) -> tuple[int, dt.datetime]:
    """Take up to ``wanted`` emails from this minute's budget (a short transaction of its own, so
    workers hold the row lock only for this); answers the number granted and when the window ends."""
    limit = emails_per_minute()
    if limit <= 0:
        return wanted, now
    with transaction.atomic():
        row = NurtureThrottle.objects.select_for_update().filter(singleton=1).first()
        if row is None:
            NurtureThrottle.objects.bulk_create(
                [NurtureThrottle(singleton=1, window_started_at=now, used=0)], ignore_conflicts=True
            )
            row = NurtureThrottle.objects.select_for_update().get(singleton=1)
        if row.window_started_at <= now - THROTTLE_WINDOW or row.window_started_at > now:
            row.window_started_at, row.used = now, 0
        granted = max(0, min(wanted, limit - row.used))
        row.used += granted
        row.save(update_fields=["window_started_at", "used"])
    return granted, row.window_started_at + THROTTLE_WINDOW


def throttle_give_back(unused: int, *, window_ends: dt.datetime) -> None:
    if unused > 0 and emails_per_minute() > 0:
        NurtureThrottle.objects.filter(singleton=1, window_started_at=window_ends - THROTTLE_WINDOW).update(
            used=Greatest(F("used") - unused, 0)
        )


# Facts -----------------------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


class _Budget:
    def __init__(self, granted: int, retry_at: dt.datetime):
        self.left, self.granted, self.retry_at = granted, granted, retry_at

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


class _EnrolmentFacts:
    """The engine's questions about one enrolment, answered from what the batch read at once."""

    def __init__(self, batch: _Batch, enrolment: NurtureEnrolment):
        self.batch, self.enrolment, self.lead, self.sequence = batch, enrolment, enrolment.lead, enrolment.sequence

    def exit_reason(self) -> str:
        lead, reasons = self.lead, NurtureEnrolment.ExitReason
        if self.sequence.status != NurtureSequence.Status.ACTIVE:
            return reasons.SEQUENCE_PAUSED
        if lead.is_converted:
            return reasons.CONVERTED
        if self.sequence.lead_statuses and lead.status not in self.sequence.lead_statuses:
            return reasons.STATUS_CHANGED
        if lead.email_opt_out:
            return reasons.OPTED_OUT
        statuses = self.batch.sent_statuses.get(self.enrolment.pk, set())
        if OutboundEmail.Status.FAILED in statuses:
            return reasons.BOUNCED
        if "skipped" in statuses:  # refused at send time for want of consent
            return reasons.OPTED_OUT
        try:
            validate_email((lead.email or "").strip())
        except ValidationError:
            return reasons.INVALID_EMAIL
        if lead.pk in self.batch.mql:
            return reasons.MQL
        return ""

    def condition(self, step: NurtureStep) -> bool:
        if step.condition == NurtureStep.Condition.CRITERIA:
            return self.batch.criteria(step).matches(self.lead)
        if step.condition == NurtureStep.Condition.SCORE:
            score = self.batch.scores.get(self.lead.pk)
            return score is not None and score >= (step.score_min or 0)
        email_id = self.batch.sent_emails.get((self.enrolment.pk, step.ref_step_id))
        events = self.batch.events.get(email_id, set())
        if step.condition == NurtureStep.Condition.OPENED:
            return bool(events)  # a click means it was opened, even when the open pixel was blocked
        return EngagementEvent.Type.EMAIL_CLICK in events

    def time_zone(self) -> ZoneInfo:
        if self.sequence.use_lead_time_zone:
            found = _zone(str((self.lead.custom_fields or {}).get(LEAD_TIME_ZONE_FIELD) or ""))
            if found is not None:
                return found
        return _zone(self.sequence.time_zone) or ZoneInfo(settings.TIME_ZONE)

    def send_time(self, now: dt.datetime) -> dt.datetime:
        s = self.sequence
        return engine.next_send_time(
            now, tz=self.time_zone(), start=s.send_window_start, end=s.send_window_end, days=s.send_days
        )

    def take_send(self) -> bool:
        return self.batch.budget.take()

    def throttle_retry_at(self) -> dt.datetime:
        return self.batch.budget.retry_at

    def else_position(self, step: NurtureStep) -> int | None:
        return self.batch.positions.get(step.else_step_id) if step.else_step_id else None


class _Batch:
    """What a batch reads once for all its enrolments."""

    def __init__(self, enrolments: list[NurtureEnrolment], budget: _Budget):
        self.budget = budget
        sequence_ids = {e.sequence_id for e in enrolments}
        self.steps: dict[int, list[NurtureStep]] = {sid: [] for sid in sequence_ids}
        for step in (
            NurtureStep.objects.filter(sequence_id__in=sequence_ids)
            .select_related("template")
            .order_by("sequence_id", "position", "id")
        ):
            self.steps[step.sequence_id].append(step)
        self.positions = {s.pk: s.position for steps in self.steps.values() for s in steps}
        self.sent_steps: dict[int, set[int]] = {}
        self.sent_statuses: dict[int, set[str]] = {}
        self.sent_emails: dict[tuple[int, int], int] = {}
        for enrolment_id, step_id, email_id, status in NurtureSend.objects.filter(
            enrolment_id__in=[e.pk for e in enrolments]
        ).values_list("enrolment_id", "step_id", "outbound_email_id", "outbound_email__status"):
            self.sent_steps.setdefault(enrolment_id, set()).add(step_id)
            if status:
                self.sent_statuses.setdefault(enrolment_id, set()).add(status)
            if email_id:
                self.sent_emails[(enrolment_id, step_id)] = email_id
        lead_ids = [e.lead_id for e in enrolments]
        self.mql = leads_reached_mql(lead_ids)
        branches = [s for steps in self.steps.values() for s in steps if s.kind == NurtureStep.Kind.BRANCH]
        self.scores: dict[int, int] = {}
        if any(s.condition == NurtureStep.Condition.SCORE for s in branches):
            self.scores = _default_scores(lead_ids)
        self.events: dict[int, set[str]] = {}
        if any(s.condition in (NurtureStep.Condition.OPENED, NurtureStep.Condition.CLICKED) for s in branches):
            for email_id, event_type in EngagementEvent.objects.filter(
                outbound_email_id__in=set(self.sent_emails.values()),
                event_type__in=[EngagementEvent.Type.EMAIL_OPEN, EngagementEvent.Type.EMAIL_CLICK],
            ).values_list("outbound_email_id", "event_type"):
                self.events.setdefault(email_id, set()).add(event_type)
        self._compiled: dict[int, object] = {}
        self._specs = None

    def criteria(self, step: NurtureStep):
        if step.pk not in self._compiled:
            if self._specs is None:
                self._specs = field_specs("lead")
            self._compiled[step.pk] = compile_criteria(
                object_name="lead", criteria=step.criteria, logic=step.filter_logic, specs=self._specs
            )
        return self._compiled[step.pk]


def _default_scores(lead_ids: list[int]) -> dict[int, int]:
    """Each lead's score by the default scoring model (scoring sits beside this app)."""
    from scoring.models import LeadScore

    return dict(LeadScore.objects.filter(lead_id__in=lead_ids, model__is_default=True).values_list("lead_id", "score"))


# Writing a batch's outcome ---------------------------------------------------------------------


class _Compiled(dict):
    """Each email step's template, parsed once per batch and merged per lead."""

    def __init__(self):
        super().__init__()
        self.fields = None

    def of(self, step: NurtureStep) -> CompiledTemplate:
        if step.pk not in self:
            if self.fields is None:
                self.fields = field_map("lead")  # read once per batch, not per email
            self[step.pk] = CompiledTemplate(step.template, object_name="lead", fields=self.fields)
        return self[step.pk]


class _Emails:
    """The batch's emails, kept as the columns of their outbox rows and sends (a batch of a
    thousand makes no model instance per email), written with one insert each."""

    OUTBOX_COLUMNS = (
        "idempotency_key",
        "to_address",
        "from_name",
        "from_address",
        "reply_to",
        "subject",
        "body_text",
        "body_html",
        "record_id",
        "template_id",
    )

    def __init__(self, compiled: _Compiled):
        self.compiled = compiled
        self.outbox: dict[str, list] = {name: [] for name in self.OUTBOX_COLUMNS}
        self.sends: dict[str, list] = {"enrolment_id": [], "step_id": [], "lead_id": []}

    def make(self, enrolment: NurtureEnrolment, step: NurtureStep) -> tuple:
        """The step's email to the enrolment's lead: its outbox values and its send's (raises when
        the template cannot be merged)."""
        lead, sequence, template = enrolment.lead, enrolment.sequence, step.template
        rendered = self.compiled.of(step).render(lead)
        subject = " ".join(rendered.subject.split()) or template.name
        email = (
            idempotency_key(enrolment.pk, lead.pk, step.pk),
            lead.email.strip(),
            sequence.from_name,
            sequence.from_address,
            sequence.reply_to,
            subject,
            rendered.body_text if rendered.body_text.strip() else subject,
            rendered.body_html,
            lead.pk,
            template.pk,
        )
        return email, (enrolment.pk, step.pk, lead.pk)

    def add(self, made: list[tuple]) -> None:
        for email, send in made:
            for column, value in zip(self.outbox.values(), email, strict=True):
                column.append(value)
            for column, value in zip(self.sends.values(), send, strict=True):
                column.append(value)

    def write(self, *, due_at: dt.datetime, sent_at: dt.datetime) -> list[int]:
        """Insert the outbox rows (due at ``due_at``: no later than the real clock, for a test may
        move the scheduler's ahead and the outbox delivers by the real one) and their sends;
        answers the outbox ids."""
        email_ids = insert_columns(
            OutboundEmail,
            rows=self.outbox,
            same={
                "status": OutboundEmail.Status.QUEUED.value,
                "kind": EMAIL_KIND,
                "is_marketing": True,
                "object_name": "lead",
                "next_attempt_at": due_at,
                # Handed to the broker right after the batch commits: marking the rows then would
                # write each row a second time. A chunk the broker refuses is unmarked
                # (``publish_emails``); rows of a worker that died between the commit and the
                # hand-over are published again by the outbox sweeper once they look abandoned.
                "published_at": due_at,
                "created_at": due_at,
            },
        )
        insert_columns(
            NurtureSend, rows={**self.sends, "outbound_email_id": email_ids}, same={"sent_at": sent_at}, returning=False
        )
        return email_ids


def _apply_outcome(enrolment: NurtureEnrolment, outcome: engine.Outcome, now: dt.datetime) -> None:
    enrolment.position = outcome.position
    enrolment.next_run_at = outcome.next_run_at if outcome.status == "active" else None
    if outcome.sends:
        enrolment.last_sent_at = now
    if outcome.status != "active":
        enrolment.status = outcome.status
        enrolment.ended_at = now
        enrolment.exit_reason = outcome.exit_reason if outcome.status == "exited" else ""


ENROLMENT_STATE = ("position", "next_run_at", "last_sent_at", "status", "ended_at", "exit_reason")


def _save_enrolments(enrolments: list[NurtureEnrolment]) -> None:
    """Write the batch's new states: one UPDATE per distinct state (enrolments run in step mostly
    share one), cheaper than a CASE per row and field."""
    groups: dict[tuple, list[int]] = {}
    for enrolment in enrolments:
        groups.setdefault(tuple(getattr(enrolment, f) for f in ENROLMENT_STATE), []).append(enrolment.pk)
    for state, pks in groups.items():
        NurtureEnrolment.objects.filter(pk__in=pks).update(**dict(zip(ENROLMENT_STATE, state, strict=True)))


def process_due_batch(*, now: dt.datetime | None = None, limit: int = BATCH_SIZE) -> BatchResult:
    """Run up to ``limit`` due enrolments (one transaction); answers what it did."""
    now = now or timezone.now()
    granted, window_ends = throttle_take(limit, now=now)
    budget = _Budget(granted, window_ends)
    result = BatchResult()
    try:
        with transaction.atomic():
            # The active sequences are few: naming them keeps the locking query on the due index
            # (read in order, stopping at the batch size), with nothing joined to the rows it sorts.
            sequences = NurtureSequence.objects.in_bulk(
                list(NurtureSequence.objects.filter(status=NurtureSequence.Status.ACTIVE).values_list("pk", flat=True))
            )
            if not sequences:
                return result
            enrolments = list(
                NurtureEnrolment.objects.select_for_update(skip_locked=True)
                .filter(status=NurtureEnrolment.Status.ACTIVE, next_run_at__lte=now, sequence_id__in=list(sequences))
                .order_by("next_run_at", "id")[:limit]
            )
            if not enrolments:
                return result
            leads = Lead.objects.in_bulk([e.lead_id for e in enrolments])
            for enrolment in enrolments:
                enrolment.sequence = sequences[enrolment.sequence_id]
                enrolment.lead = leads[enrolment.lead_id]
            batch = _Batch(enrolments, budget)
            emails = _Emails(_Compiled())
            acted: list[tuple[NurtureEnrolment, NurtureStep]] = []
            for enrolment in enrolments:
                try:
                    outcome = engine.run(
                        steps=batch.steps[enrolment.sequence_id],
                        position=enrolment.position,
                        sent_step_ids=batch.sent_steps.get(enrolment.pk, set()),
                        facts=_EnrolmentFacts(batch, enrolment),
                        now=now,
                    )
                    made = [emails.make(enrolment, step) for step in outcome.sends]
                except Exception:
                    # One lead whose email cannot be made must not hold up the batch: it is tried
                    # again later, the others go on.
                    logger.exception("Nurture enrolment %s could not run; it is tried again later.", enrolment.pk)
                    enrolment.next_run_at = now + RETRY_AFTER_ERROR
                    result.processed += 1
                    continue
                emails.add(made)
                acted.extend((enrolment, step) for step in outcome.actions)
                _apply_outcome(enrolment, outcome, now)
                result.processed += 1
                result.exited += outcome.status == "exited"
                result.completed += outcome.status == "completed"
            email_ids = emails.write(due_at=min(now, timezone.now()), sent_at=now)
            # Each send shows on the lead page's Emails list (its outbox row names the lead) and in
            # its Nurture Sequences list (the enrolment's last send).
            _save_enrolments(enrolments)
            if acted:
                from .actions import run_actions

                run_actions(acted, now=now)
            result.sent = len(email_ids)
            transaction.on_commit(lambda: publish_emails(email_ids))
    finally:
        # Emails taken from the budget but not sent (waits, exits, an error) go back to it.
        throttle_give_back(budget.left, window_ends=window_ends)
    return result


def nurture_tick(*, now: dt.datetime | None = None, limit: int = BATCH_SIZE, max_batches: int = 50) -> BatchResult:
    """Run due enrolments batch after batch until none is due (or ``max_batches`` ran)."""
    total = BatchResult()
    for _n in range(max_batches):
        result = process_due_batch(now=now, limit=limit)
        total.processed += result.processed
        total.sent += result.sent
        total.exited += result.exited
        total.completed += result.completed
        if result.processed < limit:
            break
    return total


def publish_emails(email_ids: list[int]) -> int:
    """Hand outbox rows to the broker, a chunk per task. The rows were written as handed over (see
    ``_outbox_row``): a chunk that cannot be published is marked as never handed over, so the outbox
    sweeper publishes its rows at its next pass. Answers the rows handed over."""
    from ..tasks import deliver_nurture_emails

    refused: list[int] = []
    for start in range(0, len(email_ids), PUBLISH_CHUNK):
        chunk = email_ids[start : start + PUBLISH_CHUNK]
        try:
            deliver_nurture_emails.apply_async(args=[chunk])
        except Exception:
            logger.warning(
                "Could not hand %d nurture emails to the broker; the sweeper will.", len(chunk), exc_info=True
            )
            refused.extend(chunk)
    if refused:
        OutboundEmail.objects.filter(pk__in=refused, status=OutboundEmail.Status.QUEUED).update(published_at=None)
    return len(email_ids) - len(refused)
