"""/api/tasks/, /api/events/, /api/calls/: reads start from the user-scoped selectors (a record the
user may not see is a 404), writes go through ``activities.services`` (400 with field errors)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..filters import CallFilter, EventFilter, TaskFilter
from .serializers import (
    CallInputSerializer,
    CallSerializer,
    EventInputSerializer,
    EventSerializer,
    TaskInputSerializer,
    TaskSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
NOT_EDITABLE = OpenApiResponse(description="You may see this activity but not change it.")


class _ActivityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    filter_backends = [DjangoFilterBackend]
    input_serializer_class: type = TaskInputSerializer
    visible = staticmethod(selectors.tasks_visible_to)
    create_service = staticmethod(services.task_create)
    update_service = staticmethod(services.task_update)
    delete_service = staticmethod(services.task_delete)
    instance_kwarg = "task"

    def get_queryset(self):
        return self.visible(self.request.user).order_by("-created_at", "-pk")

    def _input(self, *, partial: bool) -> dict:
        serializer = self.input_serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request, *args, **kwargs):
        activity = self.create_service(data=self._input(partial=False), acting_user=request.user)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=activity.pk)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        activity = self.get_object()
        data = self._input(partial=True)
        activity = self.update_service(**{self.instance_kwarg: activity}, data=data, acting_user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=activity.pk)).data)

    def destroy(self, request, *args, **kwargs):
        self.delete_service(**{self.instance_kwarg: self.get_object()}, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _schema(input_serializer, output_serializer):
    return extend_schema_view(
        create=extend_schema(request=input_serializer, responses={201: output_serializer, 400: FIELD_ERRORS}),
        update=extend_schema(
            request=input_serializer, responses={200: output_serializer, 400: FIELD_ERRORS, 403: NOT_EDITABLE}
        ),
        partial_update=extend_schema(
            request=input_serializer, responses={200: output_serializer, 400: FIELD_ERRORS, 403: NOT_EDITABLE}
        ),
        destroy=extend_schema(responses={204: None, 403: NOT_EDITABLE}),
    )


@_schema(TaskInputSerializer, TaskSerializer)
class TaskViewSet(_ActivityViewSet):
    """Tasks of the records the user may see, and the tasks assigned to them. Create with one of
    ``lead``, ``contact``, ``account``, ``opportunity``; ``POST /api/tasks/{id}/complete/`` completes."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter

    @extend_schema(request=None, responses={200: TaskSerializer, 403: NOT_EDITABLE})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = services.task_complete(task=self.get_object(), acting_user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=task.pk)).data)


@_schema(EventInputSerializer, EventSerializer)
class EventViewSet(_ActivityViewSet):
    """Events of the records the user may see, and those assigned to them or that they attend."""

    serializer_class = EventSerializer
    filterset_class = EventFilter
    input_serializer_class = EventInputSerializer
    visible = staticmethod(selectors.events_visible_to)
    create_service = staticmethod(services.event_create)
    update_service = staticmethod(services.event_update)
    delete_service = staticmethod(services.event_delete)
    instance_kwarg = "event"


@_schema(CallInputSerializer, CallSerializer)
class CallViewSet(_ActivityViewSet):
    """Logged calls of the records the user may see, and those assigned to them."""

    serializer_class = CallSerializer
    filterset_class = CallFilter
    input_serializer_class = CallInputSerializer
    visible = staticmethod(selectors.calls_visible_to)
    create_service = staticmethod(services.call_log)
    update_service = staticmethod(services.call_update)
    delete_service = staticmethod(services.call_delete)
    instance_kwarg = "call"
