"""Dashboard writes: dashboards and their components (marketing admins), and a user's pick."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.roles import is_marketing_admin

from .models import ROLE_CHOICES, Dashboard, DashboardChoice, DashboardComponent
from .selectors import dashboards_for, is_known_source, params_problems

ROLES = {value for value, _label in ROLE_CHOICES}


def _check_admin(acting_user) -> None:
    if not is_marketing_admin(acting_user):
        raise PermissionError(_("Only marketing admins may change dashboards."))


def _clean_dashboard(*, name: str, description: str, role: str, exclude_pk=None) -> dict:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Give the dashboard a name.")]
    elif len(name) > 120:
        errors["name"] = [_("Use at most 120 characters.")]
    elif Dashboard.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [_("A dashboard with this name already exists.")]
    if len(description or "") > 500:
        errors["description"] = [_("Use at most 500 characters.")]
    if (role or "") not in ROLES:
        errors["role"] = [_("Choose a role.")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": (description or "").strip(), "role": role or ""}


@transaction.atomic
def dashboard_create(*, name: str, description: str = "", role: str = "", is_default: bool = False, acting_user):
    _check_admin(acting_user)
    values = _clean_dashboard(name=name, description=description, role=role)
    if is_default:
        Dashboard.objects.filter(role=values["role"], is_default=True).update(is_default=False)
    return Dashboard.objects.create(**values, is_default=is_default, updated_by=acting_user)


@transaction.atomic
def dashboard_update(
    *, dashboard: Dashboard, name: str, description: str = "", role: str = "", is_default: bool = False, acting_user
) -> Dashboard:
    _check_admin(acting_user)
    values = _clean_dashboard(name=name, description=description, role=role, exclude_pk=dashboard.pk)
    locked = Dashboard.objects.select_for_update().get(pk=dashboard.pk)
    if is_default:
        Dashboard.objects.filter(role=values["role"], is_default=True).exclude(pk=locked.pk).update(is_default=False)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.is_default = is_default
    locked.updated_by = acting_user
    locked.save()
    return locked


@transaction.atomic
def dashboard_delete(*, dashboard: Dashboard, acting_user) -> None:
    _check_admin(acting_user)
    dashboard.delete()


def _clean_component(data: dict, *, acting_user) -> dict:
    errors: dict[str, list[str]] = {}
    title = " ".join((data.get("title") or "").split())
    if not title:
        errors["title"] = [_("Give the component a title.")]
    elif len(title) > 120:
        errors["title"] = [_("Use at most 120 characters.")]
    source = data.get("source") or ""
    if not is_known_source(source, user=acting_user):
        errors["source"] = [_("Choose a report you can see.")]
    params = (data.get("params") or "").strip().lstrip("?")
    if len(params) > 500:
        errors["params"] = [_("Use at most 500 characters.")]
    elif params_problems(params):
        errors["params"] = params_problems(params)
    chart_type = data.get("chart_type") or DashboardComponent.ChartType.BAR
    if chart_type not in DashboardComponent.ChartType.values:
        errors["chart_type"] = [_("Choose a chart type.")]
    size = data.get("size") or DashboardComponent.Size.MEDIUM
    if size not in DashboardComponent.Size.values:
        errors["size"] = [_("Choose a size.")]
    sort_order = data.get("sort_order") or 1
    if not isinstance(sort_order, int) or not 1 <= sort_order <= 1000:
        errors["sort_order"] = [_("Enter an order between 1 and 1000.")]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "source": source,
        "params": params,
        "chart_type": chart_type,
        "size": size,
        "sort_order": sort_order,
    }


@transaction.atomic
def component_create(*, dashboard: Dashboard, data: dict, acting_user) -> DashboardComponent:
    _check_admin(acting_user)
    return DashboardComponent.objects.create(dashboard=dashboard, **_clean_component(data, acting_user=acting_user))


@transaction.atomic
def component_update(*, component: DashboardComponent, data: dict, acting_user) -> DashboardComponent:
    _check_admin(acting_user)
    values = _clean_component(data, acting_user=acting_user)
    DashboardComponent.objects.filter(pk=component.pk).update(**values)
    component.refresh_from_db()
    return component


@transaction.atomic
def component_delete(*, component: DashboardComponent, acting_user) -> None:
    _check_admin(acting_user)
    component.delete()


@transaction.atomic
def dashboard_pick(*, dashboard: Dashboard, acting_user) -> DashboardChoice:
    """Make ``dashboard`` the user's home page (one they may open)."""
    if not dashboards_for(acting_user).filter(pk=dashboard.pk).exists():
        raise PermissionError(_("This dashboard is not shared with you."))
    choice, _created = DashboardChoice.objects.update_or_create(user=acting_user, defaults={"dashboard": dashboard})
    return choice
