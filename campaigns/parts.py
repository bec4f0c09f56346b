"""The "Campaign History" related list that this app adds to the lead page."""

from django.template.loader import render_to_string

from . import selectors


def lead_campaign_history(request, lead) -> str:
    memberships = list(selectors.lead_memberships(lead=lead))
    addable = (
        []
        if lead.is_converted
        else list(selectors.campaigns_editable_by(request.user).exclude(members__lead=lead)[:200])
    )
    return render_to_string(
        "campaigns/includes/lead_campaign_history.html",
        {"lead": lead, "memberships": memberships, "addable": addable},
        request=request,
    )
