from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from engagement.models import EngagementEvent

from ..models import BehaviourRule, FitRule, ScoringModel, StatusProgressionRule, VelocityRule


class FitRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = FitRule
        fields = ["id", "sort_order", "label", "criteria", "filter_logic", "points"]


class BehaviourRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = BehaviourRule
        fields = ["id", "label", "event_type", "url_pattern", "points", "daily_cap"]


class VelocityRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = VelocityRule
        fields = ["id", "label", "event_type", "url_pattern", "min_events", "window_days", "points"]
        read_only_fields = ["id"]


class VelocityRuleInputSerializer(serializers.Serializer):
    """N events of a type (optionally on URLs matching a pattern) within D days give the points."""

    label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    event_type = serializers.ChoiceField(choices=EngagementEvent.Type.choices)
    url_pattern = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    min_events = serializers.IntegerField(min_value=2, max_value=1000)
    window_days = serializers.IntegerField(min_value=1, max_value=365)
    points = serializers.IntegerField(min_value=-100, max_value=100)


class ProgressionRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusProgressionRule
        fields = ["id", "label", "from_status", "to_status", "comparison", "threshold", "unit", "points"]
        read_only_fields = ["id"]


class ProgressionRuleInputSerializer(serializers.Serializer):
    """The time from ``from_status`` to ``to_status`` (Lead Status api values) within or over the
    threshold gives the points."""

    label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    from_status = serializers.CharField(max_length=120)
    to_status = serializers.CharField(max_length=120)
    comparison = serializers.ChoiceField(choices=StatusProgressionRule.Comparison.choices)
    threshold = serializers.IntegerField(min_value=1, max_value=8760)
    unit = serializers.ChoiceField(
        choices=StatusProgressionRule.Unit.choices, required=False, default=StatusProgressionRule.Unit.DAYS
    )
    points = serializers.IntegerField(min_value=-100, max_value=100)


class ScoringModelSerializer(serializers.ModelSerializer):
    """A scoring model as the API shows it, with its rules."""

    fit_rules = FitRuleSerializer(source="entries", many=True, read_only=True)
    behaviour_rules = BehaviourRuleSerializer(many=True, read_only=True)
    velocity_rules = VelocityRuleSerializer(many=True, read_only=True)
    progression_rules = ProgressionRuleSerializer(many=True, read_only=True)

    class Meta:
        model = ScoringModel
        fields = [
            "id",
            "name",
            "description",
            "is_active",
            "is_default",
            "fit_weight",
            "behaviour_weight",
            "decay_half_life_days",
            "version",
            "updated_at",
            "mql_threshold",
            "mql_hysteresis",
            "mql_status",
            "mql_queue",
            "mql_notify_owner",
            "recompute_total",
            "recompute_done",
            "recompute_started_at",
            "recompute_finished_at",
            "fit_rules",
            "behaviour_rules",
            "velocity_rules",
            "progression_rules",
        ]
        read_only_fields = fields


class ScoringModelInputSerializer(serializers.Serializer):
    """What creates or changes a model; the service checks the rules (unique name, one default)."""

    name = serializers.CharField(max_length=120, help_text=_("Unique without regard to case."))
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)
    is_default = serializers.BooleanField(required=False, default=False)
    fit_weight = serializers.IntegerField(min_value=0, max_value=100, required=False, default=50)
    behaviour_weight = serializers.IntegerField(min_value=0, max_value=100, required=False, default=50)
    decay_half_life_days = serializers.IntegerField(min_value=0, max_value=3650, required=False, default=30)
    mql_threshold = serializers.IntegerField(
        min_value=1,
        max_value=100,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A lead whose score rises to this becomes a marketing-qualified lead; null means never."),
    )
    mql_hysteresis = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        default=10,
        help_text=_("The lead qualifies again only after its score fell below the threshold minus this."),
    )
    mql_status = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default="", help_text=_("A Lead Status api value.")
    )
    mql_queue = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("The id of the queue the lead moves to.")
    )
    mql_notify_owner = serializers.BooleanField(required=False, default=False)


class ScoreLineSerializer(serializers.Serializer):
    rule = serializers.CharField()
    points = serializers.IntegerField()
    events = serializers.IntegerField(required=False)
    decayed_points = serializers.FloatField(required=False)
    hours = serializers.FloatField(required=False, help_text=_("Status progression: the hours measured."))
    at = serializers.DateTimeField(required=False, help_text=_("Velocity: when the latest burst ended."))


class ScoreChangeSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    grade = serializers.CharField()
    changed_at = serializers.DateTimeField()


class ModelScoreSerializer(serializers.Serializer):
    model = serializers.IntegerField(source="model.pk")
    model_name = serializers.CharField(source="model.name")
    is_default = serializers.BooleanField(source="model.is_default")
    score = serializers.IntegerField(source="result.score")
    grade = serializers.CharField(source="result.grade")
    fit_score = serializers.IntegerField(source="result.fit_score")
    behaviour_score = serializers.IntegerField(source="result.behaviour_score")
    decay_half_life_days = serializers.IntegerField(source="result.decay_half_life_days")
    fit = ScoreLineSerializer(source="result.fit", many=True)
    behaviour = ScoreLineSerializer(source="result.behaviour", many=True)
    velocity = ScoreLineSerializer(source="result.velocity", many=True)
    progression = ScoreLineSerializer(source="result.progression", many=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    mql_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When this model last made the lead a marketing-qualified lead.")
    )
    history = ScoreChangeSerializer(many=True, help_text=_("The score's changes by this model, oldest first."))


class LeadScoreSerializer(serializers.Serializer):
    lead = serializers.IntegerField()
    scores = ModelScoreSerializer(many=True)
