from django.utils.translation import gettext_lazy
from rest_framework import serializers


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, help_text=gettext_lazy("At least two letters or digits; prefix match."))


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    subtitle = serializers.CharField()
    url = serializers.CharField(help_text=gettext_lazy("The record page."))


class SearchGroupSerializer(serializers.Serializer):
    object = serializers.CharField(source="object_name")
    label = serializers.CharField()
    results = SearchHitSerializer(source="hits", many=True)
    has_more = serializers.BooleanField()
    more_url = serializers.CharField(help_text=gettext_lazy("The object's list page filtered by the query."))


class SearchAnswerSerializer(serializers.Serializer):
    q = serializers.CharField()
    groups = SearchGroupSerializer(many=True)
