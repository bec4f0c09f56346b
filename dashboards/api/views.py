"""The dashboards API: dashboards shared with the caller (marketing admins create and change
them) and each component's data, run in the caller's sharing scope."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..models import Dashboard, DashboardComponent
from .serializers import (
    ComponentDataSerializer,
    ComponentInputSerializer,
    ComponentSerializer,
    DashboardInputSerializer,
    DashboardSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors")
FORBIDDEN = OpenApiResponse(description="Only marketing admins change dashboards.")
COMPONENT_ID = OpenApiParameter("component_id", int, OpenApiParameter.PATH)


class DashboardViewSet(viewsets.ViewSet):
    """Dashboards shared with the caller's role; marketing admins see and change all."""

    # For the schema: the type of the id in the path.
    queryset = Dashboard.objects.none()

    def _dashboard(self, request, pk):
        dashboard = selectors.dashboard_for(user=request.user, pk=pk)
        if dashboard is None:
            raise Http404
        return dashboard

    @extend_schema(responses=DashboardSerializer(many=True))
    def list(self, request):
        dashboards = selectors.dashboards_for(request.user).prefetch_related("components")
        return Response(DashboardSerializer(dashboards, many=True).data)

    @extend_schema(responses=DashboardSerializer)
    def retrieve(self, request, pk=None):
        return Response(DashboardSerializer(self._dashboard(request, pk)).data)

    @extend_schema(
        request=DashboardInputSerializer, responses={201: DashboardSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN}
    )
    def create(self, request):
        data = DashboardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dashboard = services.dashboard_create(**data.validated_data, acting_user=request.user)
        return Response(DashboardSerializer(dashboard).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DashboardInputSerializer, responses={200: DashboardSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN}
    )
    def update(self, request, pk=None):
        dashboard = self._dashboard(request, pk)
        data = DashboardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dashboard = services.dashboard_update(dashboard=dashboard, **data.validated_data, acting_user=request.user)
        return Response(DashboardSerializer(dashboard).data)

    @extend_schema(responses={204: None, 403: FORBIDDEN})
    def destroy(self, request, pk=None):
        services.dashboard_delete(dashboard=self._dashboard(request, pk), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ComponentInputSerializer, responses={201: ComponentSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN}
    )
    @action(detail=True, methods=["post"])
    def components(self, request, pk=None):
        """Add a component to the dashboard."""
        dashboard = self._dashboard(request, pk)
        data = ComponentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        component = services.component_create(dashboard=dashboard, data=data.validated_data, acting_user=request.user)
        return Response(ComponentSerializer(component).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[COMPONENT_ID],
        request=ComponentInputSerializer,
        responses={200: ComponentSerializer, 204: None, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["put", "delete"], url_path=r"components/(?P<component_id>\d+)")
    def component(self, request, pk=None, component_id=None):
        """Change or remove a component."""
        component = get_object_or_404(DashboardComponent, pk=component_id, dashboard=self._dashboard(request, pk))
        if request.method == "DELETE":
            services.component_delete(component=component, acting_user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = ComponentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        component = services.component_update(component=component, data=data.validated_data, acting_user=request.user)
        return Response(ComponentSerializer(component).data)

    @extend_schema(parameters=[COMPONENT_ID], responses=ComponentDataSerializer)
    @action(detail=True, methods=["get"], url_path=r"components/(?P<component_id>\d+)/data")
    def component_data(self, request, pk=None, component_id=None):
        """A component's chart, table and drill-down links, counting only leads the caller may read."""
        component = get_object_or_404(DashboardComponent, pk=component_id, dashboard=self._dashboard(request, pk))
        return Response(ComponentDataSerializer(selectors.component_data(user=request.user, component=component)).data)
