"""The consent API: a lead's ledger (read by whoever sees the lead; a grant or withdrawal recorded
by whoever may edit it), and a person's data export and erasure (system admins)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from consent import selectors, services
from consent.models import ConsentRecord, ConsentText
from core.roles import is_system_admin
from leads.selectors import lead_is_editable_by, leads_visible_to

from .serializers import ConsentRecordInputSerializer, ConsentRecordSerializer, DataRequestSerializer

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
SYSTEM_ADMINS = OpenApiResponse(description="Only system admins may export or erase a person's data.")


class ConsentListView(GenericAPIView):
    serializer_class = ConsentRecordSerializer

    def get_queryset(self):
        rows = selectors.consent_records_visible_to(self.request.user)
        lead = self.request.query_params.get("lead", "")
        if lead:
            rows = rows.filter(lead_id=int(lead) if lead.isdigit() else 0)
        return rows

    @extend_schema(
        summary="Consent ledger lines",
        description="The lines of the leads you can see, newest first; `?lead=<id>` for one lead's ledger.",
        parameters=[OpenApiParameter("lead", OpenApiTypes.INT, description="A lead id")],
        responses=ConsentRecordSerializer(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ConsentRecordSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a grant or a withdrawal",
        description="Appends a line (source `api`) to the lead's ledger. The newest line wins; at the same "
        "time a withdrawal wins. A marketing email withdrawal sets the lead's email opt-out and ends its "
        "sequences.",
        request=ConsentRecordInputSerializer,
        responses={201: ConsentRecordSerializer, 400: FIELD_ERRORS},
    )
    def post(self, request):
        data = ConsentRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lead = leads_visible_to(request.user).filter(pk=values.pop("lead")).first()
        if lead is None:
            raise ValidationError({"lead": [_("Choose a lead you can see.")]})
        if not lead_is_editable_by(lead, request.user):
            raise PermissionDenied(_("You may not change this lead."))
        text_id = values.pop("text", None)
        text = None
        if text_id is not None:
            text = ConsentText.objects.filter(pk=text_id).first()
            if text is None:
                raise ValidationError({"text": [_("Choose a version of the consent text.")]})
        line = services.consent_record(
            lead=lead,
            source=ConsentRecord.Source.API,
            acting_user=request.user,
            text=text,
            ip_address=values.pop("ip_address", None) or None,
            **values,
        )
        return Response(ConsentRecordSerializer(line).data, status=status.HTTP_201_CREATED)


def _admin_lead(request, pk: int):
    if not is_system_admin(request.user):
        raise PermissionDenied(_("Only system admins may export or erase a person's data."))
    return get_object_or_404(leads_visible_to(request.user, include_converted=True), pk=pk)


class LeadExportView(APIView):
    @extend_schema(
        summary="Export a person's data (system admins)",
        description="The lead's fields, notes, history, engagement events, consent, campaign memberships, "
        "activities and emails as one JSON document. The export is recorded in the audit trail.",
        responses={200: OpenApiTypes.OBJECT, 403: SYSTEM_ADMINS},
    )
    def get(self, request, pk: int):
        lead = _admin_lead(request, pk)
        return Response(services.lead_export(lead=lead, acting_user=request.user))


class LeadEraseView(APIView):
    @extend_schema(
        summary="Erase a person's data (system admins)",
        description="Deletes the lead for good with its events, history, emails and consent lines; its address "
        "stays only as a hash on the suppression list. A converted lead answers 400.",
        request=None,
        responses={200: DataRequestSerializer, 400: FIELD_ERRORS, 403: SYSTEM_ADMINS},
    )
    def post(self, request, pk: int):
        lead = _admin_lead(request, pk)
        done = services.lead_erase(lead=lead, acting_user=request.user)
        return Response(DataRequestSerializer(done).data)
