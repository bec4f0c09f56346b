"""Output shapes of the campaigns API and the input shapes of its member actions. Campaign writes
pass the body to the services, which validate it (their errors become 400s with field errors)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from campaigns.models import Campaign, CampaignMember, CampaignMemberStatus


class CampaignSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "type",
            "status",
            "start_date",
            "end_date",
            "budgeted_cost",
            "actual_cost",
            "expected_revenue",
            "expected_response",
            "parent",
            "owner",
            "owner_name",
            "is_active",
            "description",
            "tracking_code",
            "custom_fields",
            "version",
            "created_at",
            "created_by",
            "last_modified_at",
            "last_modified_by",
        ]
        read_only_fields = fields


class MemberStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignMemberStatus
        fields = ["id", "label", "counts_as_responded", "is_default", "sort_order"]
        read_only_fields = ["id", "sort_order"]


class CampaignMemberSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="status.label", read_only=True)
    status_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = CampaignMember
        fields = [
            "id",
            "lead",
            "contact",
            "converted_lead",
            "status",
            "status_id",
            "has_responded",
            "first_responded_at",
            "created_at",
        ]
        read_only_fields = fields


class MembersAddSerializer(serializers.Serializer):
    leads = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=5000)
    contacts = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=5000)
    status = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("A member status of the campaign, by label or id; blank: default."),
    )

    def validate(self, attrs):
        if not attrs.get("leads") and not attrs.get("contacts"):
            raise serializers.ValidationError({"leads": [_("Give at least one lead or contact id.")]})
        return attrs


class MembersAddedSerializer(serializers.Serializer):
    added = CampaignMemberSerializer(many=True)
    already_members = serializers.IntegerField()
    refused = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class MemberUpdateSerializer(serializers.Serializer):
    status = serializers.CharField(help_text=_("A member status of the campaign, by label or id."))
