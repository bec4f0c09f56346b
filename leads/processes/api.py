"""``/api/lead-record-types/``: lead record types with their process (statuses in order, each
with its path guidance and key fields) and page layout; writes for setup admins, through the
services that the setup pages use."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.serializers import validated_input
from core.models import RecordType
from core.roles import ROLES, require_setup_admin

from . import selectors, services

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
SETUP_ONLY = OpenApiResponse(description="Only marketing and system admins change the setup.")


class ProcessStepSerializer(serializers.Serializer):
    status = serializers.CharField(source="api_name", help_text=gettext_lazy("The Lead Status API name."))
    label = serializers.CharField()
    is_converted = serializers.BooleanField(help_text=gettext_lazy("Reached only by converting the lead."))
    is_closed = serializers.BooleanField(help_text=gettext_lazy("Ends the path; needs an Unqualified Reason."))
    guidance = serializers.CharField(help_text=gettext_lazy("Guidance for success shown at this step (plain text)."))
    key_fields = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("Lead field API names."))


class LeadRecordTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    is_active = serializers.BooleanField(required=False)
    is_org_default = serializers.BooleanField(
        required=False, help_text=gettext_lazy("The organisation's default lead record type (one at most).")
    )
    layout_sections = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=gettext_lazy(
            "Sections shown on the lead page and form: info, address, additional, custom (none: all)."
        ),
    )
    statuses = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        write_only=True,
        help_text=gettext_lazy("The lead process: Lead Status API names in the path's order."),
    )
    process = serializers.SerializerMethodField()

    @extend_schema_field(ProcessStepSerializer(many=True))
    def get_process(self, record_type) -> list[dict]:
        return ProcessStepSerializer(selectors.lead_process(record_type), many=True).data


class PathStepInputSerializer(serializers.Serializer):
    status = serializers.CharField(help_text=gettext_lazy("The Lead Status API name of the step."))
    guidance = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    key_fields = serializers.ListField(child=serializers.CharField(), required=False)


class RecordTypeDefaultSerializer(serializers.Serializer):
    user = serializers.IntegerField(required=False, allow_null=True, help_text=gettext_lazy("A user id."))
    role = serializers.ChoiceField(choices=ROLES, required=False, allow_null=True)
    record_type = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The lead record type id; null clears the default.")
    )


class RoleRecordTypesSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ROLES)
    record_types = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        help_text=gettext_lazy("Ids of the lead record types the role may use; empty: every active one."),
    )
    default = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text=gettext_lazy("The role's default lead record type (one of them); null: none."),
    )


class AvailableRecordTypesSerializer(serializers.Serializer):
    record_types = LeadRecordTypeSerializer(many=True)
    default = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("What a new lead gets if none is sent."))


def _role_answer(row) -> dict:
    return {
        "role": row.role.name,
        "record_types": [r.pk for r in row.record_types],
        "default": row.default.pk if row.default is not None else None,
    }


def _record_type_values(data: dict) -> dict:
    keys = ("name", "description", "is_active", "is_org_default", "layout_sections", "statuses")
    return {key: data[key] for key in keys if key in data}


@extend_schema_view(
    list=extend_schema(summary="List lead record types with their processes and layouts"),
    retrieve=extend_schema(summary="Read a lead record type"),
)
class LeadRecordTypeViewSet(viewsets.ViewSet):
    """Lead record types. Everyone signed in reads them (a new lead takes one); setup admins write."""

    serializer_class = LeadRecordTypeSerializer
    lookup_value_regex = r"\d+"

    def _get(self, pk) -> RecordType:
        return get_object_or_404(selectors.lead_record_type_list(), pk=pk)

    def _answer(self, record_type: RecordType, code: int = status.HTTP_200_OK) -> Response:
        return Response(LeadRecordTypeSerializer(self._get(record_type.pk)).data, status=code)

    def list(self, request):
        return Response(LeadRecordTypeSerializer(selectors.lead_record_type_list().order_by("name"), many=True).data)

    def retrieve(self, request, pk=None):
        return Response(LeadRecordTypeSerializer(self._get(pk)).data)

    @extend_schema(
        summary="Create a lead record type (admins)",
        request=LeadRecordTypeSerializer,
        responses={201: LeadRecordTypeSerializer, 400: FIELD_ERRORS, 403: SETUP_ONLY},
    )
    def create(self, request):
        values = _record_type_values(validated_input(LeadRecordTypeSerializer, request))
        record_type = services.lead_record_type_create(**values, acting_user=request.user)
        return self._answer(record_type, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a lead record type, its process or its layout (admins)",
        request=LeadRecordTypeSerializer,
        responses={200: LeadRecordTypeSerializer, 400: FIELD_ERRORS, 403: SETUP_ONLY},
    )
    def partial_update(self, request, pk=None):
        record_type = self._get(pk)
        values = _record_type_values(validated_input(LeadRecordTypeSerializer, request, partial=True))
        record_type = services.lead_record_type_update(record_type=record_type, **values, acting_user=request.user)
        return self._answer(record_type)

    @extend_schema(
        summary="Set the path guidance and key fields of one status (admins)",
        request=PathStepInputSerializer,
        responses={200: LeadRecordTypeSerializer, 400: FIELD_ERRORS, 403: SETUP_ONLY},
    )
    @action(detail=True, methods=["post"], url_path="path-steps")
    def path_steps(self, request, pk=None):
        record_type = self._get(pk)
        data = validated_input(PathStepInputSerializer, request)
        services.lead_path_step_set(
            record_type=record_type,
            status=data["status"],
            guidance=data.get("guidance", ""),
            key_fields=data.get("key_fields", []),
            acting_user=request.user,
        )
        return self._answer(record_type)

    @extend_schema(
        summary="Set or clear the default lead record type of a user or a role (admins)",
        request=RecordTypeDefaultSerializer,
        responses={204: None, 400: FIELD_ERRORS, 403: SETUP_ONLY},
    )
    @action(detail=False, methods=["post"], url_path="defaults")
    def defaults(self, request):
        data = validated_input(RecordTypeDefaultSerializer, request)
        errors = {}
        user = group = record_type = None
        if data.get("user") is not None:
            user = get_user_model().objects.filter(pk=data["user"]).first()
            if user is None:
                errors["user"] = [gettext_lazy("Choose an active user.")]
        if data.get("role"):
            group = Group.objects.filter(name=data["role"]).first()
        if data["record_type"] is not None:
            record_type = selectors.lead_record_type_get(data["record_type"])
            if record_type is None:
                errors["record_type"] = [gettext_lazy("Choose an active lead record type.")]
        if errors:
            raise serializers.ValidationError(errors)
        services.lead_record_type_default_set(record_type=record_type, user=user, group=group, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The lead record types you may give a lead, and your default",
        responses={200: AvailableRecordTypesSerializer},
    )
    @action(detail=False, methods=["get"], url_path="available")
    def available(self, request):
        record_types = selectors.lead_record_types_for(user=request.user).prefetch_related("lead_path_steps__status")
        default = selectors.lead_record_type_default(user=request.user)
        return Response(
            {
                "record_types": LeadRecordTypeSerializer(record_types, many=True).data,
                "default": default.pk if default is not None else None,
            }
        )

    @extend_schema(
        methods=["GET"],
        summary="The lead record types each role may use, with its default (admins)",
        responses={200: RoleRecordTypesSerializer(many=True), 403: SETUP_ONLY},
    )
    @extend_schema(
        methods=["POST"],
        summary="Set the lead record types a role may use and its default (admins)",
        request=RoleRecordTypesSerializer,
        responses={200: RoleRecordTypesSerializer, 400: FIELD_ERRORS, 403: SETUP_ONLY},
    )
    @action(detail=False, methods=["get", "post"], url_path="roles")
    def roles(self, request):
        require_setup_admin(request.user)
        if request.method == "GET":
            return Response([_role_answer(row) for row in selectors.lead_record_types_by_role()])
        data = validated_input(RoleRecordTypesSerializer, request)
        known = {r.pk: r for r in selectors.lead_record_types()}
        errors = {}
        unknown = [pk for pk in data["record_types"] if pk not in known]
        if unknown:
            errors["record_types"] = [gettext_lazy("Choose active lead record types.")]
        default = None
        if data.get("default") is not None:
            default = known.get(data["default"])
            if default is None:
                errors["default"] = [gettext_lazy("Choose an active lead record type.")]
        group = Group.objects.filter(name=data["role"]).first()
        if group is None:
            errors["role"] = [gettext_lazy("This role has not been set up yet.")]
        if errors:
            raise serializers.ValidationError(errors)
        services.lead_record_type_access_set(
            group=group,
            record_types=[known[pk] for pk in data["record_types"]],
            default=default,
            acting_user=request.user,
        )
        row = next(r for r in selectors.lead_record_types_by_role() if r.role.pk == group.pk)
        return Response(_role_answer(row))
