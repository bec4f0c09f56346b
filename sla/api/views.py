"""The SLA API: business hours and SLA policies (marketing admins), and the SLA clocks of the
leads the caller may read."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from core.roles import is_marketing_admin
from leads.selectors import leads_visible_to

from .. import services
from ..models import BusinessHours, Holiday, LeadSla, SlaPolicy
from .serializers import (
    BusinessHoursInputSerializer,
    BusinessHoursSerializer,
    HolidayInputSerializer,
    LeadSlaSerializer,
    SlaPolicyInputSerializer,
    SlaPolicySerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors")


class IsMarketingAdmin(BasePermission):
    message = "Only marketing and system admins may use this endpoint."

    def has_permission(self, request, view) -> bool:
        return is_marketing_admin(request.user)


class BusinessHoursViewSet(viewsets.ViewSet):
    """Business-hours calendars with their holidays."""

    # For the schema: the type of the id in the path.
    queryset = BusinessHours.objects.none()

    permission_classes = [IsAuthenticated, IsMarketingAdmin]

    def _queryset(self):
        return BusinessHours.objects.prefetch_related("holidays").order_by("name")

    @extend_schema(responses=BusinessHoursSerializer(many=True))
    def list(self, request):
        return Response(BusinessHoursSerializer(self._queryset(), many=True).data)

    @extend_schema(responses=BusinessHoursSerializer)
    def retrieve(self, request, pk=None):
        return Response(BusinessHoursSerializer(get_object_or_404(self._queryset(), pk=pk)).data)

    @extend_schema(request=BusinessHoursInputSerializer, responses={201: BusinessHoursSerializer, 400: FIELD_ERRORS})
    def create(self, request):
        data = BusinessHoursInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.business_hours_create(**data.validated_data, acting_user=request.user)
        return Response(BusinessHoursSerializer(self._queryset().get(pk=saved.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BusinessHoursInputSerializer, responses={200: BusinessHoursSerializer, 400: FIELD_ERRORS})
    def update(self, request, pk=None):
        business_hours = get_object_or_404(BusinessHours, pk=pk)
        data = BusinessHoursInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.business_hours_update(business_hours=business_hours, **data.validated_data, acting_user=request.user)
        return Response(BusinessHoursSerializer(self._queryset().get(pk=pk)).data)

    @extend_schema(responses={204: None, 400: FIELD_ERRORS})
    def destroy(self, request, pk=None):
        services.business_hours_delete(business_hours=get_object_or_404(BusinessHours, pk=pk), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=HolidayInputSerializer, responses={201: BusinessHoursSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def holidays(self, request, pk=None):
        """Add a holiday (a day the calendar is closed)."""
        business_hours = get_object_or_404(BusinessHours, pk=pk)
        data = HolidayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.holiday_add(business_hours=business_hours, **data.validated_data, acting_user=request.user)
        return Response(BusinessHoursSerializer(self._queryset().get(pk=pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("holiday_id", int, OpenApiParameter.PATH)], responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"holidays/(?P<holiday_id>\d+)")
    def holiday_delete(self, request, pk=None, holiday_id=None):
        holiday = get_object_or_404(Holiday, pk=holiday_id, business_hours_id=pk)
        services.holiday_delete(holiday=holiday, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _policy_data(validated: dict) -> dict:
    return {k: v for k, v in validated.items() if k != "rule"}


class SlaPolicyViewSet(viewsets.ViewSet):
    """SLA policies: the entries of SLA rules (criteria -> first touch within N business hours and
    the breach actions)."""

    # For the schema: the type of the id in the path.
    queryset = SlaPolicy.objects.none()

    permission_classes = [IsAuthenticated, IsMarketingAdmin]

    def _queryset(self):
        return SlaPolicy.objects.order_by("rule", "sort_order")

    @extend_schema(responses=SlaPolicySerializer(many=True))
    def list(self, request):
        return Response(SlaPolicySerializer(self._queryset(), many=True).data)

    @extend_schema(responses=SlaPolicySerializer)
    def retrieve(self, request, pk=None):
        return Response(SlaPolicySerializer(get_object_or_404(self._queryset(), pk=pk)).data)

    @extend_schema(request=SlaPolicyInputSerializer, responses={201: SlaPolicySerializer, 400: FIELD_ERRORS})
    def create(self, request):
        data = SlaPolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = services.sla_policy_create(
            rule=data.validated_data["rule"], data=_policy_data(data.validated_data), acting_user=request.user
        )
        return Response(SlaPolicySerializer(policy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SlaPolicyInputSerializer, responses={200: SlaPolicySerializer, 400: FIELD_ERRORS})
    def update(self, request, pk=None):
        policy = get_object_or_404(SlaPolicy, pk=pk)
        data = SlaPolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            policy = services.sla_policy_update(
                policy=policy, data=_policy_data(data.validated_data), acting_user=request.user
            )
        return Response(SlaPolicySerializer(policy).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.sla_policy_delete(policy=get_object_or_404(SlaPolicy, pk=pk), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LeadSlaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """SLA clocks (``sla_due_at``, ``sla_status``) of the leads the caller may read, by lead id;
    filter with ``?status=open|met|breached``."""

    serializer_class = LeadSlaSerializer
    filter_backends: list = []
    lookup_field = "lead"

    def get_queryset(self):
        qs = LeadSla.objects.filter(lead__in=leads_visible_to(self.request.user, include_converted=True).values("pk"))
        wanted = self.request.query_params.get("status")
        if wanted in LeadSla.Status.values:
            qs = qs.filter(status=wanted)
        return qs.order_by("due_at", "lead_id")

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=list(LeadSla.Status.values))])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
