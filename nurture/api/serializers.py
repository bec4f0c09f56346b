"""Shapes of the nurture API. Writes pass the body to the services, which validate it (their
errors become 400s with field errors)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from nurture.models import NurtureEnrolment, NurtureSequence, NurtureStep

STEP_FIELDS = [
    "id",
    "position",
    "kind",
    "template",
    "wait_days",
    "wait_hours",
    "wait_weekday",
    "wait_time",
    "condition",
    "criteria",
    "filter_logic",
    "score_min",
    "ref_step",
    "else_step",
    "action",
    "action_status",
    "action_queue",
    "action_campaign",
]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = NurtureStep
        fields = STEP_FIELDS
        read_only_fields = fields


class StepInputSerializer(serializers.ModelSerializer):
    """A step's input (documentation only: the service validates it). ``position``: where to insert."""

    position = serializers.IntegerField(required=False, help_text=_("Where to insert it (default: at the end)."))

    class Meta:
        model = NurtureStep
        fields = [f for f in STEP_FIELDS if f != "id"]
        extra_kwargs = {f: {"required": False} for f in STEP_FIELDS if f not in ("id", "kind")}


class SequenceSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = NurtureSequence
        fields = [
            "id",
            "name",
            "description",
            "status",
            "lead_statuses",
            "time_zone",
            "use_lead_time_zone",
            "send_window_start",
            "send_window_end",
            "send_days",
            "from_name",
            "from_address",
            "reply_to",
            "steps",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SequenceInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = NurtureSequence
        fields = [
            f
            for f in SequenceSerializer.Meta.fields
            if f not in ("id", "status", "steps", "version", "created_at", "updated_at")
        ]
        extra_kwargs = {f: {"required": False} for f in fields if f != "name"}


class EnrolmentSerializer(serializers.ModelSerializer):
    sequence_name = serializers.CharField(source="sequence.name", read_only=True)
    current_step = serializers.SerializerMethodField(help_text=_("The next step to run (null once ended)."))

    class Meta:
        model = NurtureEnrolment
        fields = [
            "id",
            "sequence",
            "sequence_name",
            "lead",
            "status",
            "source",
            "position",
            "current_step",
            "next_run_at",
            "enrolled_at",
            "last_sent_at",
            "ended_at",
            "exit_reason",
            "exit_note",
        ]
        read_only_fields = fields

    def get_current_step(self, enrolment) -> int | None:
        if enrolment.status not in ("active", "paused"):
            return None
        steps = self.context.get("steps", {}).get(enrolment.sequence_id)
        if steps is None:
            steps = list(enrolment.sequence.steps.order_by("position"))
        step = next((s for s in steps if s.position >= enrolment.position), None)
        return step.pk if step else None


class EnrolInputSerializer(serializers.Serializer):
    lead_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=50000, allow_empty=False)


class EnrolResultSerializer(serializers.Serializer):
    enrolled = serializers.ListField(child=serializers.IntegerField())
    already = serializers.ListField(child=serializers.IntegerField())
    refused = serializers.DictField(child=serializers.CharField())
