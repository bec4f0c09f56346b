from rest_framework import serializers


class ReportSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    help_text = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField(), help_text="Report-specific query parameters.")
    lead_filters = serializers.BooleanField(help_text="Whether owner, status and lead_source filters apply.")


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
    rows = serializers.ListField(child=serializers.DictField(), help_text="One object per table row, by column key.")
    links = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_null=True)),
        help_text="Per row: drill-down URL (the filtered lead list) by column key.",
    )
    groups = GroupSerializer(many=True)
    chart = serializers.DictField(help_text="labels, datasets [{label, data}], type and stacked.")
    extra = serializers.DictField(required=False)
