"""Engagement pages: the public tracking script and endpoints (no login), the lead's timeline
(an htmx partial of the lead page) and the Setup page of the tracking settings."""

import base64
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.auth import client_address
from core.roles import setup_admin_required
from leads.selectors import lead_is_editable_by

from . import services
from .forms import EngagementSettingsForm
from .models import EngagementEvent, LeadTrackingPreference
from .selectors import engagement_settings, lead_events, visible_lead

logger = logging.getLogger(__name__)

NEVER_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"
TIMELINE_PAGE_SIZE = 10
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


# Public ------------------------------------------------------------------------------------------


@require_GET
def track_js(request):
    """``GET /t/track.js``: the first-party tracking script, with this server's endpoint in it."""
    try:
        enabled = services.public_settings().tracking_enabled
    except Exception:
        logger.exception("Tracking settings could not be read; the script is served turned off")
        enabled = False
    body = render_to_string(
        "engagement/track.js",
        {"endpoint": request.build_absolute_uri(reverse("engagement:events")), "enabled": enabled},
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


def _no_content() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Cache-Control"] = NEVER_STORE
    return response


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt
@require_POST
def events(request):
    """``POST /t/events/``: store the script's page view as it came and answer 204 at once; a
    worker turns it into an event. Whatever the body and whatever fails, never a 5xx."""
    try:
        settings_row = services.public_settings()
        if not settings_row.tracking_enabled:
            return _no_content()
        address = client_address(request)
        address = None if address == "unknown" else address
        if services.rate_limited(address, settings_row.rate_limit_per_minute):
            response = HttpResponse(status=429)
            response["Retry-After"] = "60"
            return response
        if _content_length(request) > services.MAX_BODY_BYTES:
            return _no_content()  # not our script's: not read, not kept
        try:
            body = request.body
        except (SuspiciousOperation, OSError):
            return _no_content()
        if body.strip():
            services.tracking_receive(
                body=body,
                content_type=request.content_type or "",
                source_address=address,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
    except Exception:
        logger.exception("A tracking request could not be stored")
    return _no_content()


@never_cache
@require_GET
def email_open(request, token: str):
    """``GET /t/o/<token>``: the open pixel of a sent email."""
    try:
        event = services.email_open_record(token=token, user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except Exception:
        logger.exception("An email open could not be recorded")
        event = True  # the token may be fine: the reader still gets the pixel
    if event is None and not _token_shaped(token):
        raise Http404
    return HttpResponse(PIXEL, content_type="image/gif")


def _token_shaped(token: str) -> bool:
    """Whether the token is one this site signed (its email may since be gone)."""
    try:
        signing.loads(token, salt=services.email_tracking.OPEN_SALT)
    except signing.BadSignature:
        return False
    return True


@never_cache
@require_GET
def email_click(request, token: str):
    """``GET /t/c/<token>``: record the click and go on to the link the email held; an unknown or
    tampered token goes to the site's root, never to a URL of the request's choosing."""
    try:
        target = services.email_click_target(token=token, user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except Exception:
        logger.exception("An email click could not be recorded")
        target = None
    return HttpResponseRedirect(target or "/")


# The lead page ------------------------------------------------------------------------------------


def _timeline_context(request, lead, page_number) -> dict:
    paginator = Paginator(lead_events(lead=lead), TIMELINE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    preference = LeadTrackingPreference.objects.filter(lead=lead).first()
    events = list(page.object_list)
    for event in events:
        event.icon = EVENT_ICONS.get(event.event_type, "dot")
    return {
        "lead": lead,
        "page": page,
        "events": events,
        "total": paginator.count,
        "opted_out": bool(preference and preference.tracking_opt_out),
        "editable": request is not None and lead_is_editable_by(lead, request.user),
    }


EVENT_ICONS = {
    EngagementEvent.Type.PAGE_VIEW: "eye",
    EngagementEvent.Type.FORM_SUBMIT: "ui-checks",
    EngagementEvent.Type.EMAIL_SENT: "envelope",
    EngagementEvent.Type.EMAIL_OPEN: "envelope-open",
    EngagementEvent.Type.EMAIL_CLICK: "cursor",
    EngagementEvent.Type.UNSUBSCRIBE: "envelope-x",
    EngagementEvent.Type.STATUS_CHANGE: "flag",
    EngagementEvent.Type.CUSTOM: "lightning",
}


def lead_engagement_part(request, lead) -> str:
    """The Engagement related list of a lead's record page (registered with core.registry)."""
    return render_to_string("engagement/timeline_part.html", _timeline_context(request, lead, 1), request=request)


@login_required
@require_GET
def lead_engagement(request, pk: int):
    """A page of a lead's timeline (htmx asks for the next, older page)."""
    lead = visible_lead(user=request.user, pk=pk)
    context = _timeline_context(request, lead, request.GET.get("page") or 1)
    return render(request, "engagement/timeline_page.html", context)


@login_required
@require_POST
def lead_tracking_opt_out(request, pk: int):
    """Turn the lead's tracking opt-out on or off (users who may edit the lead)."""
    lead = visible_lead(user=request.user, pk=pk)
    if not lead_is_editable_by(lead, request.user):
        raise PermissionDenied(_("You may not edit this lead."))
    opt_out = request.POST.get("opt_out") == "1"
    services.lead_tracking_opt_out_set(lead=lead, opt_out=opt_out, acting_user=request.user)
    if request.htmx:
        return HttpResponse(lead_engagement_part(request, lead))
    messages.success(request, _("Tracking opt-out saved."))
    return redirect("leads:detail", pk=lead.pk)


# Setup --------------------------------------------------------------------------------------------


@setup_admin_required
def settings_edit(request):
    row = engagement_settings()
    form = EngagementSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        services.engagement_settings_update(acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Engagement tracking settings saved."))
        return redirect("engagement:settings")
    snippet = f'<script src="{request.build_absolute_uri(reverse("engagement:track_js"))}" async></script>'
    return render(request, "engagement/settings_form.html", {"form": form, "snippet": snippet})
