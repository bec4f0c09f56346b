from rest_framework import serializers

from ..models import EVENT_NAMES, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_NAMES))

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "events", "is_active", "description", "secret", "created_at", "updated_at"]
        read_only_fields = ["id", "secret", "created_at", "updated_at"]


class WebhookEndpointInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_NAMES), allow_empty=False)
    is_active = serializers.BooleanField(default=True)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "response_status", "response_body", "error", "duration_ms"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event",
            "object_name",
            "record_id",
            "status",
            "attempts",
            "next_attempt_at",
            "response_status",
            "last_error",
            "created_at",
            "delivered_at",
            "payload",
        ]


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "attempt_log"]
