"""Core API endpoints: API tokens, picklist values and the Recycle Bin."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import registry
from core.auth import client_address, login_failed, login_succeeded, login_wait, throttled_message
from core.fields import field_label
from core.models import ApiToken, FieldDefinition, PicklistValue
from core.preferences import user_profile, user_profile_update
from core.recycle_bin import recycle_bin_purge
from core.selectors import recycle_bin_entries
from core.services import field_definition_update
from core.tokens import api_token_create, api_token_revoke, api_tokens_of

from .serializers import (
    ApiTokenSerializer,
    FieldDefinitionSerializer,
    FieldDefinitionUpdateSerializer,
    PicklistSerializer,
    ProfileSerializer,
    RecycleBinEntrySerializer,
    RestoredRecordSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)

BAD_CREDENTIALS = "Unable to log in with the given username and password."


class TokenView(APIView):
    """Exchange a username and password for an API token, with the login page's throttling."""

    # No session or token is needed (or wanted) to ask for a token; this also skips CSRF.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Missing fields or wrong username or password."),
            429: OpenApiResponse(description="Too many failed logins for this account or address."),
        },
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        address = client_address(request)
        wait = login_wait(username, address)
        if wait:
            raise Throttled(wait=wait, detail=throttled_message(wait))
        user = authenticate(request._request, username=username, password=serializer.validated_data["password"])
        if user is None or not user.is_active:
            login_failed(username, address)
            raise serializers.ValidationError({"non_field_errors": [BAD_CREDENTIALS]})
        login_succeeded(username, address)
        token, key = api_token_create(user=user)
        return Response({"token": key, "expires_at": token.expires_at}, status=status.HTTP_200_OK)


class LogoutView(APIView):
    """Revoke the token this request is made with."""

    @extend_schema(
        operation_id="auth_logout",
        summary="Revoke the token of this request",
        request=None,
        responses={204: None, 401: OpenApiResponse(description="No valid token.")},
        tags=["auth"],
    )
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            api_token_revoke(token_id=request.auth.pk, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenListView(APIView):
    """Your live API tokens (the keys themselves are never shown again)."""

    @extend_schema(
        operation_id="auth_tokens_list",
        summary="Your API tokens",
        responses=ApiTokenSerializer(many=True),
        tags=["auth"],
    )
    def get(self, request):
        tokens = api_tokens_of(user=request.user)
        return Response(ApiTokenSerializer(tokens, many=True, context={"auth": request.auth}).data)


class ApiTokenDetailView(APIView):
    @extend_schema(
        operation_id="auth_tokens_destroy",
        summary="Revoke one of your API tokens",
        responses={204: None, 404: OpenApiResponse(description="You have no such token.")},
        tags=["auth"],
    )
    def delete(self, request, pk: int):
        if not api_token_revoke(token_id=pk, acting_user=request.user):
            raise NotFound(_("You have no such token."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PicklistView(APIView):
    """Picklist values grouped by object and field (standard and custom picklists)."""

    @extend_schema(
        operation_id="picklists_list",
        parameters=[
            OpenApiParameter("object", OpenApiTypes.STR, description="Only this object, e.g. lead."),
            OpenApiParameter("field", OpenApiTypes.STR, description="Only this field's API name, e.g. status."),
            OpenApiParameter(
                "active", OpenApiTypes.BOOL, description="true: active values only; false: inactive only."
            ),
        ],
        responses=PicklistSerializer(many=True),
        tags=["picklists"],
    )
    def get(self, request):
        values = PicklistValue.objects.order_by("object_name", "field_name", "sort_order", "id")
        labels = FieldDefinition.objects.all()
        object_name = request.query_params.get("object", "").strip()
        field_name = request.query_params.get("field", "").strip()
        active = request.query_params.get("active", "").strip().lower()
        if object_name:
            values = values.filter(object_name=object_name)
            labels = labels.filter(object_name=object_name)
        if field_name:
            values = values.filter(field_name=field_name)
            labels = labels.filter(api_name=field_name)
        if active in {"true", "1", "yes"}:
            values = values.filter(is_active=True)
        elif active in {"false", "0", "no"}:
            values = values.filter(is_active=False)
        elif active:
            raise serializers.ValidationError({"active": [_("Use true or false.")]})
        label_of = {(d.object_name, d.api_name): field_label(d) for d in labels}
        groups: dict[tuple[str, str], dict] = {}
        for value in values:
            key = (value.object_name, value.field_name)
            group = groups.setdefault(
                key,
                {"object": key[0], "field": key[1], "field_label": label_of.get(key, key[1]), "values": []},
            )
            group["values"].append(value)
        return Response(PicklistSerializer(list(groups.values()), many=True).data)


class FieldDefinitionView(APIView):
    """One field's metadata; admins change it with PATCH (the same rules as the field setup page)."""

    def _definition(self, object_name: str, api_name: str) -> FieldDefinition:
        definition = FieldDefinition.objects.filter(object_name=object_name, api_name=api_name).first()
        if definition is None:
            raise NotFound(_("No such field."))
        return definition

    @extend_schema(operation_id="fields_retrieve", responses=FieldDefinitionSerializer, tags=["fields"])
    def get(self, request, object_name: str, api_name: str):
        return Response(FieldDefinitionSerializer(self._definition(object_name, api_name)).data)

    @extend_schema(
        operation_id="fields_partial_update",
        request=FieldDefinitionUpdateSerializer,
        responses=FieldDefinitionSerializer,
        tags=["fields"],
    )
    def patch(self, request, object_name: str, api_name: str):
        definition = self._definition(object_name, api_name)
        changes = FieldDefinitionUpdateSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        definition = field_definition_update(definition=definition, acting_user=request.user, **changes.validated_data)
        return Response(FieldDefinitionSerializer(definition).data)


NOT_IN_BIN = OpenApiResponse(description="No such entry in your Recycle Bin.")


class RecycleBinView(APIView):
    """Deleted records the caller may restore: admins see all; others what they deleted or owned."""

    @extend_schema(
        operation_id="recycle_bin_list",
        summary="Deleted records in your Recycle Bin",
        parameters=[OpenApiParameter("object", OpenApiTypes.STR, description="Only this object, e.g. lead.")],
        responses=RecycleBinEntrySerializer(many=True),
        tags=["recycle-bin"],
    )
    def get(self, request):
        object_name = request.query_params.get("object", "").strip()
        if object_name and registry.recyclable(object_name) is None:
            names = ", ".join(spec.name for spec in registry.recyclable_objects())
            raise serializers.ValidationError({"object": [_("Choose one of: %(names)s.") % {"names": names}]})
        entries = recycle_bin_entries(user=request.user, object_name=object_name or None)[:500]
        return Response(RecycleBinEntrySerializer(entries, many=True).data)


def _entry(request, pk: int):
    entry = recycle_bin_entries(user=request.user).filter(pk=pk).first()
    if entry is None:
        raise NotFound(_("No such entry in your Recycle Bin."))
    return entry


class RecycleBinEntryView(APIView):
    @extend_schema(
        operation_id="recycle_bin_destroy",
        summary="Delete a record permanently",
        description="Removes the entry from the Recycle Bin; the record cannot be restored afterwards.",
        responses={204: None, 404: NOT_IN_BIN},
        tags=["recycle-bin"],
    )
    def delete(self, request, pk: int):
        recycle_bin_purge(entry=_entry(request, pk), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecycleBinRestoreView(APIView):
    @extend_schema(
        operation_id="recycle_bin_restore",
        summary="Restore a deleted record",
        description="The record comes back under its old id, with what was deleted with it and its history.",
        request=None,
        responses={
            200: RestoredRecordSerializer,
            400: OpenApiResponse(description="Why it cannot be restored."),
            403: OpenApiResponse(description="You may not restore records of this object."),
            404: NOT_IN_BIN,
        },
        tags=["recycle-bin"],
    )
    def post(self, request, pk: int):
        entry = _entry(request, pk)
        spec = registry.recyclable(entry.object_name)
        if spec is None:
            raise NotFound(_("Records of this kind cannot be restored."))
        record = spec.restore(entry=entry, acting_user=request.user)
        return Response({"object": entry.object_name, "record_id": record.pk})


class MeView(APIView):
    """The signed-in user's own profile: name, email, language, time zone and email signature."""

    @extend_schema(operation_id="me_retrieve", responses=ProfileSerializer, tags=["auth"])
    def get(self, request):
        return Response(ProfileSerializer(user_profile(user=request.user)).data)

    @extend_schema(
        operation_id="me_partial_update",
        request=ProfileSerializer,
        responses={200: ProfileSerializer, 400: OpenApiResponse(description="Field errors.")},
        tags=["auth"],
    )
    def patch(self, request):
        changes = ProfileSerializer(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        profile = user_profile_update(user=request.user, data=changes.validated_data, acting_user=request.user)
        return Response(ProfileSerializer(profile).data)
