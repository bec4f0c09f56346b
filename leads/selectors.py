"""Reads of leads, always scoped to the user asking."""

from django.db.models import Case, IntegerField, Q, QuerySet, When
from django.utils import timezone

from core.models import OrgSettings
from core.roles import VIEW_CONVERTED_LEADS, sees_all_records
from core.selectors import org_settings

from .models import Lead, LeadNote, Queue, RecentlyViewed


def queues_of(user) -> QuerySet[Queue]:
    """Queues the user belongs to, directly or through one of their groups."""
    if not user.is_authenticated:
        return Queue.objects.none()
    return Queue.objects.filter(Q(members=user) | Q(member_groups__user=user)).distinct()


def queue_ids_of(user) -> list[int]:
    return list(queues_of(user).values_list("pk", flat=True))


def can_view_converted(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_CONVERTED_LEADS)


def _owned_or_queued(user) -> Q:
    return Q(owner_user=user) | Q(owner_queue_id__in=queue_ids_of(user))


def leads_visible_to(user, *, include_converted: bool = False) -> QuerySet[Lead]:
    """Every lead the user may read. List views leave converted leads out; a record page includes
    them for users allowed to view converted leads."""
    if not user.is_authenticated:
        return Lead.objects.none()
    qs = Lead.objects.all()
    if not (include_converted and can_view_converted(user)):
        qs = qs.filter(is_converted=False)
    if sees_all_records(user) or org_settings().lead_access != OrgSettings.LeadAccess.PRIVATE:
        return qs
    return qs.filter(_owned_or_queued(user))


def lead_is_editable_by(lead: Lead, user) -> bool:
    if lead.is_converted and not can_view_converted(user):
        return False
    if sees_all_records(user) or org_settings().lead_access == OrgSettings.LeadAccess.PUBLIC_READ_WRITE:
        return True
    return lead.owner_user_id == user.pk or (
        lead.owner_queue_id is not None and lead.owner_queue_id in queue_ids_of(user)
    )


LIST_VIEWS = {
    "my": "My Leads",
    "queues": "My Queues' Leads",
    "all": "All Leads",
    "recent": "Recently Viewed",
    "today": "Today's Leads",
}


def lead_list(*, user, view: str = "all") -> QuerySet[Lead]:
    """The named list views: my, queues, all, recent, today."""
    qs = leads_visible_to(user).select_related("owner_user", "owner_queue")
    if view == "my":
        return qs.filter(owner_user=user)
    if view == "queues":
        return qs.filter(owner_queue_id__in=queue_ids_of(user)).order_by("owner_assigned_at", "id")
    if view == "today":
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return qs.filter(created_at__gte=start)
    if view == "recent":
        return recently_viewed(user=user)
    return qs


def recently_viewed(*, user, limit: int = 200) -> QuerySet[Lead]:
    ids = list(
        RecentlyViewed.objects.filter(user=user).order_by("-viewed_at").values_list("lead_id", flat=True)[:limit]
    )
    qs = leads_visible_to(user).select_related("owner_user", "owner_queue").filter(pk__in=ids)
    return qs.order_by(Case(*[When(pk=pk, then=pos) for pos, pk in enumerate(ids)], output_field=IntegerField()))


def lead_notes(*, lead: Lead) -> QuerySet[LeadNote]:
    return lead.notes.select_related("created_by")
