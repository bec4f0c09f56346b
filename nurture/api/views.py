"""The nurture API. Every signed-in user reads sequences and enrols the leads they may change;
marketing admins build, pause and resume sequences (others get 403). Writes go through
``nurture.services``."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.selectors import leads_visible_to
from nurture import selectors, services
from nurture.models import NurtureEnrolment, NurtureStep

from .serializers import (
    EnrolInputSerializer,
    EnrolmentSerializer,
    EnrolResultSerializer,
    SequenceInputSerializer,
    SequenceSerializer,
    StepInputSerializer,
    StepSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
FORBIDDEN = OpenApiResponse(description="Only marketing admins may change sequences.")


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("Expected a JSON object.")]})
    return dict(request.data)


@extend_schema_view(
    list=extend_schema(summary="List nurture sequences"),
    retrieve=extend_schema(summary="A nurture sequence with its steps"),
    create=extend_schema(
        summary="Create a sequence (marketing admins)",
        description="It starts as a draft: add steps, then `resume` it to activate.",
        request=SequenceInputSerializer,
        responses={201: SequenceSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Change some settings of a sequence",
        request=SequenceInputSerializer,
        responses={200: SequenceSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    destroy=extend_schema(
        summary="Delete a sequence no lead is in", responses={204: None, 400: FIELD_ERRORS, 403: FORBIDDEN}
    ),
)
class SequenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SequenceSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.sequences_visible_to(self.request.user).prefetch_related("steps").order_by("id")

    def create(self, request, *args, **kwargs):
        sequence = services.sequence_create(data=_body(request), acting_user=request.user)
        return Response(SequenceSerializer(sequence).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        sequence = services.sequence_update(sequence=self.get_object(), data=_body(request), acting_user=request.user)
        return Response(SequenceSerializer(self.get_queryset().get(pk=sequence.pk)).data)

    def destroy(self, request, *args, **kwargs):
        services.sequence_delete(sequence=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _status(self, new_status: str) -> Response:
        sequence = services.sequence_set_status(
            sequence=self.get_object(), status=new_status, acting_user=self.request.user
        )
        return Response(SequenceSerializer(self.get_queryset().get(pk=sequence.pk)).data)

    @extend_schema(
        summary="Pause a sequence",
        description="Every open enrolment exits with the reason `sequence_paused` and nothing more is sent; "
        "a resumed sequence takes new enrolments.",
        request=None,
        responses={200: SequenceSerializer, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._status("paused")

    @extend_schema(
        summary="Activate or resume a sequence",
        request=None,
        responses={200: SequenceSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._status("active")

    @extend_schema(
        summary="Add a step",
        description="`kind`: email (`template`), wait (`wait_days`/`wait_hours`, or `wait_weekday` 0-6 and/or "
        "`wait_time`), branch (`condition`: criteria with `criteria` and `filter_logic`, score with `score_min`, "
        "opened or clicked with `ref_step`; `else_step` or exit when false) or action (`action`: exit, "
        "change_status, move_to_queue, notify_owner, add_to_campaign).",
        request=StepInputSerializer,
        responses={201: StepSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        body = _body(request)
        position = body.pop("position", None)
        if position is not None and (isinstance(position, bool) or not isinstance(position, int)):
            raise ValidationError({"position": [_("Expected a whole number.")]})
        step = services.step_create(sequence=self.get_object(), data=body, position=position, acting_user=request.user)
        return Response(StepSerializer(step).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        summary="Change a step",
        request=StepInputSerializer,
        responses={200: StepSerializer, 400: FIELD_ERRORS},
    )
    @extend_schema(methods=["DELETE"], summary="Delete a step", request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"steps/(?P<step_id>\d+)")
    def step(self, request, pk=None, step_id=None):
        sequence = self.get_object()
        found = get_object_or_404(NurtureStep, pk=step_id, sequence=sequence)
        if request.method == "DELETE":
            services.step_delete(step=found, acting_user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = _body(request)
        body.pop("kind", None)
        step = services.step_update(step=found, data=body, acting_user=request.user)
        return Response(StepSerializer(step).data)

    @extend_schema(methods=["GET"], summary="The sequence's enrolments", responses=EnrolmentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        summary="Enrol leads",
        description="Ids of leads you may change. Leads already in the sequence are listed in `already` and stay "
        "where they are; converted or opted-out leads and leads without an email are listed in `refused`.",
        request=EnrolInputSerializer,
        responses={201: EnrolResultSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def enrolments(self, request, pk=None):
        sequence = self.get_object()
        if request.method == "GET":
            rows = selectors.sequence_enrolments(sequence=sequence, user=request.user).select_related("sequence")
            page = self.paginate_queryset(rows)
            context = {"steps": {sequence.pk: list(sequence.steps.order_by("position"))}}
            return self.get_paginated_response(EnrolmentSerializer(page, many=True, context=context).data)
        data = EnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.enrol_leads(
            sequence=sequence,
            lead_ids=data.validated_data["lead_ids"],
            acting_user=request.user,
            source=NurtureEnrolment.Source.API,
        )
        return Response(
            EnrolResultSerializer(
                {"enrolled": result.enrolled, "already": result.already, "refused": result.refused}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class LeadEnrolmentsView(APIView):
    @extend_schema(
        summary="A lead's nurture enrolments",
        description="Each with its current step, next run time and, once ended, its exit reason.",
        responses=EnrolmentSerializer(many=True),
    )
    def get(self, request, pk: int):
        lead = get_object_or_404(leads_visible_to(request.user, include_converted=True), pk=pk)
        return Response(EnrolmentSerializer(selectors.lead_enrolments(lead=lead), many=True).data)


class EnrolmentActionView(APIView):
    """Pause, resume or remove one enrolment (``action`` from the URL)."""

    serializer_class = EnrolmentSerializer

    @extend_schema(
        summary="Pause, resume or remove an enrolment",
        request=None,
        responses={
            200: EnrolmentSerializer,
            400: FIELD_ERRORS,
            403: OpenApiResponse(description="You may not change this lead."),
        },
    )
    def post(self, request, pk: int, action: str):
        enrolment = get_object_or_404(
            NurtureEnrolment.objects.filter(lead__in=leads_visible_to(request.user)).select_related("lead", "sequence"),
            pk=pk,
        )
        service = {
            "pause": services.enrolment_pause,
            "resume": services.enrolment_resume,
            "remove": services.enrolment_remove,
        }[action]
        return Response(EnrolmentSerializer(service(enrolment=enrolment, acting_user=request.user)).data)
