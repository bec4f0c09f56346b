"""Saved list views of leads."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy


class ListView(models.Model):
    """A list view a user saved from the lead list: the standard view it starts from, its filters
    (the lead FilterSet's parameters), its columns in order and its sort. Private to its owner, or
    shared by an admin with one role or with everyone."""

    class Sharing(models.TextChoices):
        PRIVATE = "private", gettext_lazy("Only me")
        ROLE = "role", gettext_lazy("A role")
        EVERYONE = "everyone", gettext_lazy("Everyone")

    name = models.CharField(max_length=80)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead_list_views")
    # The standard view whose leads it starts from: my, queues, all, today (leads.selectors.LIST_VIEWS).
    scope = models.CharField(max_length=20, default="all")
    # The lead FilterSet's parameters: {"status": ["Working"], "q": ["acme"], ...}.
    filters = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(default=list)
    # One or more sort keys, comma-separated, "-" for descending: "-created_at", "company,name".
    ordering = models.CharField(max_length=200, blank=True)
    sharing = models.CharField(max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    shared_role = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="lead_list_views"
    )
    created_at = models.DateTimeField()
    last_modified_at = models.DateTimeField()
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint("owner", Lower("name"), name="leads_listview_name_per_owner_ci"),
            models.CheckConstraint(condition=~Q(name=""), name="leads_listview_name_required"),
            models.CheckConstraint(
                condition=Q(sharing__in=["private", "role", "everyone"]), name="leads_listview_sharing_valid"
            ),
            models.CheckConstraint(
                condition=(Q(sharing="role") & Q(shared_role__isnull=False))
                | (~Q(sharing="role") & Q(shared_role__isnull=True)),
                name="leads_listview_role_iff_shared_with_role",
            ),
        ]
        indexes = [models.Index(fields=["sharing", "shared_role"], name="leads_listview_sharing_idx")]

    def __str__(self) -> str:
        return self.name
