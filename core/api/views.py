"""Core API endpoints: API tokens and picklist values."""

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.auth import THROTTLED_MESSAGE, client_address, login_blocked, login_failed, login_succeeded
from core.models import FieldDefinition, PicklistValue

from .serializers import PicklistSerializer, TokenRequestSerializer, TokenSerializer

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
        if login_blocked(username, address):
            raise Throttled(wait=settings.LOGIN_THROTTLE_WINDOW_SECONDS, detail=THROTTLED_MESSAGE)
        user = authenticate(request._request, username=username, password=serializer.validated_data["password"])
        if user is None or not user.is_active:
            login_failed(username, address)
            raise serializers.ValidationError({"non_field_errors": [BAD_CREDENTIALS]})
        login_succeeded(username, address)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)


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
            raise serializers.ValidationError({"active": ["Use true or false."]})
        label_of = {(d.object_name, d.api_name): d.label for d in labels.only("object_name", "api_name", "label")}
        groups: dict[tuple[str, str], dict] = {}
        for value in values:
            key = (value.object_name, value.field_name)
            group = groups.setdefault(
                key,
                {"object": key[0], "field": key[1], "field_label": label_of.get(key, key[1]), "values": []},
            )
            group["values"].append(value)
        return Response(PicklistSerializer(list(groups.values()), many=True).data)
