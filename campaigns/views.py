"""Campaign pages: list, record page (saved mode), edit page, members and their statuses, and
adding leads from the lead list or the lead page. Views check access, call a service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.fields import custom_definitions, display_value
from core.forms import apply_service_errors
from core.history import history_for
from core.paging import page_window
from core.roles import display_name
from core.selectors import field_labels, picklist_labels
from leads.selectors import leads_visible_to

from . import selectors, services
from .fields import CAMPAIGN, CAMPAIGN_FIELDS, SECTIONS
from .forms import AddLeadsForm, CampaignForm, MemberStatusForm
from .models import CampaignMember

PAGE_SIZE = 50


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _visible(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)


def _editable(request: HttpRequest, pk: int):
    campaign = _visible(request, pk)
    if not selectors.campaign_is_editable_by(campaign, request.user):
        raise PermissionDenied(_("Only marketing admins and the campaign's owner may change this campaign."))
    return campaign


def _money(value) -> str:
    return "" if value is None else f"{value:,.2f}"


def _cell(campaign, name: str, labels: dict) -> str:
    value = getattr(campaign, name) if name not in ("owner", "parent") else None
    if name == "owner":
        return campaign.owner_name
    if name == "parent":
        return str(campaign.parent) if campaign.parent_id else ""
    if name in ("type", "status"):
        return labels.get(name, {}).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None:
        return ""
    if name in ("budgeted_cost", "actual_cost", "expected_revenue"):
        return _money(value)
    if name == "expected_response":
        return f"{value.normalize():f}%"
    if name in ("start_date", "end_date"):
        return value.isoformat()
    return value


def _sections(campaign) -> list[tuple[str, list[dict]]]:
    labels = picklist_labels(object_name=CAMPAIGN)
    meta = field_labels(object_name=CAMPAIGN)
    sections = []
    for key, title in SECTIONS:
        rows = [
            {
                "name": api_name,
                "label": meta.get(api_name, label),
                "value": _cell(campaign, api_name, labels),
                "link": reverse("campaigns:detail", args=[campaign.parent_id])
                if api_name == "parent" and campaign.parent_id
                else None,
                "help": help_text,
            }
            for api_name, label, _type, _req, section, help_text in CAMPAIGN_FIELDS
            if section == key
        ]
        sections.append((title, rows))
    custom = [
        {
            "name": d.api_name,
            "label": d.label,
            "value": display_value(d, (campaign.custom_fields or {}).get(d.api_name)),
            "link": None,
            "help": d.help_text,
        }
        for d in custom_definitions(CAMPAIGN)
    ]
    if custom:
        sections.append((_("Custom Fields"), custom))
    return sections


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    rows, filterset = selectors.campaign_list(user=request.user, params=request.GET, request=request)
    records, page, has_next = page_window(rows, request.GET.get("page"), PAGE_SIZE)
    labels = picklist_labels(object_name=CAMPAIGN)
    for campaign in records:
        campaign.type_label = labels.get("type", {}).get(campaign.type, campaign.type)
        campaign.status_label = labels.get("status", {}).get(campaign.status, campaign.status)
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": records,
            "page": page,
            "has_next": has_next,
            "filter": filterset,
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
            "query_string": _without_page(request),
            "can_create": selectors.campaign_can_be_created_by(request.user),
        },
    )


@login_required
def campaign_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _visible(request, pk)
    labels = picklist_labels(object_name=CAMPAIGN)
    meta = field_labels(object_name=CAMPAIGN)
    can_edit = selectors.campaign_is_editable_by(campaign, request.user)
    members, page, has_next = page_window(
        selectors.campaign_members(campaign=campaign), request.GET.get("page"), PAGE_SIZE
    )
    statuses = list(selectors.member_statuses(campaign=campaign))
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "record": campaign,
            "can_edit": can_edit,
            "highlights": [
                {"label": meta.get(name, name), "value": _cell(campaign, name, labels)}
                for name in ("type", "status", "start_date", "end_date", "owner")
            ],
            "sections": _sections(campaign),
            "system_info": [
                (_("Created By"), f"{display_name(campaign.created_by)}, {campaign.created_at:%Y-%m-%d %H:%M}"),
                (
                    _("Last Modified By"),
                    f"{display_name(campaign.last_modified_by)}, {campaign.last_modified_at:%Y-%m-%d %H:%M}",
                ),
            ],
            "stats": selectors.campaign_statistics(campaign=campaign),
            "hierarchy_stats": selectors.campaign_hierarchy_statistics(campaign=campaign),
            "children": list(campaign.children.order_by("name", "id")),
            "members": members,
            "page": page,
            "has_next": has_next,
            "statuses": statuses,
            "status_form": MemberStatusForm(),
            "influences": list(selectors.campaign_influences(campaign=campaign)[:50]),
            "history": list(history_for(object_name=CAMPAIGN, record_id=campaign.pk)[:50]),
            "history_config": {"label": _("Campaign")},
        },
    )


def _form_page(request: HttpRequest, *, campaign=None) -> HttpResponse:
    creating = campaign is None
    initial = {"owner": request.user.pk} if creating else {}
    if creating and request.GET.get("parent", "").isdigit():
        initial["parent"] = int(request.GET["parent"])
    form = CampaignForm(request.POST if request.method == "POST" else None, instance=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if creating:
                campaign = services.campaign_create(
                    data=form.service_data(),
                    acting_user=request.user,
                    owner=form.cleaned_data["owner"],
                    parent=form.cleaned_data["parent"],
                    custom_fields=form.custom_data(),
                )
                messages.success(request, _("Campaign “%(name)s” was created.") % {"name": campaign})
            else:
                version = request.POST.get("version", "")
                campaign = services.campaign_update(
                    campaign=campaign,
                    data=form.service_data(),
                    acting_user=request.user,
                    owner=form.cleaned_data["owner"],
                    parent=form.cleaned_data["parent"],
                    custom_fields=form.custom_data(),
                    expected_version=int(version) if version.isdigit() else None,
                )
                messages.success(request, _("Campaign “%(name)s” was saved.") % {"name": campaign})
            return redirect("campaigns:detail", campaign.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "record": campaign,
            "form": form,
            "cancel_url": reverse("campaigns:detail", args=[campaign.pk]) if campaign else reverse("campaigns:list"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    if not selectors.campaign_can_be_created_by(request.user):
        raise PermissionDenied(_("Only marketing admins may create campaigns."))
    return _form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, campaign=_editable(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def campaign_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    if request.method == "POST":
        services.campaign_delete(campaign=campaign, acting_user=request.user)
        messages.success(request, _("Campaign “%(name)s” was deleted.") % {"name": campaign})
        return redirect("campaigns:list")
    return render(request, "campaigns/campaign_delete.html", {"record": campaign})


@login_required
@require_POST
def member_status_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _editable(request, pk)
    form = MemberStatusForm(request.POST)
    if form.is_valid():
        try:
            services.member_status_create(campaign=campaign, acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("Member status “%(label)s” was added.") % {"label": form.cleaned_data["label"]})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Enter a member status."))
    return redirect(reverse("campaigns:detail", args=[pk]) + "#member-statuses")


def _member(request: HttpRequest, pk: int, member_pk: int) -> CampaignMember:
    campaign = _editable(request, pk)
    return get_object_or_404(CampaignMember.objects.select_related("campaign"), pk=member_pk, campaign=campaign)


@login_required
@require_POST
def member_update_view(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    member = _member(request, pk, member_pk)
    raw = request.POST.get("status", "")
    try:
        services.campaign_member_update(
            member=member, status=int(raw) if raw.isdigit() else raw, acting_user=request.user
        )
        messages.success(request, _("The member's status was changed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_safe_next(request, reverse("campaigns:detail", args=[pk]) + "#members"))


@login_required
@require_POST
def member_remove_view(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    member = _member(request, pk, member_pk)
    services.campaign_member_remove(member=member, acting_user=request.user)
    messages.success(request, _("%(person)s was removed from the campaign.") % {"person": member.person})
    return redirect(_safe_next(request, reverse("campaigns:detail", args=[pk]) + "#members"))


def _added_message(request: HttpRequest, campaign, result) -> None:
    messages.success(
        request,
        _("%(added)d added to campaign “%(name)s”; %(already)d already in it.")
        % {"added": len(result.added), "name": campaign, "already": result.already_members},
    )
    if result.refused:
        messages.warning(request, " ".join(sorted({m for ms in result.refused.values() for m in ms})))


@login_required
@require_POST
def lead_add_view(request: HttpRequest, lead_pk: int) -> HttpResponse:
    """The lead page's "Add to Campaign": one lead into one campaign the user may change."""
    lead = get_object_or_404(leads_visible_to(request.user), pk=lead_pk)
    raw = request.POST.get("campaign", "")
    campaign = selectors.campaigns_editable_by(request.user).filter(pk=raw if raw.isdigit() else 0).first()
    back = reverse("leads:detail", args=[lead.pk]) + "#campaign-history"
    if campaign is None:
        messages.error(request, _("Choose an active campaign you may change."))
        return redirect(back)
    try:
        result = services.campaign_members_add(
            campaign=campaign, leads=[lead], status=request.POST.get("status") or None, acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _added_message(request, campaign, result)
    return redirect(back)


@login_required
@require_POST
def add_leads_view(request: HttpRequest) -> HttpResponse:
    """Add the leads selected on the lead list (posted as ``ids``) to a campaign: the first post
    (from the list) asks which campaign, the second adds them."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:5000]
    back = _safe_next(request, reverse("leads:list"))
    if not ids:
        messages.error(request, _("Select at least one lead."))
        return redirect(back)
    campaigns = selectors.campaigns_editable_by(request.user)
    form = AddLeadsForm(request.POST if "campaign" in request.POST else None, campaigns=campaigns)
    if form.is_bound and form.is_valid():
        campaign = form.cleaned_data["campaign"]
        leads = list(leads_visible_to(request.user).filter(pk__in=ids))
        try:
            result = services.campaign_members_add(
                campaign=campaign, leads=leads, status=form.cleaned_data["status"] or None, acting_user=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            _added_message(request, campaign, result)
            return redirect(back)
    return render(
        request,
        "campaigns/add_leads.html",
        {"form": form, "ids": ids, "next": back, "has_campaigns": campaigns.exists()},
        status=400 if form.is_bound else 200,
    )
