"""Demo content of campaigns: a small hierarchy of campaigns with lead members in each status."""

from leads.models import Lead

from .models import Campaign, CampaignMember
from .services import campaign_create, campaign_members_add, member_status_create

CAMPAIGNS = [
    # name, type, status, tracking code, parent, actual cost, number of lead members, status of the first third
    ("Spring Launch 2026", "Other", "In Progress", "spring-launch", None, "4000", 0, ""),
    (
        "Spring webinar series",
        "Webinar",
        "In Progress",
        "spring-webinar",
        "Spring Launch 2026",
        "1200",
        18,
        "Responded",
    ),
    ("Berlin Trade Fair", "Trade Show", "Completed", "berlin-fair", "Spring Launch 2026", "8500", 12, "Visited Booth"),
    ("Monthly newsletter", "Email", "In Progress", "newsletter", None, "150", 30, "Responded"),
]


def seed(*, users) -> None:
    admin = users["marketing"]
    by_name = {c.name: c for c in Campaign.objects.filter(name__in=[row[0] for row in CAMPAIGNS])}
    leads = list(Lead.objects.filter(is_converted=False).order_by("id")[:60])
    for name, kind, status, code, parent, cost, count, responded in CAMPAIGNS:
        campaign = by_name.get(name)
        if campaign is None:
            campaign = campaign_create(
                data={"name": name, "type": kind, "status": status, "tracking_code": code, "actual_cost": cost},
                parent=by_name.get(parent),
                acting_user=admin,
            )
            by_name[name] = campaign
            if responded == "Visited Booth":
                member_status_create(campaign=campaign, label=responded, counts_as_responded=True, acting_user=admin)
        if not count or CampaignMember.objects.filter(campaign=campaign).exists():
            continue
        chosen = leads[:count]
        third = max(1, count // 3)
        campaign_members_add(campaign=campaign, leads=chosen[:third], status=responded, acting_user=admin)
        campaign_members_add(campaign=campaign, leads=chosen[third:], status="Sent", acting_user=admin)
        leads = leads[count // 2 :] + leads[: count // 2]  # overlap a little between campaigns
