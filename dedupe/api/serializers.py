"""Input and output shapes of the duplicate management API."""

from rest_framework import serializers

from ..models import DuplicateGroup, DuplicateJob, DuplicateRule, DuplicateRuleEntry, LeadMerge, MatchingRule

ACTION_HELP = "allow, alert, block or attach (attach: Web-to-Lead, import and bulk only)."


class MatchingRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = MatchingRule
        fields = [
            "id",
            "name",
            "description",
            "email",
            "gmail_dots",
            "phone",
            "company",
            "fuzzy_name",
            "name_threshold",
            "include_contacts",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "updated_at"]


class MatchingRuleInputSerializer(serializers.Serializer):
    """Every field optional on a change; the service checks the whole rule."""

    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    email = serializers.ChoiceField(choices=["", "exact", "normalized"], required=False, allow_blank=True)
    gmail_dots = serializers.BooleanField(required=False)
    phone = serializers.BooleanField(required=False)
    company = serializers.BooleanField(required=False)
    fuzzy_name = serializers.BooleanField(required=False)
    name_threshold = serializers.DecimalField(max_digits=3, decimal_places=2, required=False)
    include_contacts = serializers.BooleanField(required=False)


class DuplicateRuleEntrySerializer(serializers.ModelSerializer):
    action_page = serializers.CharField(read_only=True, help_text=ACTION_HELP)
    action_api = serializers.CharField(read_only=True, help_text=ACTION_HELP)
    action_webtolead = serializers.CharField(read_only=True, help_text=ACTION_HELP)
    action_import = serializers.CharField(read_only=True, help_text=ACTION_HELP)
    action_bulk = serializers.CharField(read_only=True, help_text=ACTION_HELP)

    class Meta:
        model = DuplicateRuleEntry
        fields = [
            "id",
            "sort_order",
            "criteria",
            "filter_logic",
            "matching_rule",
            "action_page",
            "action_api",
            "action_webtolead",
            "action_import",
            "action_bulk",
        ]


class DuplicateRuleEntryInputSerializer(serializers.Serializer):
    criteria = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    filter_logic = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    matching_rule = serializers.IntegerField()
    # Plain strings (allow, alert, block, attach) checked by the service: one choice set under five
    # names would give the schema five enums.
    action_page = serializers.CharField(required=False, default="alert", help_text=ACTION_HELP)
    action_api = serializers.CharField(required=False, default="alert", help_text=ACTION_HELP)
    action_webtolead = serializers.CharField(required=False, default="allow", help_text=ACTION_HELP)
    action_import = serializers.CharField(required=False, default="allow", help_text=ACTION_HELP)
    action_bulk = serializers.CharField(required=False, default="allow", help_text=ACTION_HELP)
    sort_order = serializers.IntegerField(required=False, min_value=1)


class DuplicateRuleSerializer(serializers.ModelSerializer):
    entries = DuplicateRuleEntrySerializer(many=True, read_only=True)

    class Meta:
        model = DuplicateRule
        fields = ["id", "name", "description", "is_active", "version", "entries", "updated_at"]
        read_only_fields = ["id", "is_active", "version", "entries", "updated_at"]


class DuplicateRuleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MatchSerializer(serializers.Serializer):
    object = serializers.ChoiceField(choices=["lead", "contact"])
    id = serializers.IntegerField()
    name = serializers.CharField()
    company = serializers.CharField()
    email = serializers.CharField()
    readable = serializers.BooleanField(help_text="False: a record you may not read (name and email left out).")
    score = serializers.FloatField(help_text="1 for exact keys; a name counts by its trigram similarity.")
    rule = serializers.CharField(help_text="The matching rule that found it.")
    rule_id = serializers.IntegerField()
    methods = serializers.ListField(child=serializers.CharField())


class MergeInputSerializer(serializers.Serializer):
    master_id = serializers.IntegerField()
    merged_ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=2)
    values = serializers.DictField(
        required=False,
        default=dict,
        help_text="Field -> the value the master takes (fields left out keep the master's value).",
    )
    value_from = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        default=dict,
        help_text="Field -> the id of the lead whose value the master takes (instead of a value).",
    )


class LeadMergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadMerge
        fields = [
            "id",
            "master_id",
            "merged_ids",
            "master_before",
            "master_after",
            "merged_at",
            "merged_by",
            "undone_at",
        ]


class DuplicateJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = DuplicateJob
        fields = [
            "id",
            "matching_rule",
            "status",
            "total",
            "scanned",
            "percent",
            "groups_found",
            "include_contacts",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = [f for f in fields if f != "matching_rule"]


class DuplicateJobInputSerializer(serializers.Serializer):
    matching_rule = serializers.IntegerField()
    include_contacts = serializers.BooleanField(
        default=False,
        help_text="Also compare the leads with the contacts, and the contacts among themselves (the matching "
        "rule must match contacts).",
    )


class DuplicateGroupSerializer(serializers.ModelSerializer):
    key_lead_id = serializers.IntegerField(allow_null=True, help_text="The group's lowest lead (null: contacts only).")
    key_contact_id = serializers.IntegerField(
        allow_null=True, help_text="A group of contacts only: its lowest contact."
    )
    lead_ids = serializers.ListField(child=serializers.IntegerField(), help_text="The leads you may read.")
    contact_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The contacts you may read (jobs that include contacts). Merging combines leads only.",
    )

    class Meta:
        model = DuplicateGroup
        fields = ["id", "key_lead_id", "key_contact_id", "lead_ids", "contact_ids", "score"]
