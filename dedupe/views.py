"""Duplicate management pages: matching rules and the duplicate rule (setup), duplicate jobs and
their groups, the side-by-side merge of up to three leads, and undoing a merge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors
from core.roles import setup_admin_required
from core.rules import views as rule_views
from core.rules.views import RulePages
from core.selectors import field_labels
from leads.fields import WRITABLE_FIELDS
from leads.selectors import lead_is_editable_by, leads_visible_to

from . import selectors, services
from .forms import PATH_LABELS, DuplicateEntryForm, MatchingRuleForm
from .models import DuplicateAction, DuplicateRule, DuplicateRuleEntry, MatchingRule
from .services.screen import describe_matches

PAGES = RulePages(
    title=gettext_lazy("Duplicate Rules"),
    eyebrow=gettext_lazy("Lead Duplicate Rule"),
    icon="intersect",
    list="dedupe:rule_list",
    detail="dedupe:rule_detail",
    create="dedupe:rule_create",
    edit="dedupe:rule_edit",
    activate="dedupe:rule_activate",
    delete="dedupe:rule_delete",
    entry_create="dedupe:entry_create",
    entry_edit="dedupe:entry_edit",
    entry_move="dedupe:entry_move",
    entry_delete="dedupe:entry_delete",
)


# Setup: duplicate rules -----------------------------------------------------------------------


@setup_admin_required
def rule_list(request):
    rules = DuplicateRule.objects.annotate(entry_count=Count("entries")).order_by("name")
    matching = MatchingRule.objects.order_by("name")
    return render(request, "dedupe/rule_list.html", {"rules": rules, "matching_rules": matching})


def _entry_actions(entry) -> dict:
    labels = dict(DuplicateAction.choices)
    return {"actions": [(label, labels.get(getattr(entry, name), "")) for name, label in PATH_LABELS]}


VIEWS = rule_views.kind_views(
    kind=services.DUPLICATE,
    pages=PAGES,
    rule_model=DuplicateRule,
    entry_model=DuplicateRuleEntry,
    entry_form=DuplicateEntryForm,
    entry_template="dedupe/entry_form.html",
    detail_template="dedupe/rule_detail.html",
    entries=lambda rule: rule.entries.select_related("matching_rule").order_by("sort_order", "id"),
    extra=_entry_actions,
)
rule_create, rule_edit, rule_detail = VIEWS.rule_create, VIEWS.rule_edit, VIEWS.rule_detail
rule_activate, rule_delete = VIEWS.rule_activate, VIEWS.rule_delete
entry_create, entry_edit, entry_delete, entry_move = (
    VIEWS.entry_create,
    VIEWS.entry_edit,
    VIEWS.entry_delete,
    VIEWS.entry_move,
)


# Setup: matching rules ------------------------------------------------------------------------


@setup_admin_required
@require_http_methods(["GET", "POST"])
def matching_rule_form(request, pk: int | None = None):
    rule = get_object_or_404(MatchingRule, pk=pk) if pk else None
    form = MatchingRuleForm(request.POST or None, initial=MatchingRuleForm.initial_from(rule))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data.get(name) for name in form.fields}
        try:
            if rule is None:
                saved = services.matching_rule_create(data=data, acting_user=request.user)
            else:
                saved = services.matching_rule_update(rule=rule, data=data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The matching rule “%(name)s” was saved.") % {"name": saved.name})
            return redirect("dedupe:rule_list")
    return render(request, "dedupe/matching_rule_form.html", {"form": form, "rule": rule})


@setup_admin_required
@require_POST
def matching_rule_delete(request, pk: int):
    rule = get_object_or_404(MatchingRule, pk=pk)
    try:
        services.matching_rule_delete(rule=rule, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The matching rule “%(name)s” was deleted.") % {"name": rule.name})
    return redirect("dedupe:rule_list")


# Duplicate jobs -------------------------------------------------------------------------------


@setup_admin_required
@require_http_methods(["GET", "POST"])
def job_list(request):
    if request.method == "POST":
        rule = MatchingRule.objects.filter(pk=request.POST.get("matching_rule") or 0).first()
        if rule is None:
            messages.error(request, _("Choose a matching rule."))
        else:
            try:
                job = services.duplicate_job_start(
                    matching_rule=rule,
                    acting_user=request.user,
                    include_contacts=bool(request.POST.get("include_contacts")),
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The duplicate job was queued."))
                return redirect("dedupe:job_detail", pk=job.pk)
    jobs = selectors.duplicate_jobs()[:100]
    return render(
        request, "dedupe/job_list.html", {"jobs": jobs, "matching_rules": MatchingRule.objects.order_by("name")}
    )


@setup_admin_required
def job_detail(request, pk: int):
    job = get_object_or_404(selectors.duplicate_jobs(), pk=pk)
    groups = selectors.duplicate_groups(job=job, user=request.user)
    template = "dedupe/partials/job_progress.html" if request.htmx else "dedupe/job_detail.html"
    return render(request, template, {"job": job, "groups": groups, "running": job.status in {"queued", "running"}})


# Merge ----------------------------------------------------------------------------------------


def _merge_ids(raw) -> list[int]:
    ids = []
    for part in str(raw or "").replace(" ", "").split(","):
        if part.isdigit() and int(part) not in ids:
            ids.append(int(part))
    return ids


@login_required
@require_http_methods(["GET", "POST"])
def merge(request):
    """Up to three leads side by side: the master and, per field, whose value to keep."""
    ids = _merge_ids(request.POST.get("ids") or request.GET.get("ids"))
    # The lead page's "Possible Duplicates" list adds the leads ticked there.
    ids += [pk for pk in _merge_ids(",".join(request.GET.getlist("pick"))) if pk not in ids]
    if not 2 <= len(ids) <= services.merge.MAX_LEADS:
        messages.error(request, _("Choose two or three leads to merge."))
        return redirect("leads:list")
    leads = list(leads_visible_to(request.user).filter(pk__in=ids).select_related("owner_user", "owner_queue"))
    if len(leads) != len(ids):
        raise Http404
    if not all(lead_is_editable_by(lead, request.user) for lead in leads):
        raise PermissionDenied(_("You may only merge leads you may edit."))
    leads.sort(key=lambda lead: ids.index(lead.pk))
    labels = field_labels(object_name="lead")
    error = ""
    master_id = (
        int(request.POST.get("master") or leads[0].pk)
        if str(request.POST.get("master") or "").isdigit() or not request.POST.get("master")
        else 0
    )
    if request.method == "POST":
        value_from = {}
        for name in WRITABLE_FIELDS:
            chosen = request.POST.get(f"field_{name}", "")
            if chosen.isdigit():
                value_from[name] = int(chosen)
        try:
            done = services.lead_merge(
                master_id=master_id,
                merged_ids=[pk for pk in ids if pk != master_id],
                value_from=value_from,
                acting_user=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, _("The leads were merged."))
            return redirect(reverse("leads:detail", args=[done.master_id]) + f"?merged={done.pk}")
    rows = []
    for name in WRITABLE_FIELDS:
        values = [(lead.pk, getattr(lead, name)) for lead in leads]
        differ = len({str(v or "") for _pk, v in values}) > 1
        rows.append({"name": name, "label": labels.get(name, name), "values": values, "differ": differ})
    return render(
        request,
        "dedupe/merge.html",
        {"leads": leads, "rows": rows, "ids": ",".join(str(pk) for pk in ids), "master_id": master_id, "error": error},
    )


@login_required
@require_POST
def merge_undo(request, pk: int):
    done = get_object_or_404(selectors.merges_of(user=request.user), pk=pk)
    try:
        services.lead_merge_undo(merge=done, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    else:
        messages.success(request, _("The merge was undone: the merged leads are back."))
    return redirect("leads:detail", pk=done.master_id)


def lead_duplicates_part(request, lead) -> str:
    """The lead page's "Possible Duplicates" related list, with a merge button and the last merge's undo."""
    if not request.user.is_authenticated or lead.is_converted:
        return ""
    matches = describe_matches(services.lead_duplicates(lead=lead)[:10], user=request.user)
    recent = selectors.merges_of(user=request.user).filter(master_id=lead.pk, undone_at__isnull=True).first()
    return render_to_string(
        "dedupe/partials/lead_duplicates.html",
        {"lead": lead, "matches": [m for m in matches if m["readable"]], "recent_merge": recent},
        request=request,
    )
