"""The list views API (``/api/list-views/``), the lead list's ``?list_view=`` and the CSV export
(``/api/leads/export.csv``). Writes go through ``leads.listviews.services``; every read starts from
the list views and leads the caller may see."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import display_name, require_export

from .export import export_response, export_spec
from .models import ListView
from .selectors import list_view_for, list_view_is_editable_by, list_view_params, list_views_visible_to
from .services import SCOPES, UNSET, list_view_clone, list_view_create, list_view_delete, list_view_update

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
NOT_FOUND = OpenApiResponse(description="No such list view, or not one you may see.")
NOT_YOURS = OpenApiResponse(description="Only the owner or an admin may change or delete it.")
NO_EXPORT = OpenApiResponse(description="Exporting needs the Export permission.")
LIST_VIEW_PARAM = OpenApiParameter(
    "list_view",
    OpenApiTypes.INT,
    description="A saved list view you may see: its filters, sort and starting view apply; other parameters "
    "given here take precedence. One you may not see answers 400.",
)


def list_view_of_request(request) -> ListView | None:
    """The list view named by ``?list_view=``, or None; 400 when it is not one the caller may see."""
    raw = request.query_params.get("list_view", "")
    if not raw:
        return None
    # Read once per request: the queryset and the filter backend both ask.
    cached = getattr(request, "_lead_list_view", None)
    if cached is not None and str(cached.pk) == raw:
        return cached
    try:
        request._lead_list_view = list_view_for(user=request.user, pk=int(raw))
    except (ValueError, Http404):
        raise serializers.ValidationError({"list_view": [_("No such list view, or not one you may see.")]}) from None
    return request._lead_list_view


class LeadListFilterBackend(DjangoFilterBackend):
    """The lead FilterSet, fed with a saved list view's filters and sort when ``?list_view=`` names one."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        list_view = list_view_of_request(request)
        if list_view is not None:
            kwargs["data"] = list_view_params(list_view, request.query_params)
        return kwargs


class OwnerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ListViewSerializer(serializers.ModelSerializer):
    """A saved list view of leads. ``filters`` are the lead list's filter parameters
    (``{"status": ["Working"], "q": ["acme"]}``), ``columns`` the column keys in order, ``ordering`` the
    sort (``-created_at``; comma-separated for several). ``sharing`` beyond ``private`` is for admins."""

    owner = serializers.SerializerMethodField()
    columns = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    filters = serializers.DictField(required=False, help_text=gettext_lazy("Filter names to a value or a list."))
    scope = serializers.ChoiceField(
        choices=SCOPES, required=False, help_text=gettext_lazy("The standard view it starts from.")
    )
    shared_role = serializers.PrimaryKeyRelatedField(queryset=Group.objects.all(), allow_null=True, required=False)
    editable = serializers.SerializerMethodField()

    class Meta:
        model = ListView
        fields = [
            "id",
            "name",
            "scope",
            "filters",
            "columns",
            "ordering",
            "sharing",
            "shared_role",
            "owner",
            "editable",
            "created_at",
            "last_modified_at",
        ]
        read_only_fields = ["id", "owner", "editable", "created_at", "last_modified_at"]
        # The service checks names (length, uniqueness per owner) with the pages' messages.
        extra_kwargs = {"name": {"max_length": None}, "ordering": {"max_length": None, "required": False}}
        validators: list = []

    @extend_schema_field(OwnerRefSerializer)
    def get_owner(self, list_view: ListView) -> dict:
        return {"id": list_view.owner_id, "name": display_name(list_view.owner)}

    def get_editable(self, list_view: ListView) -> bool:
        return list_view_is_editable_by(list_view, self.context["request"].user)


@extend_schema_view(
    list=extend_schema(
        summary="List views you may see",
        description="Your own, and those shared with everyone or with one of your roles (admins: every shared one).",
    ),
    retrieve=extend_schema(summary="Read a list view", responses={200: ListViewSerializer, 404: NOT_FOUND}),
    create=extend_schema(summary="Save a list view", responses={201: ListViewSerializer, 400: FIELD_ERRORS}),
    update=extend_schema(
        summary="Replace a list view",
        responses={200: ListViewSerializer, 400: FIELD_ERRORS, 403: NOT_YOURS, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change a list view (rename, filters, columns, sort, sharing)",
        responses={200: ListViewSerializer, 400: FIELD_ERRORS, 403: NOT_YOURS, 404: NOT_FOUND},
    ),
    destroy=extend_schema(summary="Delete a list view", responses={204: None, 403: NOT_YOURS, 404: NOT_FOUND}),
)
class ListViewViewSet(viewsets.ModelViewSet):
    serializer_class = ListViewSerializer
    parser_classes = [JSONParser]
    lookup_value_regex = r"\d+"
    queryset = ListView.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        return list_views_visible_to(self.request.user)

    def _answer(self, list_view: ListView, code: int = status.HTTP_200_OK) -> Response:
        # The caller just wrote it; answered even if the change of sharing hides it from them now.
        fresh = ListView.objects.select_related("owner", "shared_role").get(pk=list_view.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        list_view = list_view_create(
            name=values["name"],
            columns=values["columns"],
            filters=values.get("filters") or {},
            ordering=values.get("ordering", ""),
            scope=values.get("scope", "all"),
            sharing=values.get("sharing", ListView.Sharing.PRIVATE),
            shared_role=values.get("shared_role"),
            acting_user=request.user,
        )
        return self._answer(list_view, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        list_view = self.get_object()
        serializer = self.get_serializer(list_view, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        changes = {
            key: values.get(key, UNSET)
            for key in ("name", "columns", "filters", "ordering", "scope", "sharing", "shared_role")
        }
        if not partial:
            # A full replacement: what is left out takes its default.
            changes.update(
                {
                    "filters": values.get("filters") or {},
                    "ordering": values.get("ordering", ""),
                    "scope": values.get("scope", "all"),
                    "sharing": values.get("sharing", ListView.Sharing.PRIVATE),
                    "shared_role": values.get("shared_role"),
                }
            )
        list_view = list_view_update(list_view=list_view, acting_user=request.user, **changes)
        return self._answer(list_view)

    def destroy(self, request, *args, **kwargs):
        list_view_delete(list_view=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Clone a list view",
        description="A private copy owned by you, named `name` (default: Copy of …).",
        request=inline_serializer("ListViewClone", {"name": serializers.CharField(required=False)}),
        responses={201: ListViewSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def clone(self, request, pk=None):
        source = self.get_object()
        data = request.data if isinstance(request.data, dict) else {}
        name = data.get("name") or _("Copy of %(name)s") % {"name": source.name}
        if not isinstance(name, str):
            raise serializers.ValidationError({"name": [_("Enter text.")]})
        clone = list_view_clone(list_view=source, name=name, acting_user=request.user)
        return self._answer(clone, status.HTTP_201_CREATED)


class LeadExportView(APIView):
    """``GET /api/leads/export.csv``: the leads as CSV, streamed."""

    @extend_schema(
        summary="Export leads as CSV",
        description="The leads you may see as a CSV file, streamed: a saved list view (`list_view`) with its "
        "filters, columns and sort, or the lead list with the filters given here (`view`, `status`, `q`, "
        "`ordering`, ...). `columns` (comma-separated keys) chooses the columns. Cells that would start a "
        "spreadsheet formula are prefixed with a quote. Needs the Export permission.",
        parameters=[
            LIST_VIEW_PARAM,
            OpenApiParameter("columns", OpenApiTypes.STR, description="Comma-separated column keys, in order."),
            OpenApiParameter("view", OpenApiTypes.STR, enum=SCOPES, description="The standard view to start from."),
            OpenApiParameter("ordering", OpenApiTypes.STR, description="Sort column, `-` for descending."),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            400: FIELD_ERRORS,
            403: NO_EXPORT,
        },
    )
    def get(self, request):
        require_export(request.user)
        list_view = list_view_of_request(request)
        try:
            spec = export_spec(user=request.user, params=request.query_params, list_view=list_view)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return export_response(spec)
