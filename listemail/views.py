"""List email pages: choose a template for a lead list selection (or a campaign's lead and contact
members), preview
who gets it and who is skipped, send, and follow the progress (htmx polling)."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.selectors import campaigns_editable_by, campaigns_visible_to
from core.forms import apply_service_errors
from core.roles import may_manage_campaigns
from leads.filters import LeadFilter
from leads.selectors import LIST_VIEWS, lead_list

from . import selectors, services
from .forms import ListEmailForm

MAX_IDS = 5000


def _list_view_leads(request: HttpRequest, back: str):
    """The leads of the lead list view ``back`` points at (its view and filters), or ``None`` when
    ``back`` is not the lead list: "all leads of this list view" instead of the page's selection."""
    parsed = urlsplit(back)
    if parsed.path != reverse("leads:list"):
        return None
    params = QueryDict(parsed.query)
    view = params.get("view") or "my"
    filterset = LeadFilter(params, queryset=lead_list(user=request.user, view=view if view in LIST_VIEWS else "my"))
    return filterset.qs


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if target and ok else default


@login_required
@require_http_methods(["GET", "POST"])
def list_email_new_view(request: HttpRequest) -> HttpResponse:
    """The lead list's "Send List Email" (posts the selected ``ids``) or a campaign's (``campaign``):
    the first post shows the form, "Preview" counts who gets it, "Send" sends."""
    if not may_manage_campaigns(request.user):
        raise PermissionDenied(_("Only marketing admins may send list email."))
    data = request.POST if request.method == "POST" else request.GET
    ids = [int(i) for i in data.getlist("ids") if i.isdigit()][:MAX_IDS]
    raw_campaign = data.get("campaign", "")
    campaign = (
        get_object_or_404(campaigns_visible_to(request.user), pk=raw_campaign) if raw_campaign.isdigit() else None
    )
    back = _safe_next(request, reverse("campaigns:detail", args=[campaign.pk]) if campaign else reverse("leads:list"))
    list_leads = _list_view_leads(request, back) if campaign is None else None
    whole_view = list_leads is not None and data.get("whole_view") == "1"
    if not ids and campaign is None and not whole_view:
        messages.error(request, _("Select at least one lead."))
        return redirect(back)
    choices = campaigns_editable_by(request.user)
    step = request.POST.get("step", "")
    initial = {"record_campaign": campaign.pk if campaign and choices.filter(pk=campaign.pk).exists() else None}
    form = ListEmailForm(request.POST if step else None, campaigns=choices, initial=initial)
    leads = (
        services.candidate_leads(user=request.user, lead_ids=ids, campaign=campaign)
        if not whole_view
        else services.candidate_leads(user=request.user, lead_ids=list_leads.values("pk"))
    )
    contacts = services.candidate_contacts(user=request.user, campaign=campaign)
    preview = None
    if form.is_bound and form.is_valid():
        values = form.cleaned_data
        if step == "send":
            try:
                send = services.list_email_create(user=request.user, leads=leads, contacts=contacts, **values)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The list email is being sent to %(n)s recipients.") % {"n": send.total})
                return redirect(reverse("listemail:detail", args=[send.pk]))
        preview = services.list_email_preview(leads=leads, contacts=contacts)
    return render(
        request,
        "listemail/new.html",
        {
            "form": form,
            "ids": ids,
            "campaign": campaign,
            "next": back,
            "preview": preview,
            "offers_whole_view": list_leads is not None,
            "whole_view": whole_view,
            "max_recipients": services.MAX_RECIPIENTS,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def list_email_list_view(request: HttpRequest) -> HttpResponse:
    sends = selectors.list_emails_visible_to(request.user)[:200]
    return render(request, "listemail/list.html", {"sends": sends})


@login_required
def list_email_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The send's record page; its progress panel polls itself (htmx) until the send is done."""
    send = get_object_or_404(selectors.list_emails_visible_to(request.user), pk=pk)
    context = {
        "send": send,
        "counts": selectors.delivery_counts(send=send),
        "percent": selectors.progress_percent(send),
        "skipped": [(str(services.SKIP_REASONS.get(k, k)), n) for k, n in send.skipped.items() if n],
    }
    if request.htmx:
        return render(request, "listemail/partials/progress.html", context)
    return render(request, "listemail/detail.html", context)
