"""Setup pages of alert rules (list, record page with its recent alerts, form) and the progress of
a scoring model's full recompute (polled by the model page)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors
from core.roles import setup_admin_required

from . import alerts, bulk
from .forms import AlertRuleForm
from .models import AlertFiring, AlertRule, ScoringModel

RECENT_ALERTS = 50


@setup_admin_required
def alert_rule_list(request: HttpRequest) -> HttpResponse:
    rules = AlertRule.objects.select_related("notify_queue", "template").order_by("name")
    return render(request, "scoring/alert_rule_list.html", {"rules": rules})


@setup_admin_required
def alert_rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AlertRule.objects.select_related("notify_queue", "template", "updated_by"), pk=pk)
    firings = (
        AlertFiring.objects.filter(rule=rule).select_related("lead", "email").order_by("-fired_at")[:RECENT_ALERTS]
    )
    return render(request, "scoring/alert_rule_detail.html", {"rule": rule, "firings": firings})


@setup_admin_required
@require_http_methods(["GET", "POST"])
def alert_rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(AlertRule, pk=pk) if pk else None
    form = AlertRuleForm(request.POST or None, initial=AlertRuleForm.initial_from(rule))
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                saved = alerts.alert_rule_create(data=form.cleaned_data, acting_user=request.user)
            else:
                saved = alerts.alert_rule_update(rule=rule, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The alert rule “%(name)s” was saved.") % {"name": saved.name})
            return redirect("scoring:alert_rule_detail", pk=saved.pk)
    return render(request, "scoring/alert_rule_form.html", {"form": form, "rule": rule})


@setup_admin_required
@require_POST
def alert_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AlertRule, pk=pk)
    alerts.alert_rule_delete(rule=rule, acting_user=request.user)
    messages.success(request, _("The alert rule “%(name)s” was deleted.") % {"name": rule.name})
    return redirect("scoring:alert_rule_list")


@setup_admin_required
def model_recompute_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar of the model's full recompute (an htmx partial, polled while it runs)."""
    model = get_object_or_404(ScoringModel, pk=pk)
    return render(
        request, "scoring/partials/recompute_progress.html", {"rule": model, "progress": bulk.recompute_progress(model)}
    )
