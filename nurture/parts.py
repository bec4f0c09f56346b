"""The lead page's "Nurture Sequences" related list (registered in apps.py)."""

from django.template.loader import render_to_string

from . import selectors


def lead_nurture_sequences(request, lead) -> str:
    enrolments = list(selectors.lead_enrolments(lead=lead)[:50])
    open_ids = {e.sequence_id for e in enrolments if e.status in ("active", "paused")}
    enrollable = []
    if not lead.is_converted:
        enrollable = [s for s in selectors.enrollable_sequences(user=request.user)[:200] if s.pk not in open_ids]
    return render_to_string(
        "nurture/includes/lead_sequences.html",
        {"lead": lead, "enrolments": enrolments, "enrollable": enrollable},
        request=request,
    )
