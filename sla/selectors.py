"""SLA reads: when leads were first touched, clocks for the lead page and lists, queue health."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from activities.models import Call, Task
from core.models import FieldHistory
from emails.models import OutboundEmail
from leads.fields import OBJECT_NAME
from leads.models import Lead, LeadNote, Queue
from leads.selectors import leads_visible_to

from .models import BusinessHours, LeadSla, SlaRule

# A clock this close to its due time shows "breaching in N min".
AT_RISK = dt.timedelta(minutes=30)


def first_touches(lead_ids: list[int]) -> dict[int, dt.datetime]:
    """{lead id: the first time a person touched it}: a status change, a note, a logged call, a
    completed task or an email sent by a user (automatic changes and emails have no user)."""
    if not lead_ids:
        return {}
    found: dict[int, dt.datetime] = {}

    def keep(pairs) -> None:
        for lead_id, at in pairs:
            if at is not None and (lead_id not in found or at < found[lead_id]):
                found[lead_id] = at

    keep(
        FieldHistory.objects.filter(
            object_name=OBJECT_NAME, record_id__in=lead_ids, field_name="status", changed_by__isnull=False
        )
        .values("record_id")
        .annotate(at=Min("changed_at"))
        .values_list("record_id", "at")
    )
    keep(
        LeadNote.objects.filter(lead_id__in=lead_ids, created_by__isnull=False)
        .values("lead_id")
        .annotate(at=Min("created_at"))
        .values_list("lead_id", "at")
    )
    keep(
        Call.objects.filter(lead_id__in=lead_ids, created_by__isnull=False)
        .values("lead_id")
        .annotate(at=Min("called_at"))
        .values_list("lead_id", "at")
    )
    keep(
        Task.objects.filter(lead_id__in=lead_ids, status=Task.Status.COMPLETED, completed_at__isnull=False)
        .values("lead_id")
        .annotate(at=Min("completed_at"))
        .values_list("lead_id", "at")
    )
    keep(
        OutboundEmail.objects.filter(object_name=OBJECT_NAME, record_id__in=lead_ids, created_by__isnull=False)
        .values("record_id")
        .annotate(at=Min("created_at"))
        .values_list("record_id", "at")
    )
    return found


@dataclass(frozen=True)
class SlaBadge:
    """How a clock reads now: ``state`` is met, breached, at_risk or open."""

    state: str
    due_at: dt.datetime | None
    minutes_left: int | None
    policy: str


def sla_badge(clock: LeadSla | None, now: dt.datetime | None = None) -> SlaBadge | None:
    if clock is None:
        return None
    now = now or timezone.now()
    if clock.status == LeadSla.Status.MET:
        return SlaBadge("met", clock.due_at, None, clock.policy_name)
    if clock.status == LeadSla.Status.BREACHED or (clock.due_at is not None and clock.due_at <= now):
        return SlaBadge("breached", clock.due_at, None, clock.policy_name)
    if clock.due_at is None:
        return SlaBadge("open", None, None, clock.policy_name)
    left = clock.due_at - now
    minutes = max(int(left.total_seconds() // 60), 0)
    return SlaBadge("at_risk" if left <= AT_RISK else "open", clock.due_at, minutes, clock.policy_name)


def sla_status(clock: LeadSla | None, now: dt.datetime | None = None) -> str:
    """The lead's SLA status as the API gives it: "" (no SLA), open, at_risk, breached or met."""
    badge = sla_badge(clock, now)
    return badge.state if badge else ""


def clock_for(lead: Lead) -> LeadSla | None:
    return LeadSla.objects.filter(lead=lead).first()


def business_hours_list() -> QuerySet[BusinessHours]:
    return BusinessHours.objects.annotate(holiday_count=Count("holidays", distinct=True)).order_by("name")


def sla_rules() -> QuerySet[SlaRule]:
    return SlaRule.objects.annotate(entry_count=Count("entries")).order_by("name")


def sla_rule_policies(rule: SlaRule):
    return rule.entries.select_related("business_hours", "notify_user", "move_to_queue").order_by("sort_order")


def breaches_visible_to(user) -> QuerySet[LeadSla]:
    """Breached clocks of unconverted leads the user may read."""
    return LeadSla.objects.filter(
        status=LeadSla.Status.BREACHED, lead__in=leads_visible_to(user).values("pk")
    ).select_related("lead")


@dataclass(frozen=True)
class QueueHealth:
    queue: Queue
    backlog: int
    oldest_at: dt.datetime | None
    breached_open: int
    breaches_today: int


def queue_health(*, user, today: dt.date | None = None) -> list[QueueHealth]:
    """Per queue the user may see: leads waiting now, since when the oldest waits, leads waiting in
    breach, and breaches recorded today (in the site's time zone)."""
    today = today or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    waiting = leads_visible_to(user).filter(owner_queue__isnull=False, is_converted=False)
    per_queue = {
        row["owner_queue"]: row
        for row in waiting.values("owner_queue")
        .annotate(
            backlog=Count("pk"),
            oldest=Min("owner_assigned_at"),
            breached=Count("pk", filter=Q(sla__status=LeadSla.Status.BREACHED)),
        )
        .order_by()
    }
    today_breaches = dict(
        LeadSla.objects.filter(
            breached_at__gte=start, breached_queue__isnull=False, lead__in=leads_visible_to(user).values("pk")
        )
        .values("breached_queue")
        .annotate(n=Count("pk"))
        .values_list("breached_queue", "n")
    )
    rows = []
    for queue in Queue.objects.order_by("name"):
        row = per_queue.get(queue.pk, {})
        rows.append(
            QueueHealth(
                queue=queue,
                backlog=row.get("backlog", 0),
                oldest_at=row.get("oldest"),
                breached_open=row.get("breached", 0),
                breaches_today=today_breaches.get(queue.pk, 0),
            )
        )
    return rows
