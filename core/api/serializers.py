"""Input and output shapes of the core API: tokens, picklists and the Recycle Bin."""

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers
from rest_framework.fields import SkipField, empty, is_simple_callable

from core.locale import time_zone_names
from core.models import FieldDefinition, PicklistValue
from core.templatetags.crm import user_name


def validated_input(serializer_class, request, **kwargs) -> dict:
    """The request's input as ``serializer_class`` reads it; field errors answer 400."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class QuickReadMixin:
    """``to_representation`` without DRF's per-field dispatch, for serializers that list many rows.

    The output is the serializer's own: every field still renders its value with its own
    ``to_representation``; only fields read straight from one attribute skip ``get_attribute``
    (method fields, dotted sources, fields with a default for a missing attribute, such as the
    annotations other apps add to a list, and the like go through DRF as usual).
    """

    def _read_plan(self) -> list:
        plan = getattr(self, "_quick_read_plan", None)
        if plan is None:
            plan = []
            for field in self._readable_fields:
                direct = (
                    len(field.source_attrs) == 1
                    and field.default is empty
                    and not isinstance(
                        field,
                        serializers.SerializerMethodField
                        | serializers.BaseSerializer
                        | serializers.RelatedField
                        | serializers.ManyRelatedField,
                    )
                )
                plan.append((field.field_name, field.source_attrs[0] if direct else None, field))
            self._quick_read_plan = plan
        return plan

    def to_representation(self, instance) -> dict:
        data = {}
        for name, attribute, field in self._read_plan():
            if attribute is None:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
            else:
                value = getattr(instance, attribute)
                if is_simple_callable(value):
                    value = value()
            data[name] = None if value is None else field.to_representation(value)
        return data


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Send as the header `Authorization: Token <token>`.")
    )
    expires_at = serializers.DateTimeField(
        read_only=True, help_text=gettext_lazy("After this the token is refused (401).")
    )


class ApiTokenSerializer(serializers.Serializer):
    """One of your API tokens; the key itself is shown only when the token is made."""

    id = serializers.IntegerField()
    prefix = serializers.CharField(help_text=gettext_lazy("The first characters of the key."))
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    current = serializers.SerializerMethodField(
        help_text=gettext_lazy("Whether this request was made with this token.")
    )

    def get_current(self, token) -> bool:
        auth = self.context.get("auth")
        return getattr(auth, "pk", None) == token.pk


class PicklistValueSerializer(serializers.ModelSerializer):
    """One value; records store ``api_name``, people see ``label``."""

    order = serializers.IntegerField(source="sort_order")
    active = serializers.BooleanField(source="is_active")
    default = serializers.BooleanField(source="is_default")
    display_label = serializers.CharField(
        help_text=gettext_lazy(
            "The label in the caller's language: an admin's translation, the built-in one of a seeded "
            "value, else the label."
        )
    )

    class Meta:
        model = PicklistValue
        fields = [
            "id",
            "label",
            "display_label",
            "api_name",
            "order",
            "active",
            "default",
            "is_converted",
            "is_closed",
            "is_won",
            "probability",
        ]
        read_only_fields = fields


class PicklistSerializer(serializers.Serializer):
    """The values of one picklist field of one object, in their display order."""

    object = serializers.CharField()
    field = serializers.CharField()
    field_label = serializers.CharField(help_text=gettext_lazy("In the caller's language."))
    values = PicklistValueSerializer(many=True)


class RecycleBinEntrySerializer(serializers.Serializer):
    """A deleted record; ``record_id`` is the id it gets back when restored."""

    id = serializers.IntegerField()
    object = serializers.CharField(source="object_name")
    record_id = serializers.IntegerField()
    name = serializers.CharField()
    detail = serializers.CharField(help_text=gettext_lazy("The company of a lead, the account of a contact, …"))
    deleted_by = serializers.SerializerMethodField()
    deleted_at = serializers.DateTimeField()

    def get_deleted_by(self, entry) -> str | None:
        return user_name(entry.deleted_by, None)


class RestoredRecordSerializer(serializers.Serializer):
    object = serializers.CharField()
    record_id = serializers.IntegerField()


class FieldDefinitionSerializer(serializers.ModelSerializer):
    """The metadata of one field of one object, standard or custom."""

    object = serializers.CharField(source="object_name")

    class Meta:
        model = FieldDefinition
        fields = [
            "object",
            "api_name",
            "label",
            "field_type",
            "is_custom",
            "is_required",
            "is_active",
            "default_value",
            "help_text",
            "description",
            "requested_by",
            "purpose",
            "salesforce_id",
        ]
        read_only_fields = fields


class FieldDefinitionUpdateSerializer(serializers.Serializer):
    """What an admin may change; required, default, active and the Salesforce field id (``00N…``,
    15 or 18 characters, kept in its 15-character form) on custom fields only."""

    label = serializers.CharField(required=False, allow_blank=True)
    help_text = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    requested_by = serializers.CharField(required=False, allow_blank=True)
    purpose = serializers.CharField(required=False, allow_blank=True)
    is_required = serializers.BooleanField(required=False)
    default_value = serializers.JSONField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    salesforce_id = serializers.CharField(required=False, allow_blank=True, max_length=18)


class ProfileSerializer(serializers.Serializer):
    """The signed-in user's own profile. An empty ``language`` follows the browser's
    Accept-Language; an empty ``time_zone`` the organisation's (``default_time_zone``)."""

    username = serializers.CharField(read_only=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False)
    language = serializers.ChoiceField(choices=["", *(code for code, _name in settings.LANGUAGES)], required=False)
    time_zone = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text=gettext_lazy("An IANA name, such as Europe/Madrid.")
    )
    email_signature = serializers.CharField(max_length=2000, required=False, allow_blank=True, trim_whitespace=False)
    default_time_zone = serializers.CharField(read_only=True)

    def validate_time_zone(self, value: str) -> str:
        # The service says the same; checked here too so that every field error comes at once.
        if value and value not in time_zone_names():
            raise serializers.ValidationError(gettext("Choose a time zone from the list, such as Europe/Madrid."))
        return value
