"""Input and output shapes of the leads API.

Serializers only shape input: they check that each value has the right JSON type and hand the
values to ``leads.services``, which validates them exactly as it does for the browser's forms
(required fields, lengths, emails, picklists, custom fields), so both answer the same errors.
"""

from collections.abc import Mapping

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from core.api.serializers import QuickReadMixin
from core.models import FieldHistory
from core.registry import list_extensions
from core.roles import display_name
from leads.fields import OBJECT_NAME, WRITABLE_FIELDS
from leads.models import Lead, LeadNote
from leads.ownership import owner_label
from leads.processes.selectors import lead_record_type_get

TEXT_TYPES = {"CharField", "TextField", "EmailField"}
# "Not sent" for the record type, where null is a value (the organisation's default).
UNSET = object()
NUMBER_TYPES = {"DecimalField", "PositiveIntegerField"}


def user_ref(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": display_name(user)}


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OwnerSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["user", "queue"])
    id = serializers.IntegerField()
    name = serializers.CharField()


def owner_ref(lead: Lead) -> dict:
    if lead.owner_queue_id:
        return {"type": "queue", "id": lead.owner_queue_id, "name": lead.owner_queue.name}
    return {"type": "user", "id": lead.owner_user_id, "name": owner_label(lead.owner_user)}


class LeadSerializer(QuickReadMixin, serializers.ModelSerializer):
    """A lead with its standard fields, owner, custom fields and system fields.

    ``owner`` and the system fields are read-only: sent values are ignored. Change the owner with
    ``POST /api/leads/{id}/change-owner/``. ``version`` is the record's version; send the version
    you read in a PUT or PATCH to have the save refused (409) if someone changed the lead since;
    a write without it succeeds unchecked, and its answer says so (``X-Version-Check: unchecked``).
    """

    owner = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    last_modified_by = serializers.SerializerMethodField()
    custom_fields = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=gettext_lazy("Custom field values keyed by API name (ending in __c); validated by field type."),
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "The version you read. On PUT/PATCH a lead saved by someone else since answers 409; "
            "without it the write is not checked (answer header X-Version-Check: unchecked)."
        ),
    )
    name = serializers.CharField(read_only=True)
    record_type = serializers.IntegerField(
        source="record_type_id",
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "The id of the lead record type (GET /api/lead-record-types/); it decides the statuses offered. "
            "Left out on create: the caller's default record type. null: the organisation's default."
        ),
    )
    record_type_name = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = [
            "id",
            "name",
            *WRITABLE_FIELDS,
            "record_type",
            "record_type_name",
            "owner",
            "custom_fields",
            "created_by",
            "created_at",
            "last_modified_by",
            "last_modified_at",
            "is_converted",
            "converted_at",
            "version",
        ]
        read_only_fields = ["id", "created_at", "last_modified_at", "is_converted", "converted_at"]
        extra_kwargs = {"status": {"required": False, "help_text": "Defaults to the picklist's default value."}}

    def get_fields(self) -> dict:
        """The lead's fields and the read-only values other apps add to the list (score, grade,
        last activity...), read from the annotations of ``leads.selectors.with_list_extensions``."""
        fields = super().get_fields()
        for extension in list_extensions(OBJECT_NAME):
            for name, field in extension.api_fields().items():
                # A lead read without the annotations (an endpoint that does not list) answers null.
                if field.default is empty:
                    field.default = None
                fields[name] = field
        return fields

    def get_record_type_name(self, lead: Lead) -> str:
        return lead.record_type.name if lead.record_type_id else ""

    @extend_schema_field(OwnerSerializer)
    def get_owner(self, lead: Lead) -> dict:
        return owner_ref(lead)

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_created_by(self, lead: Lead) -> dict | None:
        return user_ref(lead.created_by)

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_last_modified_by(self, lead: Lead) -> dict | None:
        return user_ref(lead.last_modified_by)

    def to_internal_value(self, data) -> dict:
        """Check JSON types only and answer ``{"data", "custom_fields", "expected_version",
        "blank_required"}``; the service validates the values themselves. Read-only keys are ignored."""
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        gettext("Expected an object of lead fields, got %(name)s.") % {"name": type(data).__name__}
                    ]
                }
            )
        errors: dict[str, list[str]] = {}
        values: dict = {}
        if not self.partial:
            for name in ("last_name", "company"):
                if name not in data:
                    errors[name] = [gettext("This field is required.")]
        for name in WRITABLE_FIELDS:
            if name not in data:
                continue
            kind = Lead._meta.get_field(name).get_internal_type()
            value = data[name]
            if value is None:
                values[name] = "" if kind in TEXT_TYPES else None
            elif kind in TEXT_TYPES:
                if isinstance(value, bool) or not isinstance(value, str | int | float):
                    errors[name] = [gettext("Enter text.")]
                else:
                    values[name] = str(value)
            elif kind in NUMBER_TYPES:
                if isinstance(value, bool) or not isinstance(value, str | int | float):
                    errors[name] = [gettext("Enter a number.")]
                else:
                    values[name] = str(value) if isinstance(value, float) else value
            elif kind == "BooleanField":
                if not isinstance(value, bool):
                    errors[name] = [gettext("Enter true or false.")]
                else:
                    values[name] = value
        # Blank required fields get the browser form's message; on create a blank status takes the
        # picklist's default (the service sets it).
        # These are not raised here, so that the service still reports every other error at once.
        required = ("last_name", "company") if self.instance is None else ("last_name", "company", "status")
        blank_required = {
            name: ["This field is required."] for name in required if name in values and not str(values[name]).strip()
        }
        custom = data.get("custom_fields")
        if custom is not None and not isinstance(custom, Mapping):
            errors["custom_fields"] = [gettext("Expected an object of field API names to values.")]
        version = data.get("version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
            errors["version"] = [gettext("Send the version number you read (a positive integer).")]
        record_type = UNSET
        if "record_type" in data:
            record_type = None
            if data["record_type"] is not None:
                record_type = (
                    lead_record_type_get(data["record_type"]) if not isinstance(data["record_type"], bool) else None
                )
                if record_type is None:
                    errors["record_type"] = [gettext("Choose an active lead record type.")]
        if errors:
            raise serializers.ValidationError(errors)
        return {
            "record_type": record_type,
            "data": values,
            "custom_fields": dict(custom) if custom is not None else None,
            "expected_version": version,
            "blank_required": blank_required,
        }


class ChangeOwnerSerializer(serializers.Serializer):
    owner = serializers.RegexField(
        r"^(user|queue):\d{1,18}$",
        help_text=gettext_lazy("The new owner: user:<id> or queue:<id>."),
        error_messages={"invalid": gettext_lazy("Choose a user (user:<id>) or a queue (queue:<id>).")},
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text=gettext_lazy("Shown in the lead's history.")
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "The version you read: a lead saved by someone else since answers 409. Without it the "
            "change is not checked (answer header X-Version-Check: unchecked)."
        ),
    )


class FieldChangeSerializer(serializers.ModelSerializer):
    """One change of one field, as the lead's history shows it."""

    field = serializers.CharField(source="field_name")
    label = serializers.CharField(source="field_label")
    version = serializers.IntegerField(source="record_version")
    changed_by = serializers.SerializerMethodField()

    class Meta:
        model = FieldHistory
        fields = ["id", "field", "label", "old_value", "new_value", "note", "version", "changed_by", "changed_at"]
        read_only_fields = fields

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_changed_by(self, row: FieldHistory) -> dict | None:
        return user_ref(row.changed_by)


class LeadConflictSerializer(serializers.Serializer):
    """Answered with 409 when the lead changed after the version the editor sent."""

    detail = serializers.CharField()
    current_version = serializers.IntegerField()
    changes = FieldChangeSerializer(many=True)


class DeletedLeadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    deleted_at = serializers.DateTimeField()
    name = serializers.CharField()


class LeadNoteSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = LeadNote
        fields = ["id", "title", "body", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]
        # The service validates (blank body, title length) with the same messages as the browser.
        extra_kwargs = {"body": {"allow_blank": True, "max_length": None}, "title": {"max_length": None}}

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_created_by(self, note: LeadNote) -> dict | None:
        return user_ref(note.created_by)
