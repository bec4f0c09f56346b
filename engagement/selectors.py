"""Reads of engagement: the settings, a lead's tracking choice and a lead's events, scoped to
what the user may see."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from leads.models import Lead
from leads.selectors import leads_visible_to

from .models import EngagementEvent, EngagementSettings, LeadTrackingPreference, TrackedVisitor


def engagement_settings() -> EngagementSettings:
    row = EngagementSettings.objects.filter(singleton=1).first()
    if row is None:
        row, _ = EngagementSettings.objects.get_or_create(singleton=1)
    return row


def lead_opted_out(lead_id: int) -> bool:
    """Whether the lead asked not to be tracked."""
    return LeadTrackingPreference.objects.filter(lead_id=lead_id, tracking_opt_out=True).exists()


def visitor_lead_id(visitor_id: str) -> int | None:
    """The lead a first-party visitor id belongs to, when that browser became a lead."""
    return TrackedVisitor.objects.filter(visitor_id=visitor_id).values_list("lead_id", flat=True).first()


def lead_events(*, lead: Lead) -> QuerySet[EngagementEvent]:
    """A lead's events, newest first (the lead's visibility is the caller's check)."""
    return (
        EngagementEvent.objects.filter(lead=lead)
        .select_related("outbound_email", "template")
        .order_by("-occurred_at", "-id")
    )


def visible_lead(*, user, pk: int) -> Lead:
    """A lead the user may see (converted ones with the permission); else 404."""
    return get_object_or_404(leads_visible_to(user, include_converted=True), pk=pk)


def lead_for_event(*, user, lead_id: int | None = None, email: str = "") -> Lead | None:
    """The lead an integration means, by id or by email (the newest open lead with it), among
    the leads the user may see."""
    leads = leads_visible_to(user, include_converted=True)
    if lead_id is not None:
        return leads.filter(pk=lead_id).first()
    if email:
        return leads.filter(email__iexact=email.strip()).order_by("is_converted", "-created_at", "-id").first()
    return None
