"""Reads of duplicate management, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from leads.models import Lead
from leads.selectors import leads_visible_to
from sales.models import Contact
from sales.selectors import contacts_visible_to

from .models import DuplicateGroup, DuplicateJob, LeadMerge
from .services.merge import MAX_LEADS


def duplicate_jobs() -> QuerySet[DuplicateJob]:
    return DuplicateJob.objects.select_related("matching_rule", "created_by").order_by("-created_at", "-id")


@dataclass(frozen=True)
class GroupRow:
    """A group as a user sees it: its leads and contacts that the user may read."""

    group: DuplicateGroup
    leads: list[Lead]
    contacts: list[Contact]

    @property
    def mergeable(self) -> bool:
        """Merging combines leads only: two or three of them."""
        return 2 <= len(self.leads) <= MAX_LEADS


def duplicate_groups(*, job: DuplicateJob, user) -> list[GroupRow]:
    """The job's groups with the leads and contacts of each that the user may read (groups with
    fewer than two records left out)."""
    groups = list(job.groups.order_by("key_lead_id", "key_contact_id")[:500])
    lead_ids = {pk for group in groups for pk in group.lead_ids}
    contact_ids = {pk for group in groups for pk in group.contact_ids}
    leads = leads_visible_to(user).select_related("owner_user", "owner_queue").in_bulk(lead_ids) if lead_ids else {}
    contacts = contacts_visible_to(user).select_related("account").in_bulk(contact_ids) if contact_ids else {}
    answered = []
    for group in groups:
        row = GroupRow(
            group,
            [leads[pk] for pk in group.lead_ids if pk in leads],
            [contacts[pk] for pk in group.contact_ids if pk in contacts],
        )
        if len(row.leads) + len(row.contacts) > 1:
            answered.append(row)
    return answered


def merges_of(*, user) -> QuerySet[LeadMerge]:
    """Merges the user made (admins: every merge)."""
    from core.roles import sees_all_records

    qs = LeadMerge.objects.select_related("merged_by").order_by("-merged_at", "-id")
    return qs if sees_all_records(user) else qs.filter(merged_by=user)
