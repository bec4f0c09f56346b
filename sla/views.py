"""SLA pages: business hours (Setup), SLA rules and policies (Setup, the shared rule pages), the
queue-health page, and the SLA panel of the lead page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors
from core.roles import setup_admin_required
from core.rules import views as rule_views
from core.rules.views import RulePages

from . import selectors, services
from .forms import DAYS, BusinessHoursForm, HolidayForm, SlaPolicyForm
from .models import BusinessHours, Holiday, SlaPolicy, SlaRule
from .services import SLA

# Business hours ----------------------------------------------------------------------------------


@setup_admin_required
def business_hours_list(request):
    return render(request, "sla/business_hours_list.html", {"calendars": selectors.business_hours_list()})


def _business_hours_form(request, business_hours=None):
    form = BusinessHoursForm(request.POST or None, initial=BusinessHoursForm.initial_of(business_hours))
    if request.method == "POST" and form.is_valid():
        values = {
            "name": form.cleaned_data["name"],
            "time_zone": form.cleaned_data["time_zone"],
            "weekly_hours": form.weekly_hours(),
            "is_default": form.cleaned_data["is_default"],
            "acting_user": request.user,
        }
        try:
            if business_hours is None:
                saved = services.business_hours_create(**values)
            else:
                saved = services.business_hours_update(business_hours=business_hours, **values)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The business hours “%(name)s” were saved.") % {"name": saved.name})
            return redirect("sla:business_hours_detail", pk=saved.pk)
    return render(request, "sla/business_hours_form.html", {"form": form, "business_hours": business_hours})


@setup_admin_required
@require_http_methods(["GET", "POST"])
def business_hours_create(request):
    return _business_hours_form(request)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def business_hours_edit(request, pk: int):
    return _business_hours_form(request, get_object_or_404(BusinessHours, pk=pk))


@setup_admin_required
def business_hours_detail(request, pk: int):
    business_hours = get_object_or_404(BusinessHours, pk=pk)
    return render(
        request,
        "sla/business_hours_detail.html",
        {
            "business_hours": business_hours,
            "days": list(zip(DAYS, business_hours.weekly_hours, strict=False)),
            "holidays": business_hours.holidays.all(),
            "holiday_form": HolidayForm(),
            "policies": SlaPolicy.objects.filter(business_hours=business_hours).select_related("rule"),
        },
    )


@setup_admin_required
@require_POST
def business_hours_delete(request, pk: int):
    business_hours = get_object_or_404(BusinessHours, pk=pk)
    try:
        services.business_hours_delete(business_hours=business_hours, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sla:business_hours_detail", pk=pk)
    messages.success(request, _("The business hours were deleted."))
    return redirect("sla:business_hours_list")


@setup_admin_required
@require_POST
def holiday_add(request, pk: int):
    business_hours = get_object_or_404(BusinessHours, pk=pk)
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            services.holiday_add(business_hours=business_hours, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The holiday was added."))
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("sla:business_hours_detail", pk=pk)


@setup_admin_required
@require_POST
def holiday_delete(request, pk: int):
    holiday = get_object_or_404(Holiday, pk=pk)
    services.holiday_delete(holiday=holiday, acting_user=request.user)
    messages.success(request, _("The holiday was removed."))
    return redirect("sla:business_hours_detail", pk=holiday.business_hours_id)


# SLA rules ---------------------------------------------------------------------------------------

PAGES = RulePages(
    title=gettext_lazy("SLA Rules"),
    eyebrow=gettext_lazy("SLA Rule"),
    icon="stopwatch",
    list="sla:rule_list",
    detail="sla:rule_detail",
    create="sla:rule_create",
    edit="sla:rule_edit",
    activate="sla:rule_activate",
    delete="sla:rule_delete",
    entry_create="sla:policy_create",
    entry_edit="sla:policy_edit",
    entry_move="sla:policy_move",
    entry_delete="sla:policy_delete",
)


@setup_admin_required
def rule_list(request):
    return render(request, "sla/rule_list.html", {"rules": selectors.sla_rules()})


VIEWS = rule_views.kind_views(
    kind=SLA,
    pages=PAGES,
    rule_model=SlaRule,
    entry_model=SlaPolicy,
    entry_form=SlaPolicyForm,
    entry_template="sla/policy_form.html",
    detail_template="sla/rule_detail.html",
    entries=selectors.sla_rule_policies,
)
rule_create, rule_edit, rule_detail = VIEWS.rule_create, VIEWS.rule_edit, VIEWS.rule_detail
rule_activate, rule_delete = VIEWS.rule_activate, VIEWS.rule_delete
policy_create, policy_edit, policy_delete, policy_move = (
    VIEWS.entry_create,
    VIEWS.entry_edit,
    VIEWS.entry_delete,
    VIEWS.entry_move,
)


# Queue health and the lead page ------------------------------------------------------------------


@login_required
def queue_health(request):
    return render(request, "sla/queue_health.html", {"rows": selectors.queue_health(user=request.user)})


def lead_sla_part(request, lead) -> str:
    """The SLA panel of the lead page: the due time and a badge (breaching soon, breached, met)."""
    badge = selectors.sla_badge(selectors.clock_for(lead))
    if badge is None:
        return ""
    return render_to_string("sla/lead_sla_part.html", {"badge": badge, "lead": lead}, request=request)
