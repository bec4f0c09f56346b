"""Enrolling leads in sequences (from a lead, a list view selection, the API or an enrolment rule),
and ending enrolments: removed by a user, paused and resumed, or stopped when the lead opts out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Lead
from leads.selectors import lead_is_editable_by

from ..models import NurtureEnrolment, NurtureSequence

OPEN = (NurtureEnrolment.Status.ACTIVE, NurtureEnrolment.Status.PAUSED)
CHUNK = 5000
ANALYZE_AFTER = 5000


def _actor(user):
    return user if getattr(user, "pk", None) else None


@dataclass
class EnrolResult:
    """What enrolling did: the leads now enrolled, those already in the sequence, and those refused
    (lead id -> reason)."""

    enrolled: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def _refusal(lead: Lead) -> str:
    if lead.is_converted:
        return _("The lead is converted.")
    if lead.email_opt_out:
        return _("The lead opted out of email.")
    if not (lead.email or "").strip():
        return _("The lead has no email address.")
    return ""


@transaction.atomic
def enrol_leads(
    *,
    sequence: NurtureSequence,
    lead_ids: Iterable[int],
    acting_user,
    source: str = NurtureEnrolment.Source.MANUAL,
    check_access: bool = True,
    now=None,
) -> EnrolResult:
    """Enrol leads in a sequence: each starts at step 1, due at once. A lead already in the
    sequence stays where it is (the database holds "once at a time", so two concurrent enrolments of
    the same lead make one row). Leads the user may not edit, converted or opted-out leads and leads
    without an email address are refused."""
    # Read under a lock that pausing (FOR UPDATE) waits for: no lead enters a sequence being paused.
    sequence = NurtureSequence.objects.select_for_update(no_key=True).get(pk=sequence.pk)
    if sequence.status == NurtureSequence.Status.DRAFT:
        raise ValidationError({"sequence": [_("Activate the sequence before enrolling leads.")]})
    if sequence.status == NurtureSequence.Status.PAUSED:
        raise ValidationError({"sequence": [_("The sequence is paused: resume it before enrolling leads.")]})
    now = now or timezone.now()
    wanted = list(dict.fromkeys(int(i) for i in lead_ids))
    result = EnrolResult()
    actor = _actor(acting_user)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        leads = Lead.objects.filter(pk__in=chunk).only(
            "id", "is_converted", "email_opt_out", "email", "owner_user_id", "owner_queue_id"
        )
        found = {lead.pk: lead for lead in leads}
        rows = []
        for lead_id in chunk:
            lead = found.get(lead_id)
            if lead is None or (check_access and not lead_is_editable_by(lead, acting_user)):
                result.refused[lead_id] = _("You may not change this lead.")
                continue
            reason = _refusal(lead)
            if reason:
                result.refused[lead_id] = reason
                continue
            rows.append(
                NurtureEnrolment(
                    sequence=sequence,
                    lead_id=lead_id,
                    status=NurtureEnrolment.Status.ACTIVE,
                    source=source,
                    position=1,
                    next_run_at=now,
                    enrolled_at=now,
                    enrolled_by=actor,
                )
            )
        NurtureEnrolment.objects.bulk_create(rows, ignore_conflicts=True)
        created = set(
            NurtureEnrolment.objects.filter(
                sequence=sequence, lead_id__in=[r.lead_id for r in rows], enrolled_at=now, status="active"
            ).values_list("lead_id", flat=True)
        )
        for row in rows:
            (result.enrolled if row.lead_id in created else result.already).append(row.lead_id)
    if len(result.enrolled) >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # A large enrolment changes the table's shape at once; without fresh statistics the
        # planner would read every due row per scheduler batch instead of the due index's first.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {NurtureEnrolment._meta.db_table}")
    return result


def _end(qs, *, reason: str, acting_user=None, note: str = "") -> int:
    return qs.filter(status__in=OPEN).update(
        status=NurtureEnrolment.Status.EXITED,
        exit_reason=reason,
        exit_note=note[:300],
        ended_at=timezone.now(),
        ended_by=_actor(acting_user),
        next_run_at=None,
    )


def _require_editor(enrolment: NurtureEnrolment, user) -> None:
    if not lead_is_editable_by(enrolment.lead, user):
        raise PermissionError(_("You may not change this lead."))


@transaction.atomic
def enrolment_remove(*, enrolment: NurtureEnrolment, acting_user, note: str = "") -> NurtureEnrolment:
    """A user takes the lead out of the sequence (the exit is recorded with who did it)."""
    _require_editor(enrolment, acting_user)
    locked = NurtureEnrolment.objects.select_for_update().select_related("lead").get(pk=enrolment.pk)
    if locked.status not in OPEN:
        raise ValidationError({"__all__": [_("This enrolment has already ended.")]})
    _end(
        NurtureEnrolment.objects.filter(pk=locked.pk),
        reason=NurtureEnrolment.ExitReason.REMOVED,
        acting_user=acting_user,
        note=note,
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def enrolment_pause(*, enrolment: NurtureEnrolment, acting_user) -> NurtureEnrolment:
    """Hold one lead where it is in the sequence."""
    _require_editor(enrolment, acting_user)
    updated = NurtureEnrolment.objects.filter(pk=enrolment.pk, status=NurtureEnrolment.Status.ACTIVE).update(
        status=NurtureEnrolment.Status.PAUSED
    )
    if not updated:
        raise ValidationError({"__all__": [_("Only an active enrolment can be paused.")]})
    return NurtureEnrolment.objects.get(pk=enrolment.pk)


@transaction.atomic
def enrolment_resume(*, enrolment: NurtureEnrolment, acting_user) -> NurtureEnrolment:
    """Go on from where the lead was held; a step whose time passed meanwhile is due at once."""
    _require_editor(enrolment, acting_user)
    locked = NurtureEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.status != NurtureEnrolment.Status.PAUSED:
        raise ValidationError({"__all__": [_("Only a paused enrolment can be resumed.")]})
    locked.status = NurtureEnrolment.Status.ACTIVE
    now = timezone.now()
    locked.next_run_at = max(locked.next_run_at, now) if locked.next_run_at else now
    locked.save(update_fields=["status", "next_run_at"])
    return locked


def on_email_opt_out(*, object_name: str, record_id: int, acting_user=None, **kwargs) -> None:
    """A lead opted out of marketing email (consent, the preference page): end its enrolments."""
    if object_name == "lead":
        _end(
            NurtureEnrolment.objects.filter(lead_id=record_id),
            reason=NurtureEnrolment.ExitReason.OPTED_OUT,
            acting_user=acting_user,
        )


def end_lead_enrolments(*, lead_id: int, reason: str, acting_user=None, note: str = "") -> int:
    """End every open enrolment of a lead with ``reason`` (conversion, opt-out, MQL...)."""
    return _end(NurtureEnrolment.objects.filter(lead_id=lead_id), reason=reason, acting_user=acting_user, note=note)


def end_sequence_enrolments(*, sequence: NurtureSequence, acting_user=None) -> int:
    """The sequence was paused: every open enrolment exits with the reason "sequence paused"."""
    return _end(
        NurtureEnrolment.objects.filter(sequence=sequence),
        reason=NurtureEnrolment.ExitReason.SEQUENCE_PAUSED,
        acting_user=acting_user,
    )
