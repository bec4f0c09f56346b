"""Routing models: lead settings, assignment rules and their entries, and rep availability.

Imported at the bottom of ``leads/models.py`` so that they belong to the ``leads`` app.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from core.rules.models import (
    RuleBase,
    RuleEntryBase,
    entry_unique_order,
    one_active_rule,
    rule_name_required,
    rule_name_unique_ci,
)


class LeadSettings(models.Model):
    """Lead settings of the organisation (a single row): the default lead owner used when no entry
    of the active assignment rule matches, and what conversion requires."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    default_owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_owner_queue = models.ForeignKey(
        "leads.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opportunity_required_on_convert = models.BooleanField(
        default=False, help_text=gettext_lazy("Converting a lead must create an opportunity.")
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "lead settings"
        verbose_name_plural = "lead settings"
        constraints = [
            models.CheckConstraint(condition=Q(singleton=1), name="leadsettings_single_row"),
            models.CheckConstraint(
                condition=Q(default_owner_user__isnull=True) | Q(default_owner_queue__isnull=True),
                name="leadsettings_one_default_owner",
            ),
        ]

    def __str__(self) -> str:
        return "Lead settings"

    @property
    def default_owner(self):
        return self.default_owner_user or self.default_owner_queue


class AssignmentRule(RuleBase):
    """A lead assignment rule (a kind of ``core.rules``): ordered entries, the first matching entry
    assigns the lead. At most one rule is active (a partial unique constraint)."""

    class Meta(RuleBase.Meta):
        constraints = [
            one_active_rule("one_active_assignment_rule"),
            rule_name_required("assignmentrule_name_required"),
            rule_name_unique_ci("leads_assignmentrule_name_ci"),
        ]


class RuleEntry(RuleEntryBase):
    """One entry of an assignment rule: criteria (with optional filter logic) and whom to assign."""

    class AssignTo(models.TextChoices):
        USER = "user", gettext_lazy("User")
        QUEUE = "queue", gettext_lazy("Queue")
        ROUND_ROBIN_QUEUE = "rr_queue", gettext_lazy("Round-robin among a queue's members")
        ROUND_ROBIN_GROUP = "rr_group", gettext_lazy("Round-robin among a role group's members")

    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE, related_name="entries")
    assign_to = models.CharField(max_length=10, choices=AssignTo.choices, default=AssignTo.USER)
    assign_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assign_queue = models.ForeignKey(
        "leads.Queue", null=True, blank=True, on_delete=models.PROTECT, related_name="rule_entries"
    )
    assign_group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    weighted = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Round-robin: give the lead to the available member holding the fewest open leads."),
    )
    do_not_reassign = models.BooleanField(
        default=False, help_text=gettext_lazy("A lead that matches keeps its current owner.")
    )
    notification_template = models.ForeignKey(
        "emails.EmailTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Round-robin cursor: the last member who received a lead (changed under a row lock).
    last_assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(RuleEntryBase.Meta):
        verbose_name_plural = "rule entries"
        constraints = [
            entry_unique_order("ruleentry_unique_order"),
            models.CheckConstraint(
                condition=Q(do_not_reassign=True)
                | (Q(assign_to="user") & Q(assign_user__isnull=False))
                | (Q(assign_to__in=["queue", "rr_queue"]) & Q(assign_queue__isnull=False))
                | (Q(assign_to="rr_group") & Q(assign_group__isnull=False)),
                name="ruleentry_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.name} #{self.sort_order}"


class RoutingAvailability(models.Model):
    """Whether a user takes round-robin leads now; a user without a row is available."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routing_availability")
    is_available = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "routing availability"

    def __str__(self) -> str:
        return f"{self.user} {'available' if self.is_available else 'unavailable'}"
