"""The users API, for system admins only (others get 403): users, their permission sets and the
permission sets themselves. Every write goes through ``users.services``."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from core.roles import is_system_admin

from .. import selectors, services
from ..models import PermissionSet
from ..permissions import ASSIGNABLE
from .serializers import (
    AssignableSerializer,
    PermissionSetSerializer,
    UserAuditEntrySerializer,
    UserIdsSerializer,
    UserInviteSerializer,
    UserPermissionSetsSerializer,
    UserSerializer,
    UserWriteSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
FORBIDDEN = OpenApiResponse(description="Only system admins administer users.")


class IsSystemAdmin(BasePermission):
    message = "Only system admins administer users."

    def has_permission(self, request, view) -> bool:
        return is_system_admin(request.user)


def _users():
    groups = Group.objects.select_related("permission_set")
    return get_user_model().objects.prefetch_related(Prefetch("groups", queryset=groups)).order_by("id")


@extend_schema_view(
    list=extend_schema(
        summary="List users", description="`q` searches names, username and email; `role`; `active` (1 or 0)."
    ),
    retrieve=extend_schema(summary="A user"),
    create=extend_schema(
        summary="Invite a user",
        description="Creates an active user without a password and emails them a link to choose one.",
        request=UserInviteSerializer,
        responses={201: UserSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Change a user's name, email and role",
        request=UserWriteSerializer,
        responses={200: UserSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated, IsSystemAdmin]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            params = self.request.query_params
            ids = selectors.user_list(
                query=params.get("q", "").strip(), role=params.get("role", ""), active=params.get("active", "")
            ).values("pk")
            return _users().filter(pk__in=ids)
        return _users()

    def create(self, request):
        serializer = UserInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_invite(acting_user=request.user, **serializer.validated_data)
        return Response(UserSerializer(_users().get(pk=user.pk)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        user = self.get_object()
        current = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
        current["role"] = services.role_of(user)
        serializer = UserWriteSerializer(data={**current, **request.data})
        serializer.is_valid(raise_exception=True)
        services.user_update(user=user, acting_user=request.user, **serializer.validated_data)
        return Response(UserSerializer(_users().get(pk=user.pk)).data)

    @extend_schema(summary="Deactivate a user", request=None, responses={200: UserSerializer, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = services.user_deactivate(user=self.get_object(), acting_user=request.user)
        return Response(UserSerializer(_users().get(pk=user.pk)).data)

    @extend_schema(summary="Reactivate a user", request=None, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        user = services.user_reactivate(user=self.get_object(), acting_user=request.user)
        return Response(UserSerializer(_users().get(pk=user.pk)).data)

    @extend_schema(
        summary="Email a user a link to choose a new password", request=None, responses={202: None, 400: FIELD_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="password-reset")
    def password_reset(self, request, pk=None):
        services.user_password_reset_send(user=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Email the invitation again", request=None, responses={202: None, 400: FIELD_ERRORS})
    @action(detail=True, methods=["post"], url_path="invitation")
    def invitation(self, request, pk=None):
        services.user_invitation_resend(user=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Set a user's permission sets (exactly these)",
        request=UserPermissionSetsSerializer,
        responses={200: UserSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["put"], url_path="permission-sets")
    def permission_sets(self, request, pk=None):
        user = self.get_object()
        serializer = UserPermissionSetsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_permission_sets_set(
            user=user, permission_sets=serializer.validated_data["permission_sets"], acting_user=request.user
        )
        return Response(UserSerializer(_users().get(pk=user.pk)).data)

    @extend_schema(
        summary="What system admins did to this account", responses={200: UserAuditEntrySerializer(many=True)}
    )
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        entries = selectors.user_audit(user=self.get_object())[:200]
        return Response(UserAuditEntrySerializer(entries, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List permission sets"),
    retrieve=extend_schema(summary="A permission set"),
    create=extend_schema(
        summary="Create a permission set", responses={201: PermissionSetSerializer, 400: FIELD_ERRORS}
    ),
    update=extend_schema(
        summary="Change a permission set", responses={200: PermissionSetSerializer, 400: FIELD_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change part of a permission set", responses={200: PermissionSetSerializer, 400: FIELD_ERRORS}
    ),
    destroy=extend_schema(summary="Delete a custom permission set", responses={204: None, 400: FIELD_ERRORS}),
)
class PermissionSetViewSet(viewsets.ModelViewSet):
    serializer_class = PermissionSetSerializer
    permission_classes = [IsAuthenticated, IsSystemAdmin]
    queryset = PermissionSet.objects.select_related("group").order_by("name")

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        permission_set = services.permission_set_create(acting_user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(permission_set).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        permission_set = self.get_object()
        current = {
            "name": permission_set.name,
            "description": permission_set.description,
            "permissions": services.permission_codenames(permission_set),
        }
        serializer = self.get_serializer(data={**current, **request.data} if partial else request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.permission_set_update(
            permission_set=permission_set, acting_user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(updated).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        services.permission_set_delete(permission_set=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Assign the set to users", request=UserIdsSerializer, responses={200: PermissionSetSerializer}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        permission_set = self.get_object()
        serializer = UserIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.permission_set_assign(
            permission_set=permission_set, users=serializer.validated_data["users"], acting_user=request.user
        )
        return Response(self.get_serializer(permission_set).data)

    @extend_schema(
        summary="Take the set from users", request=UserIdsSerializer, responses={200: PermissionSetSerializer}
    )
    @action(detail=True, methods=["post"])
    def unassign(self, request, pk=None):
        permission_set = self.get_object()
        serializer = UserIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        for user in serializer.validated_data["users"]:
            services.permission_set_unassign(permission_set=permission_set, user=user, acting_user=request.user)
        return Response(self.get_serializer(permission_set).data)

    @extend_schema(summary="Permissions a permission set may grant", responses={200: AssignableSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def available(self, request):
        items = [
            {"codename": i.codename, "label": str(i.label), "description": str(i.description), "area": str(i.area)}
            for i in ASSIGNABLE
        ]
        return Response(AssignableSerializer(items, many=True).data)
