"""Leads, their queues, notes and the recently-viewed list."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from core.roles import display_name


class Queue(models.Model):
    """A queue of leads that its members (users, or everyone in a role group) work and accept."""

    name = models.CharField(max_length=120, unique=True)
    email = models.EmailField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="lead_queues")
    member_groups = models.ManyToManyField(Group, blank=True, related_name="lead_queues")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="leads_queue_name_ci")]

    def __str__(self) -> str:
        return self.name


# The list's sort orders, each read off its own index at any table size (text ignores case).
SORT_INDEXES = [
    models.Index(Lower("last_name"), Lower("first_name"), models.F("id"), name="lead_name_sort_idx"),
    models.Index(Lower("company"), models.F("id"), name="lead_company_sort_idx"),
    models.Index(Lower("email"), models.F("id"), name="lead_email_sort_idx"),
    models.Index(Lower("city"), models.F("id"), name="lead_city_sort_idx"),
    models.Index(Lower("country"), models.F("id"), name="lead_country_sort_idx"),
    models.Index(Lower("title"), models.F("id"), name="lead_title_sort_idx"),
    models.Index(fields=["status", "id"], name="lead_status_sort_idx"),
    models.Index(fields=["lead_source", "id"], name="lead_source_sort_idx"),
    models.Index(fields=["rating", "id"], name="lead_rating_sort_idx"),
    models.Index(fields=["industry", "id"], name="lead_industry_sort_idx"),
    models.Index(fields=["phone", "id"], name="lead_phone_sort_idx"),
    models.Index(fields=["last_modified_at", "id"], name="lead_modified_sort_idx"),
    models.Index(Lower("owner_sort_name"), models.F("id"), name="lead_owner_sort_idx"),
]
# A user's last name, a space and their first name (150 characters each).
OWNER_SORT_NAME_LENGTH = 301


class Lead(models.Model):
    """A prospect: Salesforce's standard lead fields, an owner (user or queue) and custom fields."""

    salutation = models.CharField(max_length=40, blank=True)
    first_name = models.CharField(max_length=40, blank=True)
    last_name = models.CharField(max_length=80)
    title = models.CharField(max_length=128, blank=True)
    company = models.CharField(max_length=255)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    fax = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=255, blank=True)
    street = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=40, blank=True)
    state = models.CharField("state/province", max_length=80, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=80, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    annual_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    number_of_employees = models.PositiveIntegerField(null=True, blank=True)
    rating = models.CharField(max_length=120, blank=True)
    status = models.CharField(gettext_lazy("lead status"), max_length=120)
    # Why the lead was closed without converting (required with a closed, not converted status).
    unqualified_reason = models.CharField(gettext_lazy("unqualified reason"), max_length=120, blank=True)
    lead_source = models.CharField(max_length=120, blank=True)
    description = models.TextField(max_length=32000, blank=True)
    email_opt_out = models.BooleanField(default=False)
    do_not_call = models.BooleanField(default=False)

    # No index of their own: lead_owner_created_idx and lead_queue_arrival_idx begin with them.
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_leads",
        db_index=False,
    )
    owner_queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="leads", db_index=False
    )
    # When the current owner got the lead: a queue's list is worked oldest arrival first.
    owner_assigned_at = models.DateTimeField()
    # The owner's name as the list sorts it (``leads.ownership.owner_sort_name``): set with the owner,
    # and on the owner's leads when a user or queue is renamed. Not edited by people; no history.
    owner_sort_name = models.CharField(
        max_length=OWNER_SORT_NAME_LENGTH, default="", db_default="", blank=True, editable=False
    )

    custom_fields = models.JSONField(default=dict, blank=True)
    # Decides the lead's process (the statuses offered) and page layout; none: the org default's.
    record_type = models.ForeignKey(
        "core.RecordType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified_at = models.DateTimeField()
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Bumped by every write; an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)

    is_converted = models.BooleanField(default=False)
    converted_at = models.DateTimeField(null=True, blank=True)

    # Sort keys that higher apps keep on the row (through ``leads.sort_keys``) so that the list sorts
    # every lead by them off an index: the default scoring model's score, grade and when they last
    # changed, and the time of the lead's newest activity (engagement event, status change, note,
    # logged call, completed task). Not edited by people; no history.
    score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    grade = models.CharField(max_length=1, null=True, blank=True, editable=False)  # null: unscored
    score_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_edit_converted_lead", "View and Edit Converted Leads")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False) & Q(owner_queue__isnull=True))
                | (Q(owner_user__isnull=True) & Q(owner_queue__isnull=False)),
                name="lead_exactly_one_owner",
            ),
            models.CheckConstraint(condition=~Q(last_name=""), name="lead_last_name_required"),
            models.CheckConstraint(condition=~Q(company=""), name="lead_company_required"),
            models.CheckConstraint(condition=~Q(status=""), name="lead_status_required"),
            models.CheckConstraint(
                condition=Q(is_converted=False) | Q(converted_at__isnull=False), name="lead_converted_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["owner_user", "-created_at", "-id"], name="lead_owner_created_idx"),
            models.Index(fields=["owner_queue", "owner_assigned_at", "id"], name="lead_queue_arrival_idx"),
            models.Index(fields=["status", "-created_at", "-id"], name="lead_status_created_idx"),
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),
            models.Index(fields=["lead_source", "-created_at"], name="lead_source_created_idx"),
            models.Index(fields=["email"], name="lead_email_idx"),
            # One per sortable column of the list, matching its ORDER BY (leads.filters.ORDERING_COLUMNS).
            *SORT_INDEXES,
            # The list's first page by score or by last activity is read off lead_score_idx and
            # lead_last_activity_idx (DESC NULLS LAST, id): PostgreSQL only, made by migration 0011.
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.salutation, self.first_name, self.last_name) if p).strip()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def owner(self):
        return self.owner_user or self.owner_queue

    @property
    def owner_name(self) -> str:
        if self.owner_user_id:
            return display_name(self.owner_user)
        return self.owner_queue.name if self.owner_queue_id else ""


class LeadNote(models.Model):
    """A note in the lead's Activity related list."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=32000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="leadnote_body_required")]

    def __str__(self) -> str:
        return self.title or self.body[:40]


class RecentlyViewed(models.Model):
    """The last time a user opened a lead; feeds the Recently Viewed list view."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lead"], name="recently_viewed_unique")]
        indexes = [models.Index(fields=["user", "-viewed_at"], name="recently_viewed_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.lead_id}"


# CSV imports of leads, and routing models (queues' rules and settings), live in their own
# modules but belong to this app.
from .imports.models import LeadImport, LeadImportRow  # noqa: E402, F401
from .listviews.models import ListView  # noqa: E402, F401
from .processes.models import LeadPathStep  # noqa: E402, F401
from .routing.models import AssignmentRule, LeadSettings, RoutingAvailability, RuleEntry  # noqa: E402, F401
