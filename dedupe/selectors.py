"""Reads of duplicate management, scoped to the user."""

from __future__ import annotations

from django.db.models import QuerySet

from leads.models import Lead
from leads.selectors import leads_visible_to

from .models import DuplicateGroup, DuplicateJob, LeadMerge


def duplicate_jobs() -> QuerySet[DuplicateJob]:
    return DuplicateJob.objects.select_related("matching_rule", "created_by").order_by("-created_at", "-id")


def duplicate_groups(*, job: DuplicateJob, user) -> list[tuple[DuplicateGroup, list[Lead]]]:
    """The job's groups with the leads of each that the user may read (groups with fewer than two
    left out)."""
    groups = list(job.groups.order_by("key_lead_id")[:500])
    ids = {pk for group in groups for pk in group.lead_ids}
    leads = leads_visible_to(user).select_related("owner_user", "owner_queue").in_bulk(ids)
    answered = []
    for group in groups:
        members = [leads[pk] for pk in group.lead_ids if pk in leads]
        if len(members) > 1:
            answered.append((group, members))
    return answered


def merges_of(*, user) -> QuerySet[LeadMerge]:
    """Merges the user made (admins: every merge)."""
    from core.roles import sees_all_records

    qs = LeadMerge.objects.select_related("merged_by").order_by("-merged_at", "-id")
    return qs if sees_all_records(user) else qs.filter(merged_by=user)
