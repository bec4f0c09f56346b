"""Nurture sequences: ordered steps (send a template, wait, branch, act) that keep not-yet-ready
leads warm; each lead's enrolment in a sequence, the emails it sent, and the enrolment rules (a
kind of ``core.rules``) that enrol leads automatically."""

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

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class NurtureSequence(models.Model):
    """A sequence of steps a lead goes through once enrolled. Emails go out only within the send
    window (days and hours in the sequence's or the lead's time zone). Pausing a sequence ends every
    open enrolment (exit reason "sequence paused"); a resumed sequence takes new enrolments."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Lead status api names the lead must keep; a lead whose status leaves them exits (empty: any).
    lead_statuses = models.JSONField(_("lead statuses"), default=list, blank=True)
    # IANA name; blank: the organisation's (settings.TIME_ZONE).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    use_lead_time_zone = models.BooleanField(
        _("use the lead's time zone"),
        default=False,
        help_text=_("Read the lead's Time_Zone__c field (an IANA name such as Europe/Paris) when it has one."),
    )
    send_window_start = models.TimeField(_("send from"), null=True, blank=True)
    send_window_end = models.TimeField(_("send until"), null=True, blank=True)
    # Weekdays emails may go out on, 0 = Monday (empty: every day).
    send_days = models.JSONField(_("send on days"), default=list, blank=True)
    from_name = models.CharField(_("from name"), max_length=120, blank=True)
    from_address = models.EmailField(_("from address"), max_length=254, blank=True)
    reply_to = models.EmailField(_("reply-to"), max_length=254, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("nurture sequence")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="nurturesequence_name_required"),
            models.UniqueConstraint(Lower("name"), name="nurture_nurturesequence_name_ci"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "paused"]), name="nurturesequence_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(send_window_start__isnull=True) & Q(send_window_end__isnull=True))
                | (Q(send_window_start__isnull=False) & Q(send_window_end__isnull=False)),
                name="nurturesequence_window_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NurtureStep(models.Model):
    """One step of a sequence, by position: send a template, wait, branch on a condition (true:
    go on with the next step; false: jump forward to ``else_step``, or exit when it is empty), or
    an action (exit, change status, move to a queue, notify the owner, add to a campaign)."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Send email")
        WAIT = "wait", _("Wait")
        BRANCH = "branch", _("Branch")
        ACTION = "action", _("Action")

    class Condition(models.TextChoices):
        CRITERIA = "criteria", _("Lead fields match criteria")
        SCORE = "score", _("Score at least")
        OPENED = "opened", _("Opened the email of a step")
        CLICKED = "clicked", _("Clicked a link in the email of a step")

    class Action(models.TextChoices):
        EXIT = "exit", _("Exit the sequence")
        CHANGE_STATUS = "change_status", _("Change the lead status")
        MOVE_TO_QUEUE = "move_to_queue", _("Move the lead to a queue")
        NOTIFY_OWNER = "notify_owner", _("Notify the owner")
        ADD_TO_CAMPAIGN = "add_to_campaign", _("Add to a campaign")

    sequence = models.ForeignKey(NurtureSequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Email.
    template = models.ForeignKey(
        "emails.EmailTemplate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Wait: days and hours, or until the next weekday (0 = Monday) and/or time of day.
    wait_days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    wait_hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    wait_weekday = models.PositiveSmallIntegerField(_("until weekday"), choices=WEEKDAYS, null=True, blank=True)
    wait_time = models.TimeField(_("until time"), null=True, blank=True)
    # Branch.
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices, blank=True)
    criteria = models.JSONField(default=list, blank=True)
    filter_logic = models.CharField(max_length=1000, blank=True)
    score_min = models.PositiveSmallIntegerField(_("minimum score"), null=True, blank=True)
    ref_step = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("email step")
    )
    else_step = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("otherwise go to")
    )
    # Action.
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, blank=True)
    action_status = models.CharField(_("new status"), max_length=120, blank=True)
    action_queue = models.ForeignKey(
        "leads.Queue", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("queue")
    )
    action_campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("campaign"),
    )

    class Meta:
        ordering = ["sequence", "position", "id"]
        verbose_name = _("nurture step")
        constraints = [
            # Deferred: reordering renumbers several steps in one statement.
            models.UniqueConstraint(
                fields=["sequence", "position"],
                name="nurturestep_unique_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["email", "wait", "branch", "action"]), name="nurturestep_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="email") | Q(template__isnull=False), name="nurturestep_email_template"
            ),
            models.CheckConstraint(condition=~Q(kind="branch") | ~Q(condition=""), name="nurturestep_branch_condition"),
            models.CheckConstraint(condition=~Q(kind="action") | ~Q(action=""), name="nurturestep_action_required"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}"


class NurtureEnrolment(models.Model):
    """A lead in a sequence: where it is (the position of the next step to run) and when that step
    is due. At most one active or paused enrolment of a lead per sequence (the database holds it);
    an ended enrolment keeps its exit reason."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        EXITED = "exited", _("Exited")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Lead page")
        BULK = "bulk", _("List view")
        RULE = "rule", _("Enrolment rule")
        API = "api", _("API")

    class ExitReason(models.TextChoices):
        CONVERTED = "converted", _("Converted")
        STATUS_CHANGED = "status_changed", _("Status no longer matches")
        OPTED_OUT = "opted_out", _("Opted out of email")
        BOUNCED = "bounced", _("Email bounced")
        INVALID_EMAIL = "invalid_email", _("No valid email address")
        MQL = "mql", _("Reached MQL")
        REMOVED = "removed", _("Removed by a user")
        EXIT_STEP = "exit_step", _("Exit step")
        BRANCH = "branch", _("Branch condition not met")
        SEQUENCE_PAUSED = "sequence_paused", _("Sequence paused")

    sequence = models.ForeignKey(NurtureSequence, on_delete=models.CASCADE, related_name="enrolments")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="nurture_enrolments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    # Position of the next step to run.
    position = models.PositiveIntegerField(default=1)
    next_run_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.CharField(max_length=20, choices=ExitReason.choices, blank=True)
    exit_note = models.CharField(max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        verbose_name = _("nurture enrolment")
        constraints = [
            models.UniqueConstraint(
                fields=["sequence", "lead"],
                condition=Q(status__in=["active", "paused"]),
                name="nurture_one_open_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "paused", "completed", "exited"]),
                name="nurtureenrolment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="exited") | ~Q(exit_reason=""), name="nurtureenrolment_exit_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "paused"]) | Q(ended_at__isnull=False),
                name="nurtureenrolment_ended_has_date",
            ),
        ]
        indexes = [
            # The scheduler's question: which active enrolments are due, oldest first.
            models.Index(fields=["next_run_at", "id"], condition=Q(status="active"), name="nurture_enrolment_due_idx"),
            models.Index(fields=["lead", "-enrolled_at"], name="nurture_enrolment_lead_idx"),
            models.Index(fields=["sequence", "status"], name="nurture_enrolment_seq_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} in {self.sequence_id} ({self.status})"


class NurtureSend(models.Model):
    """An email step sent to an enrolment: one row per enrolment and step (the database holds it),
    written in the same transaction as its outbox row, so that no step is ever sent twice."""

    enrolment = models.ForeignKey(NurtureEnrolment, on_delete=models.CASCADE, related_name="sends")
    step = models.ForeignKey(NurtureStep, on_delete=models.CASCADE, related_name="sends")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    outbound_email = models.ForeignKey(
        "emails.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("nurture send")
        constraints = [models.UniqueConstraint(fields=["enrolment", "step"], name="nurturesend_once_per_step")]
        indexes = [models.Index(fields=["outbound_email"], name="nurturesend_email_idx")]

    def __str__(self) -> str:
        return f"step {self.step_id} → enrolment {self.enrolment_id}"


class NurtureThrottle(models.Model):
    """The global send budget of the current minute (a single row): workers take emails from it
    under a row lock, so several schedulers together keep to the emails-per-minute limit."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    window_started_at = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=1), name="nurturethrottle_single_row")]

    def __str__(self) -> str:
        return f"{self.used} since {self.window_started_at:%H:%M:%S}"


class EnrolmentRule(RuleBase):
    """Enrols leads in sequences automatically when they change (a kind of ``core.rules``): the
    first entry whose criteria a lead meets names the sequence. One rule is active."""

    class Meta(RuleBase.Meta):
        verbose_name = _("enrolment rule")
        constraints = [
            one_active_rule("one_active_enrolment_rule"),
            rule_name_required("enrolmentrule_name_required"),
            rule_name_unique_ci("nurture_enrolmentrule_name_ci"),
        ]


class EnrolmentRuleEntry(RuleEntryBase):
    """One ordered entry of an enrolment rule: criteria on the lead -> the sequence to enrol in.
    A rule enrols a lead in a sequence once; a person may enrol it again."""

    rule = models.ForeignKey(EnrolmentRule, on_delete=models.CASCADE, related_name="entries")
    sequence = models.ForeignKey(NurtureSequence, on_delete=models.PROTECT, related_name="+")

    class Meta(RuleEntryBase.Meta):
        verbose_name = _("enrolment rule entry")
        verbose_name_plural = _("enrolment rule entries")
        constraints = [entry_unique_order("enrolmentrule_entry_unique_order")]
