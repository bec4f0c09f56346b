from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import BehaviourRule, FitRule, ScoringModel


class FitRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = FitRule
        fields = ["id", "sort_order", "label", "criteria", "filter_logic", "points"]


class BehaviourRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = BehaviourRule
        fields = ["id", "label", "event_type", "url_pattern", "points", "daily_cap"]


class ScoringModelSerializer(serializers.ModelSerializer):
    """A scoring model as the API shows it, with its rules."""

    fit_rules = FitRuleSerializer(source="entries", many=True, read_only=True)
    behaviour_rules = BehaviourRuleSerializer(many=True, read_only=True)

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
            "fit_rules",
            "behaviour_rules",
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


class ScoreLineSerializer(serializers.Serializer):
    rule = serializers.CharField()
    points = serializers.IntegerField()
    events = serializers.IntegerField(required=False)
    decayed_points = serializers.FloatField(required=False)


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
    computed_at = serializers.DateTimeField(allow_null=True)


class LeadScoreSerializer(serializers.Serializer):
    lead = serializers.IntegerField()
    scores = ModelScoreSerializer(many=True)
