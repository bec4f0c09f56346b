"""The webhooks API (system admins): endpoints, their delivery log, a test event, sending a
delivery again."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from core.roles import is_system_admin

from .. import selectors, services
from ..models import WebhookDelivery, WebhookEndpoint
from .serializers import (
    WebhookDeliveryDetailSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")


class IsSystemAdmin(BasePermission):
    message = "Only system admins may use this endpoint."

    def has_permission(self, request, view) -> bool:
        return is_system_admin(request.user)


class WebhookEndpointViewSet(viewsets.ViewSet):
    """Endpoints that receive signed JSON events of leads (created, updated, assigned, converted,
    merged, deleted, restored)."""

    queryset = WebhookEndpoint.objects.none()
    permission_classes = [IsAuthenticated, IsSystemAdmin]

    @extend_schema(responses=WebhookEndpointSerializer(many=True))
    def list(self, request):
        return Response(WebhookEndpointSerializer(WebhookEndpoint.objects.order_by("name"), many=True).data)

    @extend_schema(responses=WebhookEndpointSerializer)
    def retrieve(self, request, pk=None):
        return Response(WebhookEndpointSerializer(get_object_or_404(WebhookEndpoint, pk=pk)).data)

    @extend_schema(
        request=WebhookEndpointInputSerializer, responses={201: WebhookEndpointSerializer, 400: FIELD_ERRORS}
    )
    def create(self, request):
        data = WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.endpoint_create(**data.validated_data, acting_user=request.user)
        return Response(WebhookEndpointSerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WebhookEndpointInputSerializer, responses={200: WebhookEndpointSerializer, 400: FIELD_ERRORS}
    )
    def update(self, request, pk=None):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
        data = WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.endpoint_update(endpoint=endpoint, **data.validated_data, acting_user=request.user)
        return Response(WebhookEndpointSerializer(saved).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.endpoint_delete(endpoint=get_object_or_404(WebhookEndpoint, pk=pk), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=WebhookDelivery.Status.values),
            OpenApiParameter("event", str),
        ],
        responses=WebhookDeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's delivery log, newest first."""
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
        rows = selectors.delivery_log(
            endpoint=endpoint,
            status=request.query_params.get("status", ""),
            event=request.query_params.get("event", ""),
        )
        page = self.paginator.paginate_queryset(rows, request, view=self)
        return self.paginator.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @property
    def paginator(self):
        from core.api.pagination import NoCountPagination

        if not hasattr(self, "_paginator"):
            self._paginator = NoCountPagination()
        return self._paginator

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a "ping" event to this endpoint."""
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
        delivery = services.endpoint_send_test(endpoint=endpoint, acting_user=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: WebhookEndpointSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """Replace the signing secret."""
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
        return Response(
            WebhookEndpointSerializer(services.endpoint_rotate_secret(endpoint=endpoint, acting_user=request.user)).data
        )


class WebhookDeliveryViewSet(viewsets.ViewSet):
    """One delivery with its attempts; send it again."""

    queryset = WebhookDelivery.objects.none()
    permission_classes = [IsAuthenticated, IsSystemAdmin]

    @extend_schema(responses=WebhookDeliveryDetailSerializer)
    def retrieve(self, request, pk=None):
        delivery = get_object_or_404(WebhookDelivery.objects.prefetch_related("attempt_log"), pk=pk)
        return Response(WebhookDeliveryDetailSerializer(delivery).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        """Send a delivered or failed delivery again."""
        delivery = services.delivery_replay(
            delivery=get_object_or_404(WebhookDelivery, pk=pk), acting_user=request.user
        )
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
