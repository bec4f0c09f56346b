"""Turning stored submissions into leads: each row is checked (form, spam, fields), held by the
daily limit or the per-render submission key, or made into a lead with its assignment and
auto-response; the outcome is recorded on the row."""

import json
import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.memo import config_scope
from core.registry import run_web_to_lead_hooks
from core.request_id import request_id_bound
from emails.models import OutboundEmail
from emails.services import email_enqueue
from leads.intake import IntakeResult, lead_intake
from leads.models import Lead, LeadNote

from ..models import Intake, WebToLeadSettings
from ..selectors import leads_created_in_window, webtolead_settings
from ..spam import spam_reason
from .parsing import ParsedSubmission, SubmissionResult, _reason_from, _salesforce_errors, parse_submission

logger = logging.getLogger(__name__)

LIMIT_NOTICE_KEY = "webtolead-daily-limit:{day}"
AUTORESPONSE_SOURCE = "webtolead"


def _user_is_usable(user) -> bool:
    return user is not None and user.is_active


def _notify_limit_reached(settings_row: WebToLeadSettings, now) -> None:
    creator = settings_row.default_creator
    if creator is None or not creator.email:
        return
    day = timezone.localdate(now).isoformat()
    try:
        with transaction.atomic():
            _enqueue_limit_notice(settings_row, creator, day)
    except ValidationError:
        # The notice is a courtesy: the pending submission must be stored all the same.
        logger.warning("Could not queue the Web-to-Lead daily limit notice to %s", creator.email, exc_info=True)


def _enqueue_limit_notice(settings_row: WebToLeadSettings, creator, day: str) -> None:
    email_enqueue(
        to=creator.email,
        subject="Web-to-Lead daily limit reached",
        body_text=(
            f"The Web-to-Lead limit of {settings_row.daily_limit} leads per 24 hours was reached on {day}.\n\n"
            "New web submissions are kept as pending and become leads, oldest first, as soon as the "
            "window allows. Nothing is lost. You can raise the limit in Setup > Web-to-Lead."
        ),
        kind=OutboundEmail.Kind.SYSTEM,
        idempotency_key=LIMIT_NOTICE_KEY.format(day=day),
        acting_user=None,
    )


FINISH_FIELDS = ["outcome", "reason", "errors", "lead", "processed_at", "processed_by", "claimed_key", "unused_values"]


def _finish(intake: Intake, outcome: str, *, reason: str = "", errors=None, lead=None, acting_user=None) -> None:
    _mark(intake, outcome, reason=reason, errors=errors, lead=lead, acting_user=acting_user)
    intake.save(update_fields=FINISH_FIELDS)


def _mark(intake: Intake, outcome: str, *, reason: str = "", errors=None, lead=None, acting_user=None) -> None:
    intake.outcome = outcome
    intake.reason = reason[:500]
    intake.errors = errors or {}
    if lead is not None:
        intake.lead = lead
    intake.processed_at = timezone.now()
    intake.processed_by = acting_user if getattr(acting_user, "pk", None) else None


def _claim_key(intake: Intake) -> Intake | None:
    """Take the form's per-render submission key for this row; answers the row that already has it."""
    if not intake.submission_key or intake.form_id is None:
        return None
    try:
        with transaction.atomic():
            Intake.objects.filter(pk=intake.pk).update(claimed_key=intake.submission_key)
    except IntegrityError:
        return (
            Intake.objects.filter(form_id=intake.form_id, claimed_key=intake.submission_key)
            .exclude(pk=intake.pk)
            .first()
        )
    intake.claimed_key = intake.submission_key
    return None


def _create_lead(intake: Intake, *, data: dict, custom: dict, creator) -> IntakeResult:
    form = intake.form
    note = f"Web-to-Lead: {form.name}"
    if intake.campaign:
        note += f" (campaign {intake.campaign})"
    return lead_intake(
        data=data,
        custom_fields=custom,
        acting_user=creator,
        owner=creator,
        source=AUTORESPONSE_SOURCE,
        assign=form.run_assignment,
        auto_respond=form.send_autoresponse,
        note=note,
    )


def _note_unused_values(lead: Lead, intake: Intake, parsed: ParsedSubmission, creator) -> None:
    """Tell the lead's readers what the form posted that the lead could not take, so that an
    admin can add the value and fill it in."""
    if not parsed.unused:
        return
    lines = [f"The Web-to-Lead form “{intake.form.name}” posted values this lead was made without:"]
    for name, (value, reasons) in parsed.unused.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"- {name}: “{shown[:500]}” ({' '.join(reasons)})")
    lines.append(f"Submission {intake.public_ref}; the values are kept on it in the intake log.")
    LeadNote.objects.create(
        lead=lead,
        title="Web-to-Lead: values not used",
        body="\n".join(lines),
        created_by=creator,
        created_at=timezone.now(),
    )


def _screen(
    intake: Intake, settings_row: WebToLeadSettings, *, check_spam: bool, acting_user=None
) -> tuple[SubmissionResult | None, ParsedSubmission | None]:
    """The checks that need no lock: the form, spam and the fields. Marks (does not save) the row
    and answers the visitor's result when one of them decides; else ``None`` and the parsed data."""
    Outcome = Intake.Outcome
    form = intake.form
    if not settings_row.enabled and acting_user is None:
        _mark(intake, Outcome.REJECTED, reason="Web-to-Lead is turned off.")
        result = SubmissionResult(intake, False, {"__all__": ["This form is not accepting submissions."]}, status=403)
        return result, None
    if form is None or (not form.is_active and acting_user is None):
        reason = "Unknown form key." if form is None else "The form is inactive."
        _mark(intake, Outcome.REJECTED, reason=reason, errors={"oid": [reason]})
        result = SubmissionResult(
            intake, False, {"oid": ["This form does not exist or no longer accepts submissions."]}, 400
        )
        return result, None
    if check_spam:
        reason = spam_reason(
            payload=intake.payload,
            form_key=form.public_key,
            address=intake.source_address,
            settings_row=settings_row,
        )
        if reason:
            _mark(intake, Outcome.SPAM, reason=reason)
            return _accepted(intake), None
    parsed = parse_submission(form=form, payload=intake.payload)
    intake.unused_values = parsed.unused_values
    if parsed.errors:
        errors = parsed.errors
        _mark(intake, Outcome.REJECTED, reason=_reason_from(errors), errors=errors, acting_user=acting_user)
        return SubmissionResult(intake, False, errors, status=400), None
    return None, parsed


def _accepted(intake: Intake) -> SubmissionResult:
    return SubmissionResult(intake, True, status=200, public_ref=intake.public_ref)


def _process(
    intake: Intake, settings_row: WebToLeadSettings, *, check_spam: bool, check_limit: bool, acting_user=None
) -> SubmissionResult:
    """Process one locked intake row inside the caller's transaction, under the request id of the
    POST that stored it: its log lines and the emails it queues carry that id."""
    with request_id_bound(intake.request_id):
        result = _process_row(
            intake, settings_row, check_spam=check_spam, check_limit=check_limit, acting_user=acting_user
        )
        logger.info(
            "Web-to-Lead submission %s: %s",
            intake.pk,
            intake.outcome,
            extra={"intake_id": intake.pk, "outcome": intake.outcome, "lead_id": intake.lead_id},
        )
    return result


def _process_row(
    intake: Intake, settings_row: WebToLeadSettings, *, check_spam: bool, check_limit: bool, acting_user=None
) -> SubmissionResult:
    Outcome = Intake.Outcome
    now = timezone.now()
    decided, parsed = _screen(intake, settings_row, check_spam=check_spam, acting_user=acting_user)
    if decided is not None:
        intake.save(update_fields=FINISH_FIELDS)
        return decided
    data, custom = parsed.data, parsed.custom
    accepted = _accepted(intake)
    original = _claim_key(intake)
    if original is not None:
        intake.duplicate_of = original
        intake.save(update_fields=["duplicate_of"])
        _finish(intake, Outcome.DUPLICATE, reason="Submitted again from the same form page.", lead=original.lead)
        accepted.public_ref = original.public_ref
        return accepted
    creator = settings_row.default_creator
    if not _user_is_usable(creator):
        _finish(intake, Outcome.PENDING, reason="No active default lead creator is set in the Web-to-Lead settings.")
        return accepted
    if check_limit and settings_row.daily_limit:
        # One submission at a time counts the window, so the limit holds under concurrency.
        WebToLeadSettings.objects.select_for_update().filter(pk=settings_row.pk).first()
        used = leads_created_in_window(now=now)
        waiting = Intake.objects.filter(outcome=Outcome.PENDING).exclude(pk=intake.pk).exists()
        if used >= settings_row.daily_limit:
            _finish(intake, Outcome.PENDING, reason=f"Over the daily limit of {settings_row.daily_limit} leads.")
            _notify_limit_reached(settings_row, now)
            return accepted
        if waiting:
            # Oldest first: a newcomer queues behind submissions already held by the limit.
            _finish(intake, Outcome.PENDING, reason="Waiting behind earlier submissions held by the daily limit.")
            return accepted
    try:
        with transaction.atomic():
            made = _create_lead(intake, data=data, custom=custom, creator=creator)
            lead = made.lead
            _note_unused_values(lead, intake, parsed, creator)
            # Apps above this one (campaigns) act on the new lead; their notes stay on the row, after
            # the intake's own (a duplicate rule attached the submission to an existing lead).
            notes = [*made.notes, *run_web_to_lead_hooks(lead=lead, intake=intake, acting_user=creator)]
    except ValidationError as exc:
        errors = _salesforce_errors(exc)
        intake.claimed_key = None
        _finish(intake, Outcome.REJECTED, reason=_reason_from(errors), errors=errors, acting_user=acting_user)
        return SubmissionResult(intake, False, errors, status=400)
    _finish(intake, Outcome.CREATED, reason=" ".join(notes), lead=lead, acting_user=acting_user)
    return accepted


def _received_to_claim():
    """Received rows, each locked for the caller's transaction unless another process has it."""
    return (
        Intake.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("form")
        .filter(outcome=Intake.Outcome.RECEIVED)
    )


@transaction.atomic
def intake_process(*, intake_pk: int) -> SubmissionResult | None:
    """Process one received submission now (the worker's work for one row); ``None`` when another
    process has it or has done it."""
    settings_row = webtolead_settings()
    intake = _received_to_claim().filter(pk=intake_pk).first()
    if intake is None:
        return None
    with config_scope():
        return _process(intake, settings_row, check_spam=False, check_limit=True)


RETRY_FAILED_AFTER = timedelta(minutes=5)


def pending_process(*, batch_size: int = 50) -> int:
    """Turn pending submissions into leads, oldest first, as far as the daily window allows.

    Safe to run concurrently and repeatedly: rows are claimed with ``skip_locked`` and a processed
    row is no longer pending. Answers how many rows were processed.
    """
    done = 0
    while True:
        with transaction.atomic():
            settings_row = webtolead_settings()
            if not settings_row.enabled or not _user_is_usable(settings_row.default_creator):
                return done
            capacity = batch_size
            if settings_row.daily_limit:
                WebToLeadSettings.objects.select_for_update().filter(pk=settings_row.pk).first()
                capacity = min(batch_size, settings_row.daily_limit - leads_created_in_window())
            if capacity <= 0:
                return done
            rows = list(
                Intake.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("form")
                .filter(outcome=Intake.Outcome.PENDING)
                .order_by("received_at", "id")[:capacity]
            )
            if not rows:
                return done
            with config_scope():
                for row in rows:
                    with transaction.atomic():
                        _process(row, settings_row, check_spam=False, check_limit=False)
                    done += 1
        if len(rows) < capacity:
            return done
