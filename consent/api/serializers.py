"""Shapes of the consent API: ledger lines out, a grant or withdrawal in."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from consent.models import ConsentRecord, Purpose


class ConsentRecordSerializer(serializers.ModelSerializer):
    text_version = serializers.IntegerField(source="text.version", default=None, read_only=True)
    text_shown = serializers.CharField(source="text.text", default="", read_only=True)

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "lead",
            "contact",
            "purpose",
            "action",
            "source",
            "occurred_at",
            "recorded_at",
            "ip_address",
            "text",
            "text_version",
            "text_shown",
            "note",
            "created_by",
        ]
        read_only_fields = fields


class ConsentRecordInputSerializer(serializers.Serializer):
    lead = serializers.IntegerField(min_value=1, required=False, help_text=_("The lead's id (or give contact)."))
    contact = serializers.IntegerField(min_value=1, required=False, help_text=_("The contact's id (or give lead)."))
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    action = serializers.ChoiceField(
        choices=[ConsentRecord.Action.GRANTED, ConsentRecord.Action.WITHDRAWN],
        help_text=_("granted or withdrawn"),
    )
    occurred_at = serializers.DateTimeField(required=False, help_text=_("When the person said so (default: now)."))
    text = serializers.IntegerField(required=False, min_value=1, help_text=_("The consent text version shown (id)."))
    ip_address = serializers.IPAddressField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate(self, attrs):
        if ("lead" in attrs) == ("contact" in attrs):
            raise serializers.ValidationError({"lead": [_("Give either a lead or a contact.")]})
        return attrs


class DataRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    object_name = serializers.CharField()
    record_id = serializers.IntegerField()
    summary = serializers.DictField()
    acted_at = serializers.DateTimeField()
