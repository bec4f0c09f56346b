"""The conversion API: convert one lead, or up to 100 leads in one request (each on its own)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from conversion.services import BULK_LIMIT, lead_convert, lead_convert_bulk
from leads.selectors import leads_visible_to

from .serializers import (
    BulkConvertSerializer,
    BulkItemSerializer,
    BulkResponseSerializer,
    ConversionSerializer,
    ConvertSerializer,
    options_from,
)


class LeadConvertView(APIView):
    """Convert a lead into an account, a contact and optionally an opportunity (one transaction)."""

    @extend_schema(
        operation_id="leads_convert",
        request=ConvertSerializer,
        responses={
            201: ConversionSerializer,
            400: OpenApiResponse(description="Field errors: {option or object: [messages]}; nothing was written."),
            403: OpenApiResponse(description="You may not edit this lead."),
            404: OpenApiResponse(description="No such lead, or you may not see it."),
        },
        tags=["conversion"],
    )
    def post(self, request, pk: int):
        lead = get_object_or_404(
            leads_visible_to(request.user, include_converted=True).select_related("owner_user"), pk=pk
        )
        serializer = ConvertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            conversion = lead_convert(lead=lead, acting_user=request.user, options=serializer.to_options())
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(ConversionSerializer(conversion).data, status=status.HTTP_201_CREATED)


class LeadBulkConvertView(APIView):
    """Convert up to 100 leads; each conversion is atomic on its own and one failing stops no other."""

    @extend_schema(
        operation_id="leads_convert_bulk",
        request=BulkConvertSerializer,
        responses={
            200: BulkResponseSerializer,
            400: OpenApiResponse(description=f"Malformed request, or more than {BULK_LIMIT} leads."),
        },
        tags=["conversion"],
    )
    def post(self, request):
        raw = request.data.get("leads") if isinstance(request.data, dict) else None
        if not isinstance(raw, list) or not raw:
            return Response(
                {"leads": ['Send a list of 1 to 100 leads to convert, e.g. {"leads": [{"id": 1}]}.']},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if len(raw) > BULK_LIMIT:
            return Response(
                {"leads": [f"Convert at most {BULK_LIMIT} leads per request (got {len(raw)})."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # Each item is checked on its own: a malformed item fails alone, like a failing conversion.
        payload: list[dict | None] = [None] * len(raw)
        items, positions = [], []
        for position, item in enumerate(raw):
            serializer = BulkItemSerializer(data=item)
            if serializer.is_valid():
                items.append((serializer.validated_data["id"], options_from(serializer.validated_data)))
                positions.append(position)
            else:
                lead_id = item.get("id") if isinstance(item, dict) else None
                payload[position] = _result(lead_id if isinstance(lead_id, int) else None, None, serializer.errors)
        for position, result in zip(positions, lead_convert_bulk(items=items, acting_user=request.user), strict=True):
            payload[position] = _result(result.lead_id, result.conversion, result.errors)
        succeeded = sum(1 for r in payload if r["success"])
        return Response({"converted": succeeded, "failed": len(payload) - succeeded, "results": payload})


def _result(lead_id, conversion, errors) -> dict:
    return {
        "lead": lead_id,
        "success": conversion is not None,
        "account": conversion.account_id if conversion else None,
        "contact": conversion.contact_id if conversion else None,
        "opportunity": conversion.opportunity_id if conversion else None,
        "errors": errors or None,
    }
