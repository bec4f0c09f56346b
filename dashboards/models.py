"""Dashboards: a grid of components, each a report drawn as a chart with its table, shared with a
role; one default dashboard per role is the home page of its users."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core import roles as core_roles

ROLE_CHOICES = [("", _("Everyone")), *core_roles.ROLE_CHOICES]


class Dashboard(models.Model):
    """A dashboard shared with one role ("" = everyone); at most one default per role."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    role = models.CharField(_("shared with"), max_length=40, choices=ROLE_CHOICES, blank=True)
    is_default = models.BooleanField(_("default for its role"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="dashboards_dashboard_name_ci"),
            models.CheckConstraint(condition=~Q(name=""), name="dashboards_dashboard_name_required"),
            models.UniqueConstraint(
                fields=["role"], condition=Q(is_default=True), name="dashboards_one_default_per_role"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DashboardComponent(models.Model):
    """One tile of a dashboard: a source (``report:<key>`` for a report, ``widget:<key>`` for a
    list such as My Tasks), its parameters as a query string (``owner=me``, ``range=7d``, report
    options), a chart type and a size; tiles are shown by ``sort_order``."""

    class ChartType(models.TextChoices):
        BAR = "bar", _("Bar")
        STACKED = "stacked", _("Stacked bar")
        LINE = "line", _("Line")
        DOUGHNUT = "doughnut", _("Donut")
        TABLE = "table", _("Table only")

    class Size(models.TextChoices):
        SMALL = "small", _("Small (a third)")
        MEDIUM = "medium", _("Medium (half)")
        LARGE = "large", _("Large (two thirds)")
        FULL = "full", _("Full width")

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="components")
    title = models.CharField(_("title"), max_length=120)
    source = models.CharField(_("report"), max_length=80)
    params = models.CharField(_("parameters"), max_length=500, blank=True)
    chart_type = models.CharField(_("chart type"), max_length=10, choices=ChartType.choices, default=ChartType.BAR)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, default=Size.MEDIUM)
    sort_order = models.PositiveIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["dashboard", "sort_order", "id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="dashboards_component_title_required")]

    def __str__(self) -> str:
        return self.title


class DashboardChoice(models.Model):
    """The dashboard a user picked for their home page."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.dashboard_id}"
