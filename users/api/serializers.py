"""Input and output shapes of the users API."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.roles import ROLE_CHOICES, ROLES

from ..models import PermissionSet, UserAuditEntry
from ..permissions import ASSIGNABLE


class PermissionSetRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PermissionSet
        fields = ["id", "name"]


class UserSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()
    permission_sets = serializers.SerializerMethodField()
    invitation_pending = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "permission_sets",
            "is_active",
            "invitation_pending",
            "last_login",
            "date_joined",
        ]

    def get_role(self, user) -> str:
        from ..services import role_of

        return role_of(user)

    def get_permission_sets(self, user) -> list[dict]:
        sets = [g.permission_set for g in user.groups.all() if hasattr(g, "permission_set")]
        return PermissionSetRefSerializer(sorted(sets, key=lambda s: s.name.lower()), many=True).data

    def get_invitation_pending(self, user) -> bool:
        return user.is_active and not user.has_usable_password()


class UserWriteSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=ROLE_CHOICES)


class UserInviteSerializer(UserWriteSerializer):
    username = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    permission_sets = serializers.PrimaryKeyRelatedField(
        queryset=PermissionSet.objects.all(), many=True, required=False, default=list
    )
    role = serializers.ChoiceField(choices=ROLE_CHOICES, required=False, default=ROLES[0])


class UserPermissionSetsSerializer(serializers.Serializer):
    permission_sets = serializers.PrimaryKeyRelatedField(queryset=PermissionSet.objects.all(), many=True)


class UserAuditEntrySerializer(serializers.ModelSerializer):
    acting_user = serializers.SerializerMethodField()

    class Meta:
        model = UserAuditEntry
        fields = ["id", "action", "detail", "acting_user", "at"]

    def get_acting_user(self, entry) -> int | None:
        return entry.acting_user_id


class PermissionSetSerializer(serializers.ModelSerializer):
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=[item.codename for item in ASSIGNABLE]),
        required=False,
        default=list,
        help_text=_("Permission codenames, e.g. core.export_records."),
    )
    is_standard = serializers.BooleanField(read_only=True)
    users = serializers.SerializerMethodField()

    class Meta:
        model = PermissionSet
        fields = ["id", "name", "description", "permissions", "is_standard", "users", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness is the service's (and the database's) to check.
        validators: list = []

    def get_users(self, permission_set) -> list[int]:
        return sorted(permission_set.group.user_set.values_list("pk", flat=True))

    def to_representation(self, instance):
        from ..services import permission_codenames

        data = super().to_representation(instance)
        data["permissions"] = permission_codenames(instance)
        return data


class AssignableSerializer(serializers.Serializer):
    codename = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    area = serializers.CharField()


class UserIdsSerializer(serializers.Serializer):
    users = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True), many=True)
