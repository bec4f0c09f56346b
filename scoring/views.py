"""Scoring pages: the Score panel of a lead's record page, and the Setup pages of scoring models
and their rules (fit rules through the shared rule pages of ``core.rules``)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors
from core.roles import setup_admin_required
from core.rules import views as rule_views
from core.rules.views import RulePages
from core.selectors import picklist_values
from leads.fields import OBJECT_NAME

from . import bulk, services, timing_rules
from .forms import BehaviourRuleForm, FitRuleForm, ProgressionRuleForm, ScoringModelForm, VelocityRuleForm
from .history import score_sparkline
from .models import BehaviourRule, FitRule, ScoringModel, StatusProgressionRule, VelocityRule


def lead_score_part(request, lead) -> str:
    """The Score panel of a lead's record page (registered with core.registry): each active
    model's score and grade, and why."""
    scored = services.lead_scores(lead=lead)
    if not scored:
        return ""
    sparklines = score_sparkline(lead=lead, model_ids=[s.model.pk for s in scored])
    items = [{"item": s, "sparkline": sparklines.get(s.model.pk)} for s in scored]
    return render_to_string("scoring/score_part.html", {"lead": lead, "items": items}, request=request)


PAGES = RulePages(
    title=gettext_lazy("Scoring Models"),
    eyebrow=gettext_lazy("Lead Scoring Model"),
    icon="speedometer2",
    list="scoring:model_list",
    detail="scoring:model_detail",
    create="scoring:model_create",
    edit="scoring:model_edit",
    activate="scoring:model_activate",
    delete="scoring:model_delete",
    entry_create="scoring:fit_create",
    entry_edit="scoring:fit_edit",
    entry_move="scoring:fit_move",
    entry_delete="scoring:fit_delete",
    entry_edit_takes_rule=True,
)


@setup_admin_required
def model_list(request: HttpRequest) -> HttpResponse:
    models = ScoringModel.objects.prefetch_related("entries", "behaviour_rules").order_by("-is_default", "name")
    return render(request, "scoring/model_list.html", {"models": models, "pages": PAGES})


@setup_admin_required
@require_http_methods(["GET", "POST"])
def model_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    model = get_object_or_404(ScoringModel, pk=pk) if pk else None
    form = ScoringModelForm(request.POST or None, initial=ScoringModelForm.initial_from(model))
    if request.method == "POST" and form.is_valid():
        try:
            if model is None:
                saved = services.scoring_model_create(data=form.cleaned_data, acting_user=request.user)
            else:
                saved = services.scoring_model_update(model=model, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The scoring model “%(name)s” was saved.") % {"name": saved.name})
            return redirect("scoring:model_detail", pk=saved.pk)
    return render(
        request,
        "scoring/model_form.html",
        {"form": form, "rule": model, "pages": PAGES, "urls": PAGES.rule_urls(model)},
    )


@setup_admin_required
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(ScoringModel.objects.select_related("updated_by"), pk=pk)
    return rule_views.rule_detail_page(
        request,
        kind=services.FIT,
        pages=PAGES,
        rule=model,
        entries=model.entries.order_by("sort_order", "id"),
        template="scoring/model_detail.html",
        context={
            "behaviour_rules": model.behaviour_rules.all(),
            "velocity_rules": model.velocity_rules.all(),
            "progression_rules": _labelled(model.progression_rules.all()),
            "progression_problems": timing_rules.progression_rule_problems(model),
            "progress": bulk.recompute_progress(model),
            "mql_count": model.scores.filter(mql_crossings__gt=0).count(),
        },
    )


@setup_admin_required
@require_POST
def model_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Several models may be active: this only turns the model on or off."""
    model = get_object_or_404(ScoringModel, pk=pk)
    active = request.POST.get("active") != "0"
    try:
        services.scoring_model_update(model=model, data={"is_active": active}, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The scoring model “%(name)s” was saved.") % {"name": model.name})
    return redirect("scoring:model_detail", pk=pk)


@setup_admin_required
@require_POST
def model_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Score every open lead by the model again, in the background."""
    model = get_object_or_404(ScoringModel, pk=pk, is_active=True)
    services.model_recompute_queue(model.pk)
    messages.success(
        request, _("The leads are being scored again by “%(name)s” in the background.") % {"name": model.name}
    )
    return redirect("scoring:model_detail", pk=pk)


@setup_admin_required
@require_POST
def model_delete(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(ScoringModel, pk=pk)
    try:
        services.scoring_model_delete(model=model, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("scoring:model_detail", pk=pk)
    messages.success(request, _("The scoring model “%(name)s” was deleted.") % {"name": model.name})
    return redirect("scoring:model_list")


@setup_admin_required
@require_http_methods(["GET", "POST"])
def fit_edit(request: HttpRequest, rule_pk: int, pk: int | None = None) -> HttpResponse:
    model = get_object_or_404(ScoringModel, pk=rule_pk)
    entry = get_object_or_404(FitRule, pk=pk, rule=model) if pk else None
    response = rule_views.entry_form_page(
        request,
        kind=services.FIT,
        pages=PAGES,
        form_class=FitRuleForm,
        rule=model,
        entry=entry,
        template="scoring/fit_rule_form.html",
    )
    if request.method == "POST" and response.status_code == 302:
        services.model_recompute_queue(model.pk)
    return response


@setup_admin_required
@require_POST
def fit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(FitRule, pk=pk)
    response = rule_views.entry_delete_view(request, kind=services.FIT, pages=PAGES, entry=entry)
    services.model_recompute_queue(entry.rule_id)
    return response


@setup_admin_required
@require_POST
def fit_move(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(FitRule, pk=pk)
    return rule_views.entry_move_view(request, kind=services.FIT, pages=PAGES, entry=entry)


def _labelled(progression_rules) -> list[StatusProgressionRule]:
    """The rules with their statuses' labels (the api value of a deleted one)."""
    labels = {v.api_name: v.label for v in _statuses()}
    rules = list(progression_rules)
    for r in rules:
        r.from_label = labels.get(r.from_status, r.from_status)
        r.to_label = labels.get(r.to_status, r.to_status)
    return rules


def _statuses():
    return picklist_values(object_name=OBJECT_NAME, field_name="status")


def _rule_form_page(request: HttpRequest, *, model: ScoringModel, rule, form, save, heading: str) -> HttpResponse:
    """The form page of one of a model's non-criteria rules: ``save(data)`` calls the service."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The rule was saved."))
            return redirect("scoring:model_detail", pk=model.pk)
    context = {
        "form": form,
        "rule": model,
        "is_new": rule is None,
        "heading": heading,
        "pages": PAGES,
        "urls": PAGES.rule_urls(model),
    }
    return render(request, "scoring/rule_form.html", context)


def _rule_deleted(request: HttpRequest, rule, delete) -> HttpResponse:
    delete(rule=rule, acting_user=request.user)
    messages.success(request, _("The rule was deleted."))
    return redirect("scoring:model_detail", pk=rule.model_id)


def _rule_edit(
    request: HttpRequest,
    model_pk: int,
    pk: int | None,
    *,
    rule_class,
    form_class,
    create,
    update,
    heading: str,
    form_kwargs: dict | None = None,
) -> HttpResponse:
    """The create/edit page of one of a model's non-criteria rules: ``create(model=, data=,
    acting_user=)`` and ``update(rule=, ...)`` are the services."""
    model = get_object_or_404(ScoringModel, pk=model_pk)
    rule = get_object_or_404(rule_class, pk=pk, model=model) if pk else None
    initial = {} if rule is None else {name: getattr(rule, name) for name in form_class.base_fields}
    bound = form_class(request.POST or None, initial=initial, **(form_kwargs or {}))

    def save(data):
        if rule is None:
            return create(model=model, data=data, acting_user=request.user)
        return update(rule=rule, data=data, acting_user=request.user)

    return _rule_form_page(request, model=model, rule=rule, form=bound, save=save, heading=heading)


@dataclass(frozen=True)
class ModelRuleKind:
    """A kind of a model's non-criteria rules (behaviour, velocity, status progression): its model,
    form, services and heading, served by the same create/edit and delete views."""

    rule_class: type
    form_class: type
    create: Callable
    update: Callable
    delete: Callable
    heading: str
    form_kwargs: Callable[[], dict] = dict


def _progression_form_kwargs() -> dict:
    return {"status_choices": [(v.api_name, v.label) for v in _statuses()]}


MODEL_RULE_KINDS = {
    "behaviour": ModelRuleKind(
        BehaviourRule,
        BehaviourRuleForm,
        services.behaviour_rule_create,
        services.behaviour_rule_update,
        services.behaviour_rule_delete,
        gettext_lazy("Behaviour rule"),
    ),
    "velocity": ModelRuleKind(
        VelocityRule,
        VelocityRuleForm,
        timing_rules.velocity_rule_create,
        timing_rules.velocity_rule_update,
        timing_rules.velocity_rule_delete,
        gettext_lazy("Velocity rule"),
    ),
    "progression": ModelRuleKind(
        StatusProgressionRule,
        ProgressionRuleForm,
        timing_rules.progression_rule_create,
        timing_rules.progression_rule_update,
        timing_rules.progression_rule_delete,
        gettext_lazy("Status progression rule"),
        _progression_form_kwargs,
    ),
}


@setup_admin_required
@require_http_methods(["GET", "POST"])
def model_rule_edit(request: HttpRequest, model_pk: int, pk: int | None = None, *, kind: str) -> HttpResponse:
    """Create or edit a model's rule of ``kind`` (a key of ``MODEL_RULE_KINDS``, named by the URL)."""
    rule_kind = MODEL_RULE_KINDS[kind]
    return _rule_edit(
        request,
        model_pk,
        pk,
        rule_class=rule_kind.rule_class,
        form_class=rule_kind.form_class,
        form_kwargs=rule_kind.form_kwargs(),
        create=rule_kind.create,
        update=rule_kind.update,
        heading=str(rule_kind.heading),
    )


@setup_admin_required
@require_POST
def model_rule_delete(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    rule_kind = MODEL_RULE_KINDS[kind]
    return _rule_deleted(request, get_object_or_404(rule_kind.rule_class, pk=pk), rule_kind.delete)
