from django.utils.translation import gettext_lazy
from rest_framework import serializers

from leads.models import Queue

from ..models import BusinessHours, LeadSla, SlaPolicy, SlaRule


class BusinessHoursSerializer(serializers.ModelSerializer):
    weekly_hours = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), allow_null=True, min_length=2, max_length=2),
        min_length=7,
        max_length=7,
        help_text=gettext_lazy('Seven entries, Monday first: ["09:00", "17:00"] or null for a closed day.'),
    )
    holidays = serializers.SerializerMethodField()

    class Meta:
        model = BusinessHours
        fields = ["id", "name", "time_zone", "weekly_hours", "is_default", "holidays"]

    def get_holidays(self, obj) -> list[dict]:
        return [{"id": h.pk, "date": h.date.isoformat(), "name": h.name} for h in obj.holidays.all()]


class BusinessHoursInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    time_zone = serializers.CharField(max_length=64)
    weekly_hours = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), allow_null=True), min_length=7, max_length=7
    )
    is_default = serializers.BooleanField(default=False)


class HolidayInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class SlaPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "rule",
            "sort_order",
            "name",
            "criteria",
            "filter_logic",
            "business_hours",
            "first_touch_hours",
            "notify_owner",
            "notify_user",
            "reassign",
            "move_to_queue",
        ]


class SlaPolicyInputSerializer(serializers.Serializer):
    rule = serializers.PrimaryKeyRelatedField(queryset=SlaRule.objects.all())
    sort_order = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    name = serializers.CharField(max_length=120)
    criteria = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    filter_logic = serializers.CharField(required=False, allow_blank=True, default="")
    business_hours = serializers.PrimaryKeyRelatedField(queryset=BusinessHours.objects.all())
    first_touch_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    notify_owner = serializers.BooleanField(default=True)
    notify_user = serializers.PrimaryKeyRelatedField(
        queryset=SlaPolicy._meta.get_field("notify_user").related_model.objects.all(), required=False, allow_null=True
    )
    reassign = serializers.BooleanField(default=False)
    move_to_queue = serializers.PrimaryKeyRelatedField(queryset=Queue.objects.all(), required=False, allow_null=True)


class LeadSlaSerializer(serializers.ModelSerializer):
    lead = serializers.IntegerField(source="lead_id")
    sla_due_at = serializers.DateTimeField(source="due_at")
    sla_status = serializers.SerializerMethodField(
        help_text=gettext_lazy("open, at_risk (due within 30 minutes), breached or met.")
    )

    class Meta:
        model = LeadSla
        fields = [
            "lead",
            "policy",
            "policy_name",
            "cycle",
            "started_at",
            "sla_due_at",
            "sla_status",
            "first_touched_at",
            "breached_at",
        ]

    def get_sla_status(self, obj) -> str:
        from ..selectors import sla_status

        return sla_status(obj)
