"""Dashboard pages: the home page (the user's dashboard), any dashboard shared with the user,
each component loaded on its own (htmx), and the admin pages that compose dashboards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors
from core.roles import is_marketing_admin, setup_admin_required

from . import selectors, services
from .forms import ComponentForm, DashboardForm
from .models import Dashboard, DashboardComponent

COLUMNS = {
    "small": "col-12 col-md-6 col-xl-4",
    "medium": "col-12 col-lg-6",
    "large": "col-12 col-xl-8",
    "full": "col-12",
}


def _visible_or_404(user, pk) -> Dashboard:
    dashboard = selectors.dashboard_for(user=user, pk=pk)
    if dashboard is None:
        raise Http404
    return dashboard


def _page(request, dashboard):
    components = [
        {"component": c, "columns": COLUMNS.get(c.size, COLUMNS["medium"])}
        for c in (selectors.components_of(dashboard) if dashboard else [])
    ]
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "dashboard": dashboard,
            "components": components,
            "dashboards": selectors.dashboards_for(request.user),
            "can_edit": is_marketing_admin(request.user),
        },
    )


@login_required
def home(request):
    """The home page: the dashboard the user picked, or their role's default."""
    return _page(request, selectors.home_dashboard(request.user))


@login_required
def dashboard_detail(request, pk: int):
    return _page(request, _visible_or_404(request.user, pk))


@login_required
def dashboard_list(request):
    return render(
        request,
        "dashboards/dashboard_list.html",
        {
            "dashboards": selectors.dashboards_for(request.user),
            "home": selectors.home_dashboard(request.user),
            "can_edit": is_marketing_admin(request.user),
        },
    )


@login_required
@require_POST
def dashboard_pick(request, pk: int):
    dashboard = _visible_or_404(request.user, pk)
    services.dashboard_pick(dashboard=dashboard, acting_user=request.user)
    messages.success(request, _("“%(name)s” is now your home page.") % {"name": dashboard.name})
    return redirect("home")


@login_required
def component_view(request, pk: int, component_pk: int):
    """One component's chart and table (an htmx fragment; a full page without htmx)."""
    dashboard = _visible_or_404(request.user, pk)
    component = get_object_or_404(DashboardComponent, pk=component_pk, dashboard=dashboard)
    data = selectors.component_data(user=request.user, component=component)
    template = "dashboards/_component.html" if request.htmx else "dashboards/component_page.html"
    return render(request, template, {"data": data, "dashboard": dashboard, "component": component})


# Composition (marketing admins) ------------------------------------------------------------------


def _dashboard_form(request, dashboard=None):
    initial = (
        {}
        if dashboard is None
        else {
            "name": dashboard.name,
            "description": dashboard.description,
            "role": dashboard.role,
            "is_default": dashboard.is_default,
        }
    )
    form = DashboardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if dashboard is None:
                saved = services.dashboard_create(**form.cleaned_data, acting_user=request.user)
            else:
                saved = services.dashboard_update(dashboard=dashboard, **form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The dashboard “%(name)s” was saved.") % {"name": saved.name})
            return redirect("dashboards:edit_components", pk=saved.pk)
    return render(request, "dashboards/dashboard_form.html", {"form": form, "dashboard": dashboard})


@setup_admin_required
@require_http_methods(["GET", "POST"])
def dashboard_create(request):
    return _dashboard_form(request)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def dashboard_edit(request, pk: int):
    return _dashboard_form(request, get_object_or_404(Dashboard, pk=pk))


@setup_admin_required
@require_POST
def dashboard_delete(request, pk: int):
    dashboard = get_object_or_404(Dashboard, pk=pk)
    services.dashboard_delete(dashboard=dashboard, acting_user=request.user)
    messages.success(request, _("The dashboard was deleted."))
    return redirect("dashboards:list")


def _component_initial(component) -> dict:
    return {
        "title": component.title,
        "source": component.source,
        "params": component.params,
        "chart_type": component.chart_type,
        "size": component.size,
        "sort_order": component.sort_order,
    }


@setup_admin_required
@require_http_methods(["GET", "POST"])
def edit_components(request, pk: int, component_pk: int | None = None):
    """The dashboard's components, and the form adding one (or changing ``component_pk``)."""
    dashboard = get_object_or_404(Dashboard, pk=pk)
    component = get_object_or_404(DashboardComponent, pk=component_pk, dashboard=dashboard) if component_pk else None
    components = selectors.components_of(dashboard)
    for each in components:
        each.source_label = selectors.source_label(each.source)
    initial = (
        _component_initial(component)
        if component
        else {"sort_order": (components[-1].sort_order + 1) if components else 1}
    )
    form = ComponentForm(request.POST or None, initial=initial, sources=selectors.source_choices(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            if component is None:
                services.component_create(dashboard=dashboard, data=form.cleaned_data, acting_user=request.user)
            else:
                services.component_update(component=component, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The component was saved."))
            return redirect("dashboards:edit_components", pk=dashboard.pk)
    return render(
        request,
        "dashboards/components_edit.html",
        {"dashboard": dashboard, "components": components, "form": form, "component": component},
    )


@setup_admin_required
@require_POST
def component_delete(request, pk: int, component_pk: int):
    component = get_object_or_404(DashboardComponent, pk=component_pk, dashboard_id=pk)
    services.component_delete(component=component, acting_user=request.user)
    messages.success(request, _("The component was removed."))
    return redirect("dashboards:edit_components", pk=pk)
