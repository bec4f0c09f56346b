"""Output shapes of the emails API."""

from rest_framework import serializers

from ..models import EmailTemplate, OutboundEmail


class OutboundEmailSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutboundEmail
        fields = [
            "id",
            "status",
            "kind",
            "to_address",
            "from_name",
            "from_address",
            "reply_to",
            "subject",
            "body_text",
            "body_html",
            "object_name",
            "record_id",
            "template",
            "is_marketing",
            "attempts",
            "last_error",
            "next_attempt_at",
            "created_at",
            "sent_at",
            "idempotency_key",
        ]
        read_only_fields = fields


class EmailTemplateSerializer(serializers.ModelSerializer):
    folder = serializers.CharField(source="folder.name", default="", read_only=True)

    class Meta:
        model = EmailTemplate
        fields = [
            "id",
            "name",
            "folder",
            "description",
            "subject",
            "body_text",
            "body_html",
            "is_active",
            "is_marketing",
            "updated_at",
        ]
        read_only_fields = fields
