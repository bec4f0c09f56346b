"""Reads of lead routing, scoped to the user asking."""

from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

from core.roles import is_marketing_admin

from ..models import Lead, Queue
from ..selectors import leads_visible_to, queues_of
from .models import AssignmentRule, LeadSettings, RoutingAvailability, RuleEntry

# Queue counts stop at this number (the page shows "1000+"): counting stays cheap on big queues.
WAITING_COUNT_LIMIT = 1000


def lead_settings() -> LeadSettings:
    row, _ = LeadSettings.objects.select_related("default_owner_user", "default_owner_queue").get_or_create(singleton=1)
    return row


def _with_waiting(qs: QuerySet[Queue]) -> QuerySet[Queue]:
    # One query for every queue: a bounded count per queue, through a correlated, limited subquery.
    return qs.annotate(
        waiting=RawSQL(
            "SELECT COUNT(*) FROM (SELECT 1 FROM leads_lead w WHERE w.owner_queue_id = leads_queue.id"
            " AND w.is_converted = %s LIMIT %s) AS waiting_rows",
            (False, WAITING_COUNT_LIMIT + 1),
        )
    )


def my_queues(*, user) -> QuerySet[Queue]:
    """The user's queues with their bounded count of waiting leads."""
    return _with_waiting(Queue.objects.filter(pk__in=queues_of(user).values("pk"))).order_by("name")


def queue_for_member(*, user, pk: int) -> Queue:
    """A queue the user belongs to (admins: any queue); 404 otherwise."""
    qs = Queue.objects.all() if is_marketing_admin(user) else Queue.objects.filter(pk__in=queues_of(user).values("pk"))
    return get_object_or_404(qs, pk=pk)


def queue_leads(*, user, queue: Queue) -> QuerySet[Lead]:
    """The queue's leads the user may see, oldest arrival first."""
    return (
        leads_visible_to(user)
        .filter(owner_queue=queue)
        .select_related("owner_queue")
        .order_by("owner_assigned_at", "id")
    )


def queue_setup_list() -> QuerySet[Queue]:
    return _with_waiting(Queue.objects.prefetch_related("members", "member_groups")).order_by("name")


def rule_list() -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.prefetch_related(
        Prefetch("entries", queryset=RuleEntry.objects.order_by("sort_order"))
    ).select_related("updated_by")


def rule_entries(*, rule: AssignmentRule) -> QuerySet[RuleEntry]:
    return rule.entries.select_related("assign_user", "assign_queue", "assign_group", "notification_template").order_by(
        "sort_order", "id"
    )


def is_available(user) -> bool:
    return not RoutingAvailability.objects.filter(user=user, is_available=False).exists()
