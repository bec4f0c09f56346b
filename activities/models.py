"""Activities: the tasks, events and logged calls of a lead, contact, account or opportunity.

Each activity relates to exactly one record through four nullable foreign keys and a check
constraint, so that sharing queries stay plain joins (no generic relation)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

RELATED_FIELDS = ("lead", "contact", "account", "opportunity")


def _exactly_one_related() -> Q:
    options = []
    for chosen in RELATED_FIELDS:
        condition = Q(**{f"{chosen}__isnull": False})
        for other in RELATED_FIELDS:
            if other != chosen:
                condition &= Q(**{f"{other}__isnull": True})
        options.append(condition)
    result = options[0]
    for option in options[1:]:
        result |= option
    return result


class Activity(models.Model):
    """What tasks, events and calls share: the one record they relate to, the user they are
    assigned to, and who created them when."""

    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("sales.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("sales.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Set when the activity followed its lead to the contact at conversion: the converted lead, and
    # the opportunity created with it, still list it.
    converted_lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(_("subject"), max_length=255)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned to")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified_at = models.DateTimeField()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=_exactly_one_related(), name="%(app_label)s_%(class)s_one_related"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def related_name(self) -> str:
        """The object name of the record this activity relates to ("lead", "contact", ...)."""
        return next(name for name in RELATED_FIELDS if getattr(self, f"{name}_id") is not None)

    @property
    def related_record(self):
        return getattr(self, self.related_name)

    @property
    def related_label(self) -> str:
        return {"lead": _("Lead"), "contact": _("Contact"), "account": _("Account"), "opportunity": _("Opportunity")}[
            self.related_name
        ]

    def related_url(self) -> str:
        name = self.related_name
        return reverse("leads:detail" if name == "lead" else f"sales:{name}_detail", args=[getattr(self, f"{name}_id")])


class Task(Activity):
    """Something to do for a record ("call back Thursday"), with a due date, a priority, a status and
    an optional reminder email sent at ``reminder_at``."""

    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        NORMAL = "normal", _("Normal")
        LOW = "low", _("Low")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not Started")
        IN_PROGRESS = "in_progress", _("In Progress")
        COMPLETED = "completed", _("Completed")
        DEFERRED = "deferred", _("Deferred")

    due_date = models.DateField(_("due date"), null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    description = models.TextField(_("description"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminder_at = models.DateTimeField(_("reminder"), null=True, blank=True)
    # When the reminder at ``reminder_at`` went to the outbox; a new reminder time clears it.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            *Activity.Meta.constraints,
            models.CheckConstraint(
                condition=Q(priority__in=["high", "normal", "low"]), name="activities_task_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "completed", "deferred"]),
                name="activities_task_status_valid",
            ),
            # A completed task has its completion time, and only a completed one.
            models.CheckConstraint(
                condition=Q(status="completed", completed_at__isnull=False)
                | (~Q(status="completed") & Q(completed_at__isnull=True)),
                name="activities_task_completed_at_iff_completed",
            ),
        ]
        indexes = [
            models.Index(fields=["assigned_to", "status", "due_date"], name="activities_task_mine_idx"),
            # The reminder sweep reads only the reminders still to send.
            models.Index(
                fields=["reminder_at"],
                name="activities_task_reminder_idx",
                condition=Q(reminder_at__isnull=False, reminder_sent_at__isnull=True),
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.COMPLETED


class Event(Activity):
    """A meeting or appointment about a record, from ``start_at`` to ``end_at``, with the users
    attending it."""

    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"))
    location = models.CharField(_("location"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("attendees")
    )

    class Meta:
        constraints = [
            *Activity.Meta.constraints,
            models.CheckConstraint(condition=Q(end_at__gte=F("start_at")), name="activities_event_end_after_start"),
        ]
        indexes = [models.Index(fields=["assigned_to", "start_at"], name="activities_event_mine_idx")]


class Call(Activity):
    """A call that took place, logged against a record: its outcome, duration and notes."""

    class Outcome(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        LEFT_VOICEMAIL = "left_voicemail", _("Left Voicemail")
        NO_ANSWER = "no_answer", _("No Answer")
        BUSY = "busy", _("Busy")
        WRONG_NUMBER = "wrong_number", _("Wrong Number")

    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.CONNECTED)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    called_at = models.DateTimeField(_("called at"))

    class Meta:
        constraints = [
            *Activity.Meta.constraints,
            models.CheckConstraint(
                condition=Q(outcome__in=["connected", "left_voicemail", "no_answer", "busy", "wrong_number"]),
                name="activities_call_outcome_valid",
            ),
        ]
