"""Reads of the nurture app, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from core.registry import Backlog
from engagement.models import EngagementEvent
from leads.selectors import leads_visible_to

from .models import NurtureEnrolment, NurtureSend, NurtureSequence, NurtureStep


def sequences_visible_to(user) -> QuerySet[NurtureSequence]:
    """Every signed-in user reads sequences (to enrol their leads); admins change them."""
    return NurtureSequence.objects.all()


def sequence_list(*, user) -> QuerySet[NurtureSequence]:
    return sequences_visible_to(user).annotate(
        step_count=Count("steps", distinct=True),
        active_count=Count("enrolments", filter=Q(enrolments__status="active"), distinct=True),
    )


def enrollable_sequences(*, user) -> QuerySet[NurtureSequence]:
    return sequences_visible_to(user).exclude(status=NurtureSequence.Status.DRAFT)


def sequence_steps(*, sequence: NurtureSequence) -> list[NurtureStep]:
    return list(
        sequence.steps.select_related("template", "ref_step", "else_step", "action_queue", "action_campaign").order_by(
            "position", "id"
        )
    )


@dataclass(frozen=True)
class StepStats:
    step: NurtureStep
    sent: int
    opened: int
    clicked: int
    waiting: int
    exited: int


def step_statistics(*, sequence: NurtureSequence) -> list[StepStats]:
    """Per step: emails sent, how many of them were opened and clicked (engagement events of those
    emails; a click counts as an open), the enrolments waiting at it and those that exited there.
    Three queries whatever the number of steps."""
    steps = sequence_steps(sequence=sequence)
    engagement = EngagementEvent.objects.filter(outbound_email_id=OuterRef("outbound_email_id"))
    opened = Exists(
        engagement.filter(event_type__in=[EngagementEvent.Type.EMAIL_OPEN, EngagementEvent.Type.EMAIL_CLICK])
    )
    clicked = Exists(engagement.filter(event_type=EngagementEvent.Type.EMAIL_CLICK))
    sends = {
        row["step_id"]: row
        for row in NurtureSend.objects.filter(step__sequence=sequence)
        .values("step_id")
        .annotate(sent=Count("id"), opened=Count("id", filter=Q(opened)), clicked=Count("id", filter=Q(clicked)))
        .order_by()
    }
    by_position: dict[tuple[int, str], int] = {}
    for position, status, n in (
        NurtureEnrolment.objects.filter(sequence=sequence)
        .values_list("position", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_position[(position, status)] = n
    empty = {"sent": 0, "opened": 0, "clicked": 0}
    result = []
    for step in steps:
        row = sends.get(step.pk, empty)
        # An enrolment points at the next step to run, and exits are checked before a step runs:
        # those at this step's position wait for it, or exited before it.
        result.append(
            StepStats(
                step=step,
                sent=row["sent"],
                opened=row["opened"],
                clicked=row["clicked"],
                waiting=by_position.get((step.position, "active"), 0) + by_position.get((step.position, "paused"), 0),
                exited=by_position.get((step.position, "exited"), 0),
            )
        )
    return result


def sequence_enrolments(*, sequence: NurtureSequence, user, status: str = "") -> QuerySet[NurtureEnrolment]:
    """The sequence's enrolments whose leads the user may see, newest first."""
    qs = sequence.enrolments.filter(lead__in=leads_visible_to(user, include_converted=True)).select_related("lead")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-enrolled_at", "-id")


def lead_enrolments(*, lead) -> QuerySet[NurtureEnrolment]:
    """A lead's enrolments (the caller checked the lead is visible), open ones first."""
    return (
        NurtureEnrolment.objects.filter(lead=lead)
        .select_related("sequence")
        .order_by("ended_at", "-enrolled_at", "-id")
    )


def step_at(steps: list[NurtureStep], position: int) -> NurtureStep | None:
    """The step an enrolment at ``position`` runs next (the first at or after it)."""
    return next((s for s in steps if s.position >= position), None)


def due_backlog() -> Backlog:
    """Enrolments of active sequences whose next step is due and not yet run, and since when the
    oldest waits (the "sequence lag" on /metrics and System Health); one query on the due index."""
    row = NurtureEnrolment.objects.filter(
        status=NurtureEnrolment.Status.ACTIVE,
        next_run_at__lte=timezone.now(),
        sequence__status=NurtureSequence.Status.ACTIVE,
    ).aggregate(pending=Count("id"), oldest_at=Min("next_run_at"))
    return Backlog(pending=row["pending"], oldest_at=row["oldest_at"])
