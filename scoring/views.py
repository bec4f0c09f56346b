"""Scoring pages: the Score panel of a lead's record page, and the Setup pages of scoring models
and their rules."""

from django.template.loader import render_to_string

from . import services


def lead_score_part(request, lead) -> str:
    """The Score panel of a lead's record page (registered with core.registry): each active
    model's score and grade, and why."""
    scored = services.lead_scores(lead=lead)
    if not scored:
        return ""
    return render_to_string("scoring/score_part.html", {"lead": lead, "scored": scored}, request=request)
