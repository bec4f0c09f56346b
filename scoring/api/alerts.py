"""``/api/alert-rules/``: engagement alert rules (read by every user, changed by marketing
admins through the same services as the Setup pages)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.models import EngagementEvent

from .. import alerts
from ..models import AlertRule


class AlertRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertRule
        fields = [
            "id",
            "name",
            "description",
            "is_active",
            "event_type",
            "url_pattern",
            "template",
            "min_events",
            "window_hours",
            "notify_queue",
            "updated_at",
        ]
        read_only_fields = fields


class AlertRuleInputSerializer(serializers.Serializer):
    """N events of a type (optionally on a URL or from an email template) within D hours email the
    lead's owner, or ``notify_queue``'s address; at most once per lead, rule and window."""

    name = serializers.CharField(max_length=120, help_text=_("Unique without regard to case."))
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)
    event_type = serializers.ChoiceField(choices=EngagementEvent.Type.choices)
    url_pattern = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    template = serializers.IntegerField(required=False, allow_null=True, default=None)
    min_events = serializers.IntegerField(min_value=1, max_value=1000)
    window_hours = serializers.IntegerField(min_value=1, max_value=24 * 90)
    notify_queue = serializers.IntegerField(required=False, allow_null=True, default=None)


def _rules():
    return AlertRule.objects.order_by("name")


class AlertRuleListView(APIView):
    @extend_schema(summary="Engagement alert rules", responses=AlertRuleSerializer(many=True))
    def get(self, request):
        return Response(AlertRuleSerializer(_rules(), many=True).data)

    @extend_schema(
        summary="Create an alert rule (marketing admins)",
        request=AlertRuleInputSerializer,
        responses={201: AlertRuleSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def post(self, request):
        data = AlertRuleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = alerts.alert_rule_create(data=data.validated_data, acting_user=request.user)
        return Response(AlertRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class AlertRuleDetailView(APIView):
    @extend_schema(summary="An alert rule", responses=AlertRuleSerializer)
    def get(self, request, pk: int):
        return Response(AlertRuleSerializer(get_object_or_404(_rules(), pk=pk)).data)

    @extend_schema(
        summary="Change an alert rule (marketing admins)",
        request=AlertRuleInputSerializer,
        responses={200: AlertRuleSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def put(self, request, pk: int):
        rule = get_object_or_404(AlertRule, pk=pk)
        data = AlertRuleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            AlertRuleSerializer(
                alerts.alert_rule_update(rule=rule, data=data.validated_data, acting_user=request.user)
            ).data
        )

    @extend_schema(summary="Delete an alert rule (marketing admins)", responses={204: None})
    def delete(self, request, pk: int):
        alerts.alert_rule_delete(rule=get_object_or_404(AlertRule, pk=pk), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
