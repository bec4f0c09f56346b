"""Thin serializers: output shape, and input shape only; the rules live in the services."""

from rest_framework import serializers

from ..models import Call, Event, Task

RELATED = ("lead", "contact", "account", "opportunity")
COMMON = ("id", *RELATED, "converted_lead", "subject", "assigned_to", "created_by", "created_at", "last_modified_at")


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = (*COMMON, "due_date", "priority", "status", "description", "completed_at", "reminder_at")
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = (*COMMON, "start_at", "end_at", "location", "description", "attendees")
        read_only_fields = fields


class CallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = (*COMMON, "outcome", "duration_seconds", "notes", "called_at")
        read_only_fields = fields


class _RelatedInput(serializers.Serializer):
    """One of ``lead``, ``contact``, ``account``, ``opportunity`` (ids) on create; ignored on update."""

    lead = serializers.IntegerField(required=False, allow_null=True)
    contact = serializers.IntegerField(required=False, allow_null=True)
    account = serializers.IntegerField(required=False, allow_null=True)
    opportunity = serializers.IntegerField(required=False, allow_null=True)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    assigned_to = serializers.IntegerField(required=False)


class TaskInputSerializer(_RelatedInput):
    due_date = serializers.DateField(required=False, allow_null=True)
    priority = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    reminder_at = serializers.DateTimeField(required=False, allow_null=True)


class EventInputSerializer(_RelatedInput):
    start_at = serializers.DateTimeField(required=False, allow_null=True)
    end_at = serializers.DateTimeField(required=False, allow_null=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    description = serializers.CharField(required=False, allow_blank=True)
    attendees = serializers.ListField(child=serializers.IntegerField(), required=False)


class CallInputSerializer(_RelatedInput):
    outcome = serializers.CharField(required=False)
    duration_seconds = serializers.IntegerField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    called_at = serializers.DateTimeField(required=False, allow_null=True)
