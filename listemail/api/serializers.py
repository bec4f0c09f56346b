"""Shapes of the list email API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from listemail.models import ListEmailSend


class ListEmailInputSerializer(serializers.Serializer):
    template = serializers.IntegerField(min_value=1, help_text=_("An active email template's id."))
    lead_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=50000, help_text=_("Leads to email.")
    )
    campaign = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("Email the campaign's members, leads and contacts (instead of lead_ids)."),
    )
    record_campaign = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Record the send on this campaign (members as Sent).")
    )
    from_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    from_address = serializers.EmailField(required=False, allow_blank=True)
    reply_to = serializers.EmailField(required=False, allow_blank=True)
    dry_run = serializers.BooleanField(default=False, help_text=_("Only preview: who gets it, who is skipped."))

    def validate(self, attrs):
        if not attrs.get("lead_ids") and not attrs.get("campaign"):
            raise serializers.ValidationError({"lead_ids": [_("Give lead_ids or a campaign.")]})
        return attrs


class PreviewSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    leads = serializers.IntegerField(help_text=_("Recipients who are leads."))
    contacts = serializers.IntegerField(help_text=_("Recipients who are contacts (a campaign's contact members)."))
    skipped = serializers.DictField(child=serializers.IntegerField())


class ListEmailSerializer(serializers.ModelSerializer):
    delivery = serializers.SerializerMethodField()

    class Meta:
        model = ListEmailSend
        fields = [
            "id",
            "template",
            "campaign",
            "from_name",
            "from_address",
            "reply_to",
            "status",
            "total",
            "processed",
            "skipped",
            "delivery",
            "created_at",
            "created_by",
            "finished_at",
        ]
        read_only_fields = fields

    def get_delivery(self, obj) -> dict[str, int]:
        from listemail.selectors import delivery_counts

        return delivery_counts(send=obj)
