"""REST API of lead routing: queues, their leads, Accept Next, and accepting a queued lead."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import NoCountPagination
from core.roles import is_marketing_admin

from ..api.serializers import LeadSerializer
from ..models import Lead, Queue
from ..selectors import leads_visible_to, queues_of
from . import selectors, services


class QueueSerializer(serializers.ModelSerializer):
    waiting = serializers.SerializerMethodField(
        help_text=f"Leads waiting, counted up to {selectors.WAITING_COUNT_LIMIT + 1}."
    )
    is_member = serializers.SerializerMethodField()

    class Meta:
        model = Queue
        fields = ["id", "name", "email", "waiting", "is_member"]

    def get_waiting(self, queue) -> int:
        return getattr(queue, "waiting", 0)

    def get_is_member(self, queue) -> bool:
        return queue.pk in self.context.get("member_ids", set())


def _lead_answer(request, lead: Lead, code: int = status.HTTP_200_OK) -> Response:
    fresh = Lead.objects.select_related("owner_user", "owner_queue", "created_by", "last_modified_by").get(pk=lead.pk)
    return Response(LeadSerializer(fresh, context={"request": request}).data, status=code)


class QueueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Queues the caller belongs to (marketing admins: every queue)."""

    serializer_class = QueueSerializer
    pagination_class = NoCountPagination
    lookup_value_regex = r"\d+"
    queryset = Queue.objects.none()

    def get_queryset(self):
        base = Queue.objects.all()
        if not is_marketing_admin(self.request.user):
            base = base.filter(pk__in=queues_of(self.request.user).values("pk"))
        return selectors._with_waiting(base).order_by("name")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self.request, "user", None) and self.request.user.is_authenticated:
            context["member_ids"] = set(queues_of(self.request.user).values_list("pk", flat=True))
        return context

    def get_object(self) -> Queue:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(summary="The queue's leads, oldest arrival first", responses={200: LeadSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def leads(self, request, pk=None):
        queue = self.get_object()
        paginator = NoCountPagination()
        rows = paginator.paginate_queryset(
            selectors.queue_leads(user=request.user, queue=queue).select_related(
                "owner_user", "created_by", "last_modified_by"
            ),
            request,
            view=self,
        )
        return paginator.get_paginated_response(LeadSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Accept the queue's oldest lead",
        description="The caller becomes the owner of the oldest waiting lead. Two callers at the same moment never "
        "get the same lead. 204 when the queue is empty.",
        request=None,
        responses={
            200: LeadSerializer,
            204: OpenApiResponse(description="The queue is empty."),
            403: OpenApiResponse(),
        },
    )
    @action(detail=True, methods=["post"], url_path="accept-next")
    def accept_next(self, request, pk=None):
        queue = self.get_object()
        lead = services.queue_accept_next(queue=queue, acting_user=request.user)
        if lead is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return _lead_answer(request, lead)


class LeadAcceptView(APIView):
    """POST /api/leads/{id}/accept/: a member of the lead's queue becomes its owner."""

    @extend_schema(
        summary="Accept a lead waiting in one of your queues",
        request=None,
        responses={200: LeadSerializer, 400: OpenApiResponse(description="Not in a queue."), 403: OpenApiResponse()},
    )
    def post(self, request, pk: int):
        lead = get_object_or_404(leads_visible_to(request.user), pk=pk)
        return _lead_answer(request, services.lead_accept(lead=lead, acting_user=request.user))
