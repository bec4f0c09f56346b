"""The emails API (admins): read the outbox with the outbox page's filters, retry a failed email,
and read the email templates."""

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from core.roles import is_marketing_admin

from .. import selectors, services
from ..filters import OutboundEmailFilter
from .serializers import EmailTemplateSerializer, OutboundEmailSerializer


class IsMarketingAdmin(BasePermission):
    message = "Only marketing and system admins may use this endpoint."

    def has_permission(self, request, view) -> bool:
        return is_marketing_admin(request.user)


class OutboundEmailViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every outgoing email, newest first; filter by status, kind, recipient and date."""

    serializer_class = OutboundEmailSerializer
    permission_classes = [IsAuthenticated, IsMarketingAdmin]
    filter_backends = [DjangoFilterBackend]
    filterset_class = OutboundEmailFilter

    def get_queryset(self):
        return selectors.outbox_list(user=self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(summary="Send a failed email again", request=None, responses={200: OutboundEmailSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        email = services.outbound_email_retry(email=self.get_object(), acting_user=request.user)
        return Response(OutboundEmailSerializer(email).data)


class EmailTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Email templates, by folder and name."""

    serializer_class = EmailTemplateSerializer
    permission_classes = [IsAuthenticated, IsMarketingAdmin]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.template_list()

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
