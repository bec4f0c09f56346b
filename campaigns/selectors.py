"""Reads of campaigns, their members and their results. Campaigns are readable by every signed-in
user; members are listed with the campaign (a lead's name is as public as the campaign)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from core.models import PicklistValue
from core.roles import may_manage_campaigns

from .filters import CampaignFilter
from .models import Campaign, CampaignInfluence, CampaignMember, CampaignMemberStatus


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Every campaign, for any signed-in user."""
    if not getattr(user, "is_authenticated", False):
        return Campaign.objects.none()
    return Campaign.objects.select_related("owner", "parent")


def campaign_is_editable_by(campaign: Campaign, user) -> bool:
    """Marketing admins, users with the Manage Campaigns permission and the campaign's owner change a
    campaign and its members."""
    return may_manage_campaigns(user) or (campaign.owner_id is not None and campaign.owner_id == user.pk)


def campaign_can_be_created_by(user) -> bool:
    return may_manage_campaigns(user)


def campaigns_editable_by(user) -> QuerySet[Campaign]:
    """The active campaigns the user may add members to (the lead page offers these)."""
    qs = Campaign.objects.filter(is_active=True).order_by("name", "id")
    return qs if may_manage_campaigns(user) else qs.filter(owner=user)


def campaign_list(*, user, params=None, request=None) -> tuple[QuerySet[Campaign], CampaignFilter]:
    """The campaigns of the list page (and the API), filtered by ``CampaignFilter``; invalid
    filters are ignored. Answers the rows and the bound FilterSet."""
    qs = campaigns_visible_to(user).annotate(member_count=Count("members"))
    filterset = CampaignFilter(params or None, queryset=qs, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
    return rows.order_by("name", "id"), filterset


def member_statuses(*, campaign: Campaign) -> QuerySet[CampaignMemberStatus]:
    return CampaignMemberStatus.objects.filter(campaign=campaign).order_by("sort_order", "id")


def campaign_members(*, campaign: Campaign) -> QuerySet[CampaignMember]:
    return (
        CampaignMember.objects.filter(campaign=campaign)
        .select_related("lead", "contact", "contact__account", "status", "converted_lead")
        .order_by("created_at", "id")
    )


def lead_memberships(*, lead) -> QuerySet[CampaignMember]:
    """A lead's campaigns, oldest first (the first one is its primary campaign source)."""
    return (
        CampaignMember.objects.filter(Q(lead=lead) | Q(converted_lead=lead))
        .select_related("campaign", "status")
        .order_by("created_at", "id")
    )


def primary_campaign_for_lead(*, lead) -> Campaign | None:
    first = lead_memberships(lead=lead).first()
    return first.campaign if first else None


def campaign_for_code(code: str) -> Campaign | None:
    """The campaign a posted ``Campaign_ID`` or a ``utm_campaign`` names: its id or its tracking code."""
    code = (code or "").strip()
    if not code:
        return None
    found = Campaign.objects.filter(tracking_code__iexact=code).first()
    if found is None and code.isdigit() and len(code) < 19:
        found = Campaign.objects.filter(pk=int(code)).first()
    return found


def campaign_for_reference(reference: str) -> Campaign | None:
    """The campaign an import row or the API names: its id, its tracking code, or its name when
    exactly one campaign has it."""
    found = campaign_for_code(reference)
    if found is None and (reference or "").strip():
        named = list(Campaign.objects.filter(name__iexact=reference.strip())[:2])
        found = named[0] if len(named) == 1 else None
    return found


def campaign_for_tracking_code(code: str) -> Campaign | None:
    code = (code or "").strip()
    return Campaign.objects.filter(tracking_code__iexact=code).first() if code else None


def descendant_ids(campaign: Campaign) -> list[int]:
    """The campaign's id and those of every campaign below it, by a recursive query (a cycle, which
    the services refuse, would still end: UNION drops rows already seen)."""
    table = Campaign._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE tree(id) AS (
                SELECT id FROM {table} WHERE id = %s
                UNION
                SELECT c.id FROM {table} c JOIN tree t ON c.parent_id = t.id
            )
            SELECT id FROM tree
            """,
            [campaign.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def ancestor_ids(campaign: Campaign) -> list[int]:
    """The campaigns above ``campaign``, nearest first."""
    ids, seen = [], {campaign.pk}
    parent_id = campaign.parent_id
    while parent_id and parent_id not in seen:
        ids.append(parent_id)
        seen.add(parent_id)
        parent_id = Campaign.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids


@dataclass(frozen=True)
class CampaignStatistics:
    """What a campaign (or its hierarchy) achieved."""

    leads: int
    contacts: int
    responses: int
    converted_leads: int
    opportunities: int
    won_opportunities: int
    won_amount: Decimal
    open_amount: Decimal
    budgeted_cost: Decimal
    actual_cost: Decimal
    expected_revenue: Decimal

    @property
    def cost_per_lead(self) -> Decimal | None:
        if not self.leads or not self.actual_cost:
            return None
        return (self.actual_cost / self.leads).quantize(Decimal("0.01"))

    @property
    def roi(self) -> Decimal | None:
        """(Won amount − actual cost) / actual cost, in percent; none without a cost."""
        if not self.actual_cost:
            return None
        return ((self.won_amount - self.actual_cost) / self.actual_cost * 100).quantize(Decimal("0.1"))


def _stage_names(**flags) -> list[str]:
    return list(
        PicklistValue.objects.filter(object_name="opportunity", field_name="stage", **flags).values_list(
            "api_name", flat=True
        )
    )


def statistics_for(campaign_ids: list[int]) -> CampaignStatistics:
    """Totals over the given campaigns, in four queries."""
    zero = Decimal(0)
    members = CampaignMember.objects.filter(campaign_id__in=campaign_ids).aggregate(
        leads=Count("id", filter=Q(lead__isnull=False) | Q(converted_lead__isnull=False)),
        contacts=Count("id", filter=Q(contact__isnull=False, converted_lead__isnull=True)),
        responses=Count("id", filter=Q(has_responded=True)),
        converted=Count("id", filter=Q(converted_lead__isnull=False)),
    )
    won, closed = _stage_names(is_won=True), _stage_names(is_closed=True)
    opportunities = CampaignInfluence.objects.filter(campaign_id__in=campaign_ids, is_primary=True).aggregate(
        total=Count("opportunity", distinct=True),
        won=Count("opportunity", filter=Q(opportunity__stage__in=won), distinct=True),
        won_amount=Sum("opportunity__amount", filter=Q(opportunity__stage__in=won)),
        open_amount=Sum("opportunity__amount", filter=~Q(opportunity__stage__in=closed)),
    )
    costs = Campaign.objects.filter(pk__in=campaign_ids).aggregate(
        budgeted=Sum("budgeted_cost"), actual=Sum("actual_cost"), expected=Sum("expected_revenue")
    )
    return CampaignStatistics(
        leads=members["leads"],
        contacts=members["contacts"],
        responses=members["responses"],
        converted_leads=members["converted"],
        opportunities=opportunities["total"],
        won_opportunities=opportunities["won"],
        won_amount=opportunities["won_amount"] or zero,
        open_amount=opportunities["open_amount"] or zero,
        budgeted_cost=costs["budgeted"] or zero,
        actual_cost=costs["actual"] or zero,
        expected_revenue=costs["expected"] or zero,
    )


def campaign_statistics(*, campaign: Campaign) -> CampaignStatistics:
    return statistics_for([campaign.pk])


def campaign_hierarchy_statistics(*, campaign: Campaign) -> CampaignStatistics:
    """The campaign's totals with those of every campaign below it rolled up."""
    return statistics_for(descendant_ids(campaign))


def campaign_influences(*, campaign: Campaign) -> QuerySet[CampaignInfluence]:
    return (
        CampaignInfluence.objects.filter(campaign=campaign, is_primary=True)
        .select_related("opportunity", "opportunity__account")
        .order_by("-created_at", "-id")
    )


def contact_memberships(*, contact) -> QuerySet[CampaignMember]:
    return (
        CampaignMember.objects.filter(contact=contact).select_related("campaign", "status").order_by("created_at", "id")
    )


def primary_influence(*, opportunity) -> CampaignInfluence | None:
    """The opportunity's primary campaign source, if it has one."""
    return CampaignInfluence.objects.filter(opportunity=opportunity, is_primary=True).select_related("campaign").first()
