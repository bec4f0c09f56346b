"""The consent API: a lead's or a contact's ledger (read by whoever sees the record; a grant or
withdrawal recorded by whoever may edit it), and a person's data export and erasure (system admins)."""

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
from sales.selectors import contacts_visible_to, record_is_editable_by

from .serializers import ConsentRecordInputSerializer, ConsentRecordSerializer, DataRequestSerializer

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
SYSTEM_ADMINS = OpenApiResponse(description="Only system admins may export or erase a person's data.")


class ConsentListView(GenericAPIView):
    serializer_class = ConsentRecordSerializer

    def get_queryset(self):
        rows = selectors.consent_records_visible_to(self.request.user)
        for name in ("lead", "contact"):
            raw = self.request.query_params.get(name, "")
            if raw:
                rows = rows.filter(**{f"{name}_id": int(raw) if raw.isdigit() else 0})
        return rows

    @extend_schema(
        summary="Consent ledger lines",
        description="The lines of the leads and contacts you can see, newest first; `?lead=<id>` for one lead's "
        "ledger, `?contact=<id>` for one contact's (with the lines it inherited from its lead).",
        parameters=[
            OpenApiParameter("lead", OpenApiTypes.INT, description="A lead id"),
            OpenApiParameter("contact", OpenApiTypes.INT, description="A contact id"),
        ],
        responses=ConsentRecordSerializer(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ConsentRecordSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a grant or a withdrawal",
        description="Appends a line (source `api`) to the ledger of the `lead` or the `contact` (give one). "
        "The newest line wins; at the same time a withdrawal wins. A marketing email withdrawal sets the "
        "record's email opt-out (and ends a lead's sequences).",
        request=ConsentRecordInputSerializer,
        responses={201: ConsentRecordSerializer, 400: FIELD_ERRORS},
    )
    def post(self, request):
        data = ConsentRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lead_id, contact_id = values.pop("lead", None), values.pop("contact", None)
        person = {}
        if lead_id is not None:
            lead = leads_visible_to(request.user).filter(pk=lead_id).first()
            if lead is None:
                raise ValidationError({"lead": [_("Choose a lead you can see.")]})
            if not lead_is_editable_by(lead, request.user):
                raise PermissionDenied(_("You may not change this lead."))
            person["lead"] = lead
        else:
            contact = contacts_visible_to(request.user).filter(pk=contact_id).first()
            if contact is None:
                raise ValidationError({"contact": [_("Choose a contact you can see.")]})
            if not record_is_editable_by(contact, request.user):
                raise PermissionDenied(_("You may not change this contact."))
            person["contact"] = contact
        text_id = values.pop("text", None)
        text = None
        if text_id is not None:
            text = ConsentText.objects.filter(pk=text_id).first()
            if text is None:
                raise ValidationError({"text": [_("Choose a version of the consent text.")]})
        line = services.consent_record(
            **person,
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
        description="Deletes the lead for good with its events, history, emails and consent lines; a converted "
        "lead's contact has its personal data erased too (the contact record, accounts and opportunities stay). "
        "Its addresses stay only as hashes on the suppression list.",
        request=None,
        responses={200: DataRequestSerializer, 400: FIELD_ERRORS, 403: SYSTEM_ADMINS},
    )
    def post(self, request, pk: int):
        lead = _admin_lead(request, pk)
        done = services.lead_erase(lead=lead, acting_user=request.user)
        return Response(DataRequestSerializer(done).data)


def _admin_contact(request, pk: int):
    if not is_system_admin(request.user):
        raise PermissionDenied(_("Only system admins may export or erase a person's data."))
    return get_object_or_404(contacts_visible_to(request.user), pk=pk)


class ContactExportView(APIView):
    @extend_schema(
        summary="Export a contact's data (system admins)",
        description="The contact's fields, history, engagement events, consent, campaign memberships, activities "
        "and emails, with the leads it was converted from, as one JSON document. Recorded in the audit trail.",
        responses={200: OpenApiTypes.OBJECT, 403: SYSTEM_ADMINS},
    )
    def get(self, request, pk: int):
        return Response(services.contact_export(contact=_admin_contact(request, pk), acting_user=request.user))


class ContactEraseView(APIView):
    @extend_schema(
        summary="Erase a contact's data (system admins)",
        description="Empties the contact's personal fields (the record stays for its opportunities' contact "
        "roles) and deletes its events, history, emails, consent lines, activities and memberships, and the "
        "leads it was converted from; accounts and opportunities are kept. Its address stays only as a hash "
        "on the suppression list. A contact erased already answers 400.",
        request=None,
        responses={200: DataRequestSerializer, 400: FIELD_ERRORS, 403: SYSTEM_ADMINS},
    )
    def post(self, request, pk: int):
        done = services.contact_erase(contact=_admin_contact(request, pk), acting_user=request.user)
        return Response(DataRequestSerializer(done).data)
