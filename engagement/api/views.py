"""The engagement API: integrations report events; a lead's events, newest first."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.selectors import lead_is_editable_by

from .. import selectors, services
from .serializers import EngagementEventInputSerializer, EngagementEventSerializer


class EngagementEventCreateView(APIView):
    @extend_schema(
        summary="Report an engagement event",
        description="The lead is named by `lead` (id) or `email`. With an `external_id`, reporting the same "
        "event again answers the first one (200) and adds nothing.",
        request=EngagementEventInputSerializer,
        responses={
            201: EngagementEventSerializer,
            200: EngagementEventSerializer,
            400: OpenApiResponse(description="Field errors"),
        },
    )
    def post(self, request):
        data = EngagementEventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lead = selectors.lead_for_event(
            user=request.user, lead_id=values.pop("lead", None), email=values.pop("email", "")
        )
        if lead is None:
            field = "lead" if "lead" in request.data else "email"
            raise ValidationError({field: [_("No lead you can see has this id or email address.")]})
        if not lead_is_editable_by(lead, request.user):
            raise PermissionError(_("You may not add events to this lead."))
        event, created = services.engagement_event_record(lead=lead, source="api", acting_user=request.user, **values)
        return Response(
            EngagementEventSerializer(event).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema(summary="A lead's engagement events, newest first")
class LeadEngagementView(generics.ListAPIView):
    serializer_class = EngagementEventSerializer
    filter_backends: list = []

    def get_queryset(self):
        lead = selectors.visible_lead(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.lead_events(lead=lead)
