"""``/api/translations/``: the translations admins write for picklist values, field labels and
help texts (the Translations setup page's API); writes go through ``core.label_translations``."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.label_translations import KINDS, label_translation_delete, label_translation_save, label_translations
from core.models import LabelTranslation
from core.roles import require_setup_admin
from core.translation import translatable_languages


class LabelTranslationSerializer(serializers.ModelSerializer):
    """One saved translation of one label into one language."""

    object = serializers.CharField(source="object_name")
    field = serializers.CharField(source="field_name")
    updated_by = serializers.CharField(source="updated_by.username", default=None)

    class Meta:
        model = LabelTranslation
        fields = ["id", "language", "kind", "object", "field", "value", "text", "updated_at", "updated_by"]
        read_only_fields = fields


class LabelTranslationWriteSerializer(serializers.Serializer):
    """Which label, into which language, and its text (blank removes the translation)."""

    language = serializers.ChoiceField(choices=translatable_languages())
    kind = serializers.ChoiceField(choices=KINDS)
    object = serializers.CharField(max_length=40, help_text=gettext_lazy("The object's API name, e.g. lead."))
    field = serializers.CharField(max_length=80, help_text=gettext_lazy("The field's API name, e.g. status."))
    value = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("The picklist value's API name (picklist values only)."),
    )
    text = serializers.CharField(max_length=500, allow_blank=True, trim_whitespace=True)


class LabelTranslationListView(APIView):
    """Setup admins list and save the translations of picklist values, field labels and help texts."""

    @extend_schema(
        operation_id="translations_list",
        summary="List saved translations",
        parameters=[
            OpenApiParameter("language", OpenApiTypes.STR, description="Only this language: es or fr."),
            OpenApiParameter("kind", OpenApiTypes.STR, description="picklist_value, field_label or help_text."),
            OpenApiParameter("object", OpenApiTypes.STR, description="Only this object, e.g. lead."),
        ],
        responses={200: LabelTranslationSerializer(many=True), 403: OpenApiResponse(description="Not a setup admin.")},
        tags=["translations"],
    )
    def get(self, request):
        require_setup_admin(request.user)
        language = request.query_params.get("language", "").strip()
        kind = request.query_params.get("kind", "").strip()
        errors = {}
        if language and language not in dict(translatable_languages()):
            errors["language"] = [gettext_lazy("Choose Spanish or French.")]
        if kind and kind not in KINDS:
            errors["kind"] = [gettext_lazy("Choose picklist value, field label or help text.")]
        if errors:
            raise serializers.ValidationError(errors)
        found = label_translations(
            language=language, kind=kind, object_name=request.query_params.get("object", "").strip()
        )
        return Response(LabelTranslationSerializer(found, many=True).data)

    @extend_schema(
        operation_id="translations_upsert",
        summary="Save a translation",
        description=(
            "Creates or replaces the translation of one picklist value, field label or help text into "
            "one language. A blank text removes it (answers 204): users of that language then see the "
            "built-in translation of a standard label, else the English one."
        ),
        request=LabelTranslationWriteSerializer,
        responses={
            200: LabelTranslationSerializer,
            204: None,
            400: OpenApiResponse(description="Field errors, e.g. no such label."),
            403: OpenApiResponse(description="Not a setup admin."),
        },
        tags=["translations"],
    )
    def post(self, request):
        require_setup_admin(request.user)
        data = LabelTranslationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        saved = label_translation_save(
            kind=values["kind"],
            object_name=values["object"],
            field_name=values["field"],
            value=values["value"],
            language=values["language"],
            text=values["text"],
            acting_user=request.user,
        )
        if saved is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(LabelTranslationSerializer(saved).data)


class LabelTranslationDetailView(APIView):
    @extend_schema(
        operation_id="translations_destroy",
        summary="Remove a translation",
        responses={204: None, 403: OpenApiResponse(description="Not a setup admin."), 404: None},
        tags=["translations"],
    )
    def delete(self, request, pk: int):
        require_setup_admin(request.user)
        translation = get_object_or_404(LabelTranslation, pk=pk)
        label_translation_delete(label_translation=translation, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
