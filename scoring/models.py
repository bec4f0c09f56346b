"""Lead scoring: scoring models, their fit rules (criteria on lead fields, a kind of
``core.rules``) and behaviour rules (engagement events), and each lead's score per model."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.rules.models import RuleBase, RuleEntryBase, entry_unique_order, rule_name_required, rule_name_unique_ci
from engagement.models import EngagementEvent

POINTS_MIN, POINTS_MAX = -100, 100


class ScoringModel(RuleBase):
    """A way of scoring leads: fit rules and behaviour rules, weighted into one 0–100 score.
    Several models may be active; exactly one may be the default (shown first on the lead page).
    ``is_active`` here means the model scores leads (several may); ``version`` is bumped on every
    change of the model or its rules."""

    is_default = models.BooleanField(_("default model"), default=False)
    fit_weight = models.PositiveSmallIntegerField(
        _("fit weight"), default=50, validators=[MaxValueValidator(100)], help_text=_("Percent of the score.")
    )
    behaviour_weight = models.PositiveSmallIntegerField(
        _("behaviour weight"), default=50, validators=[MaxValueValidator(100)], help_text=_("Percent of the score.")
    )
    decay_half_life_days = models.PositiveSmallIntegerField(
        _("decay half-life (days)"),
        default=30,
        help_text=_("Behaviour points halve after this many days; 0 means they never decay."),
    )
    # The hand-off to sales: a lead whose score rises to the threshold becomes a marketing-qualified
    # lead once, and again only after falling below threshold − hysteresis (no flapping).
    mql_threshold = models.PositiveSmallIntegerField(
        _("MQL threshold"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("A lead whose score rises to this becomes a marketing-qualified lead; blank means never."),
    )
    mql_hysteresis = models.PositiveSmallIntegerField(
        _("MQL hysteresis"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("The lead qualifies again only after its score fell below the threshold minus this."),
    )
    mql_status = models.CharField(
        _("set status to"), max_length=120, blank=True, help_text=_("A Lead Status value; blank leaves it.")
    )
    mql_queue = models.ForeignKey(
        "leads.Queue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("move to queue"),
    )
    mql_notify_owner = models.BooleanField(_("email the owner"), default=False)
    # The last full recompute's progress (the model page's progress bar).
    recompute_total = models.PositiveIntegerField(default=0)
    recompute_done = models.PositiveIntegerField(default=0)
    recompute_started_at = models.DateTimeField(null=True, blank=True)
    recompute_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(RuleBase.Meta):
        verbose_name = _("scoring model")
        verbose_name_plural = _("scoring models")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="scoring_one_default"),
            rule_name_unique_ci("scoring_scoringmodel_name_ci"),
            rule_name_required("scoring_scoringmodel_name_required"),
            models.CheckConstraint(
                condition=Q(fit_weight__lte=100, behaviour_weight__lte=100)
                & (Q(fit_weight__gt=0) | Q(behaviour_weight__gt=0)),
                name="scoring_scoringmodel_weights",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(is_active=True), name="scoring_scoringmodel_default_active"
            ),
        ]


class FitRule(RuleEntryBase):
    """Criteria on the lead's fields (standard and custom) and the points a lead meeting them gets.
    Every matching fit rule of a model counts (not only the first)."""

    rule = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="entries")
    label = models.CharField(_("label"), max_length=120, blank=True)
    points = models.SmallIntegerField(
        _("points"), validators=[MinValueValidator(POINTS_MIN), MaxValueValidator(POINTS_MAX)]
    )

    class Meta(RuleEntryBase.Meta):
        verbose_name = _("fit rule")
        constraints = [
            entry_unique_order("scoring_fitrule_unique_order"),
            models.CheckConstraint(
                condition=Q(points__gte=POINTS_MIN, points__lte=POINTS_MAX), name="scoring_fitrule_points_range"
            ),
        ]


class BehaviourRule(models.Model):
    """Points for each engagement event of a type (and, optionally, whose URL matches a pattern),
    at most ``daily_cap`` points per rule per day."""

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="behaviour_rules")
    label = models.CharField(_("label"), max_length=120, blank=True)
    event_type = models.CharField(_("event type"), max_length=20, choices=EngagementEvent.Type.choices)
    url_pattern = models.CharField(
        _("URL pattern"),
        max_length=500,
        blank=True,
        help_text=_("Optional. The event's URL must contain this text; * stands for any text."),
    )
    points = models.SmallIntegerField(
        _("points per event"), validators=[MinValueValidator(POINTS_MIN), MaxValueValidator(POINTS_MAX)]
    )
    daily_cap = models.PositiveSmallIntegerField(
        _("cap per day"),
        null=True,
        blank=True,
        help_text=_("At most this many points (in absolute value) per day from this rule; blank means no cap."),
    )

    class Meta:
        ordering = ["model", "id"]
        verbose_name = _("behaviour rule")
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=POINTS_MIN, points__lte=POINTS_MAX), name="scoring_behaviourrule_points_range"
            ),
            models.CheckConstraint(condition=~Q(points=0), name="scoring_behaviourrule_points_nonzero"),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.get_event_type_display()} ({self.points:+d})"


class LeadScore(models.Model):
    """A lead's score by one model (kept here: the lead table stays the leads app's)."""

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="scores")
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    explanation = models.JSONField(default=dict, blank=True)
    model_version = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(_("computed at"))
    # MQL state: armed until the score crosses the model's threshold, then disarmed until it falls
    # below threshold − hysteresis; ``mql_crossings`` numbers the crossings (one hand-off each).
    mql_armed = models.BooleanField(default=True)
    mql_at = models.DateTimeField(_("MQL date"), null=True, blank=True)
    mql_crossings = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lead score")
        constraints = [
            models.UniqueConstraint(fields=["lead", "model"], name="scoring_leadscore_lead_model"),
            models.CheckConstraint(condition=Q(score__lte=100), name="scoring_leadscore_range"),
            models.CheckConstraint(condition=Q(grade__in=["A", "B", "C", "D"]), name="scoring_leadscore_grade"),
            models.CheckConstraint(
                condition=Q(mql_crossings=0) | Q(mql_at__isnull=False), name="scoring_leadscore_mql"
            ),
        ]
        indexes = [models.Index("model", models.F("score").desc(), name="scoring_leadscore_rank_idx")]

    def __str__(self) -> str:
        return f"{self.lead_id}/{self.model_id}: {self.score} {self.grade}"


class VelocityRule(models.Model):
    """Points once a lead shows a burst of engagement: at least ``min_events`` events of a type
    (optionally on matching URLs) within ``window_days`` days ("8 visits in 4 days → +20"). The
    points decay from the end of the lead's latest such burst, like behaviour points."""

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="velocity_rules")
    label = models.CharField(_("label"), max_length=120, blank=True)
    event_type = models.CharField(_("event type"), max_length=20, choices=EngagementEvent.Type.choices)
    url_pattern = models.CharField(
        _("URL pattern"),
        max_length=500,
        blank=True,
        help_text=_("Optional. The event's URL must contain this text; * stands for any text."),
    )
    min_events = models.PositiveSmallIntegerField(
        _("events"), validators=[MinValueValidator(2), MaxValueValidator(1000)]
    )
    window_days = models.PositiveSmallIntegerField(
        _("within days"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    points = models.SmallIntegerField(
        _("points"), validators=[MinValueValidator(POINTS_MIN), MaxValueValidator(POINTS_MAX)]
    )

    class Meta:
        ordering = ["model", "id"]
        verbose_name = _("velocity rule")
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=POINTS_MIN, points__lte=POINTS_MAX) & ~Q(points=0),
                name="scoring_velocityrule_points",
            ),
            models.CheckConstraint(
                condition=Q(min_events__gte=2, min_events__lte=1000, window_days__gte=1, window_days__lte=365),
                name="scoring_velocityrule_window",
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.min_events} × {self.get_event_type_display()} / {self.window_days} d"


class StatusProgressionRule(models.Model):
    """Points for how fast a lead moved from one Lead Status to another, read from the lead's
    Field History: the time from first entering ``from_status`` to first entering ``to_status``
    after it, compared with a threshold ("from Open to Working within 2 days → +15"). An "over"
    rule also counts a lead still waiting for ``to_status`` longer than the threshold. The
    statuses are Lead Status api values; a rule naming a value deleted since is skipped."""

    class Comparison(models.TextChoices):
        WITHIN = "within", _("within (at most)")
        OVER = "over", _("over (more than)")

    class Unit(models.TextChoices):
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="progression_rules")
    label = models.CharField(_("label"), max_length=120, blank=True)
    from_status = models.CharField(_("from status"), max_length=120)
    to_status = models.CharField(_("to status"), max_length=120)
    comparison = models.CharField(_("comparison"), max_length=10, choices=Comparison.choices)
    threshold = models.PositiveIntegerField(_("threshold"), validators=[MinValueValidator(1), MaxValueValidator(8760)])
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.DAYS)
    points = models.SmallIntegerField(
        _("points"), validators=[MinValueValidator(POINTS_MIN), MaxValueValidator(POINTS_MAX)]
    )

    class Meta:
        ordering = ["model", "id"]
        verbose_name = _("status progression rule")
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=POINTS_MIN, points__lte=POINTS_MAX) & ~Q(points=0),
                name="scoring_progressionrule_points",
            ),
            models.CheckConstraint(condition=~Q(from_status=models.F("to_status")), name="scoring_progression_two"),
            models.CheckConstraint(
                condition=Q(threshold__gte=1, threshold__lte=8760), name="scoring_progression_threshold"
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.from_status} → {self.to_status}"

    @property
    def threshold_hours(self) -> int:
        return self.threshold * (24 if self.unit == self.Unit.DAYS else 1)


class LeadScoreHistory(models.Model):
    """A lead's score by one model each time it changed (one row per change, not per
    recompute): what the Score panel's sparkline and the score API's history show."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    grade = models.CharField(_("grade"), max_length=1, choices=LeadScore.Grade.choices)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("lead score history")
        verbose_name_plural = _("lead score history")
        indexes = [models.Index("lead", "model", models.F("changed_at").desc(), name="scoring_history_lead_idx")]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="scoring_history_range")]

    def __str__(self) -> str:
        return f"{self.lead_id}/{self.model_id}: {self.score} at {self.changed_at:%Y-%m-%d %H:%M}"


class AlertRule(models.Model):
    """ "Event type X (optionally on a URL or from a template) happened N times within D hours →
    email the lead's owner (or a queue) now", independent of any score. A lead alerts at most once
    per rule per window: the windows are consecutive periods of ``window_hours`` (a constraint on
    ``AlertFiring`` holds it)."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    event_type = models.CharField(_("event type"), max_length=20, choices=EngagementEvent.Type.choices)
    url_pattern = models.CharField(
        _("URL pattern"),
        max_length=500,
        blank=True,
        help_text=_("Optional. The event's URL must contain this text; * stands for any text."),
    )
    template = models.ForeignKey(
        "emails.EmailTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("email template"),
        help_text=_("Optional. Only events of emails sent from this template count."),
    )
    min_events = models.PositiveSmallIntegerField(
        _("number of events"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    window_hours = models.PositiveSmallIntegerField(
        _("within hours"), validators=[MinValueValidator(1), MaxValueValidator(24 * 90)]
    )
    notify_queue = models.ForeignKey(
        "leads.Queue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("notify queue"),
        help_text=_("Blank: the lead's owner (a queue owner's email when a queue owns the lead)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert rule")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="scoring_alertrule_name_ci"),
            models.CheckConstraint(condition=~Q(name=""), name="scoring_alertrule_name_required"),
            models.CheckConstraint(
                condition=Q(min_events__gte=1, window_hours__gte=1), name="scoring_alertrule_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AlertFiring(models.Model):
    """One alert of a rule about a lead in one window (at most one: a database constraint)."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="firings")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    fired_at = models.DateTimeField()
    event_count = models.PositiveIntegerField()
    email = models.ForeignKey(
        "emails.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-fired_at"]
        verbose_name = _("alert")
        constraints = [
            models.UniqueConstraint(fields=["rule", "lead", "window_start"], name="scoring_alert_once_per_window")
        ]
        indexes = [models.Index("lead", models.F("fired_at").desc(), name="scoring_alert_lead_idx")]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.lead_id} at {self.fired_at:%Y-%m-%d %H:%M}"
