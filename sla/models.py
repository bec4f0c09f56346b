"""Speed-to-lead SLAs: business-hours calendars, SLA rules (a kind of ``core.rules``: criteria on
the lead -> first touch within N business hours and what to do on a breach), each lead's SLA clock,
and the actions taken on a breach."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.rules.models import (
    RuleBase,
    RuleEntryBase,
    entry_unique_order,
    one_active_rule,
    rule_name_required,
    rule_name_unique_ci,
)


class BusinessHours(models.Model):
    """A business-hours calendar: a time zone and opening hours per weekday (``weekly_hours``:
    seven entries, Monday first, each ``["09:00", "17:00"]`` or ``null`` for a closed day), plus
    holidays. SLA clocks run only while it is open."""

    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    weekly_hours = models.JSONField(_("weekly hours"), default=list)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="sla_businesshours_name_ci"),
            models.CheckConstraint(condition=~Q(name=""), name="sla_businesshours_name_required"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="sla_one_default_hours"),
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A day a business-hours calendar is closed all day."""

    business_hours = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["business_hours", "date"], name="sla_holiday_unique_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class SlaRule(RuleBase):
    """A set of ordered SLA policies (a kind of ``core.rules``); the active rule's first entry whose
    criteria a lead meets (its queue, its lead source...) is the lead's SLA policy."""

    class Meta(RuleBase.Meta):
        constraints = [
            one_active_rule("one_active_sla_rule"),
            rule_name_required("slarule_name_required"),
            rule_name_unique_ci("sla_slarule_name_ci"),
        ]


class SlaPolicy(RuleEntryBase):
    """One SLA policy: leads meeting the criteria must be touched by a person within
    ``first_touch_hours`` business hours of ``business_hours``; on a breach the owner and/or a
    manager are told, the lead is reassigned by the active assignment rule, or moved to a queue."""

    rule = models.ForeignKey(SlaRule, on_delete=models.CASCADE, related_name="entries")
    name = models.CharField(_("policy name"), max_length=120)
    business_hours = models.ForeignKey(BusinessHours, on_delete=models.PROTECT, related_name="policies")
    first_touch_hours = models.DecimalField(_("first touch within (business hours)"), max_digits=6, decimal_places=2)
    notify_owner = models.BooleanField(_("notify the owner"), default=True)
    notify_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("notify a manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reassign = models.BooleanField(_("reassign by the active assignment rule"), default=False)
    move_to_queue = models.ForeignKey(
        "leads.Queue",
        verbose_name=_("move to queue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(RuleEntryBase.Meta):
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            entry_unique_order("sla_policy_unique_order"),
            models.CheckConstraint(condition=Q(first_touch_hours__gt=0), name="sla_policy_hours_positive"),
            models.CheckConstraint(
                condition=~(Q(reassign=True) & Q(move_to_queue__isnull=False)), name="sla_policy_one_move"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LeadSla(models.Model):
    """A lead's SLA clock: the policy it runs under, since when, when the first touch is due, and
    what happened. ``cycle`` counts the clocks a lead had: moving it under another policy starts a
    new one, and each breach action is taken once per cycle."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")

    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, primary_key=True, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    policy_name = models.CharField(max_length=120, blank=True)
    cycle = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    first_touched_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    # The queue that held the lead when its clock ran out (a breach action may move it on).
    breached_queue = models.ForeignKey(
        "leads.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("lead SLA")
        indexes = [
            # The breach sweep reads open clocks by due time.
            models.Index(fields=["due_at"], condition=Q(status="open"), name="sla_open_due_idx"),
            models.Index(fields=["breached_at"], name="sla_breached_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="breached") | Q(breached_at__isnull=False), name="sla_breach_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="met") | Q(first_touched_at__isnull=False), name="sla_met_touched"
            ),
        ]

    def __str__(self) -> str:
        return f"SLA of lead {self.lead_id}: {self.status}"


class SlaBreachAction(models.Model):
    """One action taken on a breach; the unique constraint makes each action happen once per
    breach (per lead and cycle), whatever runs the sweep twice."""

    class Action(models.TextChoices):
        NOTIFY_OWNER = "notify_owner", _("Owner notified")
        NOTIFY_MANAGER = "notify_manager", _("Manager notified")
        REASSIGN = "reassign", _("Reassigned by the assignment rule")
        MOVE = "move_to_queue", _("Moved to a queue")

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    cycle = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=Action.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    queue = models.ForeignKey("leads.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField()

    class Meta:
        ordering = ["-done_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "cycle", "action"], name="sla_breach_action_once"),
        ]
        indexes = [models.Index(fields=["done_at"], name="sla_breach_action_done_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} (lead {self.lead_id}, cycle {self.cycle})"
