from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import EngagementEvent


class EngagementEventSerializer(serializers.ModelSerializer):
    """An engagement event as the API shows it."""

    outbound_email = serializers.PrimaryKeyRelatedField(read_only=True)
    template = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = EngagementEvent
        fields = [
            "id",
            "lead",
            "contact",
            "event_type",
            "occurred_at",
            "recorded_at",
            "url",
            "referrer",
            "title",
            "outbound_email",
            "template",
            "campaign",
            "properties",
            "is_machine",
            "source",
            "external_id",
        ]
        read_only_fields = fields


class EngagementEventInputSerializer(serializers.Serializer):
    """An event an integration reports: the lead by ``lead`` (id) or by ``email``."""

    lead = serializers.IntegerField(required=False, min_value=1)
    email = serializers.EmailField(required=False)
    event_type = serializers.ChoiceField(choices=EngagementEvent.Type.choices)
    occurred_at = serializers.DateTimeField(required=False)
    url = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    referrer = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    title = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    campaign = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    properties = serializers.JSONField(required=False, default=dict)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

    def validate(self, attrs):
        if attrs.get("lead") is None and not attrs.get("email"):
            raise serializers.ValidationError({"lead": [_("Give the lead's id or its email address.")]})
        return attrs
