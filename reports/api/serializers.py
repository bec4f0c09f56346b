from django.utils.translation import gettext_lazy
from rest_framework import serializers


class ReportSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    help_text = serializers.CharField()
    options = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("Report-specific query parameters.")
    )
    lead_filters = serializers.BooleanField(
        help_text=gettext_lazy("Whether owner, status and lead_source filters apply.")
    )


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    numeric = serializers.BooleanField()


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class ReportRunSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(), help_text=gettext_lazy("One object per table row, by column key.")
    )
    links = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_null=True)),
        help_text=gettext_lazy("Per row: drill-down URL (the filtered lead list) by column key."),
    )
    groups = GroupSerializer(many=True)
    chart = serializers.DictField(help_text=gettext_lazy("labels, datasets [{label, data}], type and stacked."))
    extra = serializers.DictField(required=False)
    approximate_percentiles = serializers.BooleanField(
        help_text=gettext_lazy(
            "True when the medians and 90th percentiles were read from duration histograms: within four percent of the "
            "exact figure."
        )
    )


class ReportDefinitionSerializer(serializers.Serializer):
    """What a builder report counts: saved (``SavedReportInputSerializer``) or only previewed."""

    object_name = serializers.CharField(help_text="lead, account, contact, opportunity or campaign.")
    columns = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("Field API names."))
    criteria = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text=gettext_lazy("[{field, operator, value}], the criteria engine's."),
    )
    filter_logic = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("e.g. (1 AND 2) OR 3")
    )
    groupings = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text=gettext_lazy("Up to two [{field, period}]; period for dates."),
    )
    summaries = serializers.ListField(
        child=serializers.DictField(), required=False, help_text=gettext_lazy("[{function: sum|avg|min|max, field}]")
    )
    chart_type = serializers.CharField(required=False, help_text="bar, stacked_bar, line, donut or funnel.")


class SavedReportInputSerializer(ReportDefinitionSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    folder = serializers.IntegerField(required=False, allow_null=True)
    sharing = serializers.CharField(required=False, help_text="private, or role (with shared_role).")
    shared_role = serializers.IntegerField(
        required=False, allow_null=True, help_text=gettext_lazy("Group id when shared.")
    )


class SavedReportSerializer(SavedReportInputSerializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    owner = serializers.IntegerField()


class BuilderGroupSerializer(serializers.Serializer):
    keys = serializers.ListField()
    labels = serializers.ListField(child=serializers.CharField())
    count = serializers.IntegerField()
    summaries = serializers.DictField()
    filters = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        allow_null=True,
        help_text=gettext_lazy(
            "The lead list filters ([name, value] pairs) that show exactly this group's leads; null when the list "
            "cannot (another object, criteria, or a grouping the list does not filter on)."
        ),
    )


class BuilderRunSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.DictField())
    rows = serializers.ListField(child=serializers.DictField())
    total = serializers.IntegerField()
    truncated = serializers.BooleanField()
    group_columns = serializers.ListField(child=serializers.DictField())
    groups = BuilderGroupSerializer(many=True)
    chart = serializers.DictField()
