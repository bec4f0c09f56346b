from django.utils.translation import gettext_lazy
from rest_framework import serializers

from ..models import ROLE_CHOICES, Dashboard, DashboardComponent


class ComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DashboardComponent
        fields = ["id", "title", "source", "params", "chart_type", "size", "sort_order"]


class DashboardSerializer(serializers.ModelSerializer):
    components = ComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Dashboard
        fields = ["id", "name", "description", "role", "is_default", "components"]


class DashboardInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=ROLE_CHOICES, required=False, allow_blank=True, default="")
    is_default = serializers.BooleanField(default=False)


class ComponentInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    source = serializers.CharField(
        max_length=80,
        help_text=gettext_lazy(
            "report:<report key>, saved:<saved report id> (a builder report the caller may see), or "
            "widget:my-tasks / widget:recent-activity."
        ),
    )
    params = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    chart_type = serializers.ChoiceField(choices=DashboardComponent.ChartType.choices, default="bar")
    size = serializers.ChoiceField(choices=DashboardComponent.Size.choices, default="medium")
    sort_order = serializers.IntegerField(min_value=1, max_value=1000, default=1)


class ComponentDataSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="component.pk")
    title = serializers.CharField()
    chart = serializers.DictField(
        allow_null=True, help_text=gettext_lazy("Chart.js labels, datasets, type and drill-down links.")
    )
    columns = serializers.ListField(child=serializers.DictField())
    rows = serializers.SerializerMethodField(help_text=gettext_lazy("Table rows: cells with value, link and numeric."))
    items = serializers.ListField(
        child=serializers.DictField(), help_text=gettext_lazy("A widget's list (tasks, recent activity).")
    )
    more_url = serializers.CharField()
    error = serializers.CharField()

    def get_rows(self, obj) -> list[list[dict]]:
        return obj.table
