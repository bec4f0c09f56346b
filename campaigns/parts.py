"""The related lists this app adds to other objects' record pages: a lead's and a contact's
Campaign History, and an opportunity's primary campaign source."""

from django.template.loader import render_to_string

from . import selectors


def lead_campaign_history(request, lead) -> str:
    memberships = list(selectors.lead_memberships(lead=lead))
    addable = []
    if not lead.is_converted:
        addable = list(selectors.campaigns_editable_by(request.user).exclude(members__lead=lead)[:200])
    return render_to_string(
        "campaigns/includes/lead_campaign_history.html",
        {"lead": lead, "memberships": memberships, "addable": addable},
        request=request,
    )


def contact_campaign_history(request, contact) -> str:
    return render_to_string(
        "campaigns/includes/contact_campaign_history.html",
        {"contact": contact, "memberships": list(selectors.contact_memberships(contact=contact))},
        request=request,
    )


def opportunity_campaign_source(request, opportunity) -> str:
    influence = selectors.primary_influence(opportunity=opportunity)
    if influence is None:
        return ""
    return render_to_string(
        "campaigns/includes/opportunity_campaign_source.html", {"influence": influence}, request=request
    )
