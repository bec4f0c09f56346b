"""Pages of lead routing: my queues, queue setup, assignment rules, the rule tester, lead settings."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.criteria import field_specs
from core.forms import apply_service_errors
from core.roles import setup_admin_required
from core.rules import views as rule_views
from core.rules.views import RulePages

from ..fields import OBJECT_NAME
from ..models import Lead, Queue
from ..ownership import owner_key, owner_label
from ..selectors import lead_detail, lead_is_editable_by, leads_visible_to, owner_choices
from . import selectors, services
from .forms import (
    LeadSettingsForm,
    QueueForm,
    RuleEntryForm,
    RuleTestForm,
    SendToQueueForm,
)
from .models import AssignmentRule, RoutingAvailability, RuleEntry

QUEUE_PAGE_SIZE = 50
DRY_RUN_SIZE = 100


def _page(raw) -> int:
    return int(raw) if str(raw or "").isdigit() and 0 < int(raw) < 100000 else 1


# My queues -------------------------------------------------------------------------------------


@login_required
def queue_list(request: HttpRequest) -> HttpResponse:
    queues = list(selectors.my_queues(user=request.user))
    return render(
        request,
        "leads/routing/queue_list.html",
        {
            "queues": queues,
            "limit": selectors.WAITING_COUNT_LIMIT,
            "available": selectors.is_available(request.user),
        },
    )


@login_required
def queue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    queue = selectors.queue_for_member(user=request.user, pk=pk)
    page = _page(request.GET.get("page"))
    offset = (page - 1) * QUEUE_PAGE_SIZE
    window = list(selectors.queue_leads(user=request.user, queue=queue)[offset : offset + QUEUE_PAGE_SIZE + 1])
    return render(
        request,
        "leads/routing/queue_detail.html",
        {
            "queue": queue,
            "leads": window[:QUEUE_PAGE_SIZE],
            "page": page,
            "has_next": len(window) > QUEUE_PAGE_SIZE,
            "offset": offset,
            "is_member": services.is_queue_member(queue, request.user),
        },
    )


@login_required
@require_POST
def queue_accept_next(request: HttpRequest, pk: int) -> HttpResponse:
    queue = selectors.queue_for_member(user=request.user, pk=pk)
    try:
        lead = services.queue_accept_next(queue=queue, acting_user=request.user)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    if lead is None:
        messages.info(request, _("The queue “%(name)s” is empty: there is no lead to accept.") % {"name": queue.name})
        return redirect("leads:queue_detail", pk=queue.pk)
    messages.success(
        request,
        _("You accepted %(name)s (%(company)s) from “%(name2)s”. You own it now.")
        % {"name": lead.name, "company": lead.company, "name2": queue.name},
    )
    return redirect("leads:detail", pk=lead.pk)


@login_required
@require_POST
def lead_accept(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_detail(user=request.user, pk=pk)
    queue_name = lead.owner_queue.name if lead.owner_queue_id else ""
    try:
        services.lead_accept(lead=lead, acting_user=request.user)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("You accepted %(name)s from “%(queue_name)s”. You own it now.")
            % {"name": lead.name, "queue_name": queue_name},
        )
    back = request.POST.get("next", "")
    if back == "queue" and queue_name:
        return redirect("leads:queue_detail", pk=lead.owner_queue_id)
    return redirect("leads:detail", pk=lead.pk)


@login_required
@require_http_methods(["GET", "POST"])
def lead_send_to_queue(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_detail(user=request.user, pk=pk)
    if not lead_is_editable_by(lead, request.user):
        raise PermissionDenied(_("You may not change the owner of this lead."))
    form = SendToQueueForm(request.POST or None, initial={"queue": lead.owner_queue_id})
    if request.method == "POST" and form.is_valid():
        queue = form.cleaned_data["queue"]
        try:
            services.lead_send_to_queue(lead=lead, queue=queue, acting_user=request.user)
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s was sent to the queue “%(name2)s”.") % {"name": lead.name, "name2": queue.name}
            )
            if leads_visible_to(request.user).filter(pk=lead.pk).exists():
                return redirect("leads:detail", pk=lead.pk)
            return redirect("leads:list")
    return render(request, "leads/routing/send_to_queue.html", {"lead": lead, "form": form})


@login_required
@require_POST
def availability_toggle(request: HttpRequest) -> HttpResponse:
    """Set a user's round-robin availability (their own; admins anyone's)."""
    user_id = request.POST.get("user") or str(request.user.pk)
    user = get_object_or_404(get_user_model(), pk=int(user_id) if user_id.isdigit() else 0)
    wanted = request.POST.get("available") == "1"
    try:
        services.availability_set(user=user, is_available=wanted, acting_user=request.user)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    if user.pk == request.user.pk:
        text = (
            _("You are now available for round-robin assignment of leads.")
            if wanted
            else _("You are now unavailable for round-robin assignment of leads.")
        )
    else:
        text = (
            _("%(user)s is now available for round-robin assignment of leads.")
            if wanted
            else _("%(user)s is now unavailable for round-robin assignment of leads.")
        ) % {"user": owner_label(user)}
    messages.success(request, text)
    target = request.POST.get("next")
    return redirect("leads:queue_setup" if target == "setup" else "leads:queue_list")


# Queue setup -----------------------------------------------------------------------------------


@setup_admin_required
def queue_setup(request: HttpRequest) -> HttpResponse:
    users = list(get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username"))
    unavailable = set(RoutingAvailability.objects.filter(is_available=False).values_list("user_id", flat=True))
    return render(
        request,
        "leads/routing/queue_setup.html",
        {
            "queues": selectors.queue_setup_list(),
            "limit": selectors.WAITING_COUNT_LIMIT,
            "users": [(u, u.pk not in unavailable) for u in users],
        },
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def queue_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    queue = get_object_or_404(Queue, pk=pk) if pk else None
    initial = (
        {
            "name": queue.name,
            "email": queue.email,
            "members": list(queue.members.all()),
            "member_groups": list(queue.member_groups.all()),
        }
        if queue
        else {}
    )
    form = QueueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            if queue:
                saved = services.queue_update(queue=queue, acting_user=request.user, **values)
            else:
                saved = services.queue_create(acting_user=request.user, **values)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                (_("The queue “%(name)s” was saved.") if queue else _("The queue “%(name)s” was created."))
                % {"name": saved.name},
            )
            return redirect("leads:queue_setup")
    return render(request, "leads/routing/queue_form.html", {"form": form, "queue": queue})


@setup_admin_required
@require_POST
def queue_delete(request: HttpRequest, pk: int) -> HttpResponse:
    queue = get_object_or_404(Queue, pk=pk)
    try:
        services.queue_delete(queue=queue, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, f"The queue “{queue.name}” cannot be deleted. " + " ".join(exc.messages))
    else:
        messages.success(request, _("The queue “%(name)s” was deleted.") % {"name": queue.name})
    return redirect("leads:queue_setup")


# Lead settings ---------------------------------------------------------------------------------


@setup_admin_required
@require_http_methods(["GET", "POST"])
def lead_settings(request: HttpRequest) -> HttpResponse:
    row = selectors.lead_settings()
    form = LeadSettingsForm(
        request.POST or None,
        initial={
            "default_owner": owner_key(row.default_owner),
            "opportunity_required_on_convert": row.opportunity_required_on_convert,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_settings_update(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Lead settings were saved."))
            return redirect("leads:lead_settings")
    return render(request, "leads/routing/lead_settings.html", {"form": form, "row": row})


# Assignment rules ------------------------------------------------------------------------------


@setup_admin_required
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/routing/rule_list.html", {"rules": selectors.rule_list()})


PAGES = RulePages(
    title=gettext_lazy("Assignment Rules"),
    eyebrow=gettext_lazy("Lead Assignment Rule"),
    icon="signpost-split",
    list="leads:rule_list",
    detail="leads:rule_detail",
    create="leads:rule_create",
    edit="leads:rule_edit",
    activate="leads:rule_activate",
    delete="leads:rule_delete",
    entry_create="leads:entry_create",
    entry_edit="leads:entry_edit",
    entry_move="leads:entry_move",
    entry_delete="leads:entry_delete",
    entry_edit_takes_rule=True,
)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk) if pk else None
    return rule_views.rule_form_page(request, kind=services.ASSIGNMENT, pages=PAGES, rule=rule)


def _owner_named(criterion, specs, owners: dict) -> dict:
    """A criterion on a lookup (Lead Owner) shows the user's or queue's name, not its key."""
    if not isinstance(criterion, dict):
        return criterion
    spec = specs.get(criterion.get("field"))
    if spec is None or spec.field_type != "lookup":
        return criterion
    value = criterion.get("value")
    named = [owners.get(v, v) for v in value] if isinstance(value, list) else owners.get(value, value)
    return {**criterion, "value": named}


@setup_admin_required
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule.objects.select_related("updated_by"), pk=pk)
    specs = field_specs(OBJECT_NAME)
    owners = {key: label for _group, choices in owner_choices() for key, label in choices}
    return rule_views.rule_detail_page(
        request,
        kind=services.ASSIGNMENT,
        pages=PAGES,
        rule=rule,
        entries=selectors.rule_entries(rule=rule),
        template="leads/routing/rule_detail.html",
        named=lambda criterion: _owner_named(criterion, specs, owners),
        extra=lambda entry: {"assignee": services.entry_assignee_label(entry)},
        context={"settings_row": selectors.lead_settings()},
    )


@setup_admin_required
@require_POST
def rule_activate(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk)
    return rule_views.rule_activate_view(request, kind=services.ASSIGNMENT, pages=PAGES, rule=rule)


@setup_admin_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk)
    return rule_views.rule_delete_view(request, kind=services.ASSIGNMENT, pages=PAGES, rule=rule)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, rule_pk: int, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=rule_pk)
    entry = get_object_or_404(RuleEntry, pk=pk, rule=rule) if pk else None
    return rule_views.entry_form_page(
        request,
        kind=services.ASSIGNMENT,
        pages=PAGES,
        form_class=RuleEntryForm,
        rule=rule,
        entry=entry,
        template="leads/routing/entry_form.html",
    )


@setup_admin_required
@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(RuleEntry, pk=pk)
    return rule_views.entry_delete_view(request, kind=services.ASSIGNMENT, pages=PAGES, entry=entry)


@setup_admin_required
@require_POST
def entry_move(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(RuleEntry, pk=pk)
    return rule_views.entry_move_view(request, kind=services.ASSIGNMENT, pages=PAGES, entry=entry)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def rule_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Which entry would take a lead (or typed values), and a dry run over the latest leads."""
    rule = get_object_or_404(AssignmentRule, pk=pk)
    form = RuleTestForm(request.POST or None)
    outcome = tested = None
    if request.method == "POST" and form.is_valid():
        lead_id = form.cleaned_data.get("lead")
        if lead_id:
            lead = leads_visible_to(request.user, include_converted=True).filter(pk=lead_id).first()
            if lead is None:
                form.add_error("lead", "No lead with this ID.")
            else:
                tested = lead
                outcome = services.rule_test(rule=rule, record=lead)
        else:
            tested = "values"
            outcome = services.rule_test(rule=rule, record=form.record_values())
    dry_run = None
    if request.GET.get("dry_run") == "1":
        latest = Lead.objects.filter(is_converted=False).order_by("-created_at", "-id")[:DRY_RUN_SIZE]
        dry_run = services.rule_dry_run(rule=rule, leads=latest)
    return render(
        request,
        "leads/routing/rule_test.html",
        {
            "rule": rule,
            "form": form,
            "outcome": outcome,
            "tested": tested,
            "dry_run": dry_run,
            "dry_run_size": DRY_RUN_SIZE,
            "recent": leads_visible_to(request.user).only("pk", "salutation", "first_name", "last_name", "company")[
                :50
            ],
        },
    )
