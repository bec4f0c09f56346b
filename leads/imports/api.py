"""REST API of lead imports: upload, dry run, start, status, cancel, the error file, undo, and the
saved mapping templates. Reads go through the same selectors as the pages; writes call the services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from .models import LeadImport, LeadImportMappingTemplate
from .selectors import lead_import_progress, lead_imports_visible_to, mapping_templates_of
from .services import (
    OPTION_CHOICES,
    OPTION_DEFAULTS,
    lead_import_cancel,
    lead_import_dry_run_start,
    lead_import_start,
    lead_import_undo,
    lead_import_upload,
    mapping_template_delete,
    mapping_template_save,
)
from .views import import_errors_csv


class LeadImportSerializer(serializers.ModelSerializer):
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    percent_done = serializers.IntegerField(read_only=True)
    rows_per_second = serializers.SerializerMethodField()
    seconds_left = serializers.SerializerMethodField()

    class Meta:
        model = LeadImport
        fields = [
            "id",
            "file_name",
            "file_format",
            "file_size",
            "encoding",
            "delimiter",
            "headers",
            "mapping",
            "mode",
            "match_by",
            "external_id_field",
            "on_match",
            "run_assignment",
            "send_autoresponse",
            "default_lead_source",
            "default_status",
            "campaign",
            "campaign_status",
            "owner",
            "status",
            "failure_reason",
            "total_rows",
            "created_count",
            "updated_count",
            "skipped_count",
            "error_count",
            "percent_done",
            "rows_per_second",
            "seconds_left",
            "dry_run_status",
            "dry_run",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "undone_at",
        ]
        read_only_fields = fields

    def get_rows_per_second(self, obj) -> float:
        return lead_import_progress(obj).rows_per_second

    def get_seconds_left(self, obj) -> int | None:
        return lead_import_progress(obj).seconds_left


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8 or Windows-1252; comma, semicolon or tab) or .xlsx.")


def _one_of(option: str) -> str:
    choices = OPTION_CHOICES[option]
    return f"One of: {', '.join(choices.values)} (default: {OPTION_DEFAULTS[option]})."


class SetupSerializer(serializers.Serializer):
    """The mapping and options of a dry run or a start."""

    mapping = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="A lead field api name per column of the file ('' skips it; 'Id' matches by lead id; "
        "'Campaign_ID' names the row's campaign). Defaults to the proposed mapping.",
    )
    # Shape only: the services check every option (the same checks as the page's), answering field
    # errors for a 400.
    mode = serializers.CharField(required=False, allow_blank=True, help_text=_one_of("mode"))
    match_by = serializers.CharField(required=False, allow_blank=True, help_text=_one_of("match_by"))
    external_id_field = serializers.CharField(
        required=False, allow_blank=True, help_text="The custom field holding the external id (match by external id)."
    )
    on_match = serializers.CharField(required=False, allow_blank=True, help_text=_one_of("on_match"))
    run_assignment = serializers.BooleanField(required=False, help_text="Default: true.")
    send_autoresponse = serializers.BooleanField(required=False, help_text="Default: false.")
    default_lead_source = serializers.CharField(required=False, allow_blank=True)
    default_status = serializers.CharField(required=False, allow_blank=True)
    campaign = serializers.CharField(required=False, allow_blank=True)
    campaign_status = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.IntegerField(required=False, help_text="User id; marketing admins only.")


class TemplateSerializer(serializers.ModelSerializer):
    headers = serializers.ListField(child=serializers.CharField(allow_blank=True), write_only=True)
    mapping = serializers.ListField(child=serializers.CharField(allow_blank=True), write_only=True)

    class Meta:
        model = LeadImportMappingTemplate
        fields = ["id", "name", "columns", "headers", "mapping", "created_at"]
        read_only_fields = ["id", "columns", "created_at"]


def _setup_args(request, lead_import: LeadImport) -> dict:
    from django.contrib.auth import get_user_model

    data = SetupSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    owner_id = values.pop("owner", None)
    owner = None
    if owner_id is not None:
        owner = get_user_model().objects.filter(pk=owner_id).first()
        if owner is None:
            raise serializers.ValidationError({"owner": ["No such user."]})
    mapping = values.pop("mapping", None) or lead_import.mapping
    return {"mapping": mapping, "owner": owner, **values}


class LeadImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lead imports: the caller's own (marketing admins: every import)."""

    serializer_class = LeadImportSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset = LeadImport.objects.none()

    def get_queryset(self):
        return lead_imports_visible_to(self.request.user)

    def _answer(self, lead_import: LeadImport, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=lead_import.pk)
        return Response(LeadImportSerializer(fresh).data, status=code)

    @extend_schema(
        summary="Upload a file to import",
        description="Streams the file to disk, detects encoding and delimiter, counts the rows (at most "
        "1,000,000) and proposes a mapping. 400 with a reason when the file cannot be read.",
        request={"multipart/form-data": UploadSerializer},
        responses={201: LeadImportSerializer, 400: OpenApiResponse(description="Unreadable file.")},
    )
    def create(self, request):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        lead_import = lead_import_upload(file_name=file.name, chunks=file.chunks(), acting_user=request.user)
        return self._answer(lead_import, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Start a dry run",
        description="Saves the mapping and options and counts, in a worker, what the import would create, "
        "update, skip and reject, with reasons and a sample (in `dry_run`); nothing is written.",
        request=SetupSerializer,
        responses={202: LeadImportSerializer},
    )
    @action(detail=True, methods=["post"], url_path="dry-run")
    def dry_run(self, request, pk=None):
        lead_import = self.get_object()
        started = lead_import_dry_run_start(
            lead_import=lead_import, acting_user=request.user, **_setup_args(request, lead_import)
        )
        return self._answer(started, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Start the import",
        description="Saves the mapping and options and queues the import; poll the import for progress.",
        request=SetupSerializer,
        responses={202: LeadImportSerializer},
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        lead_import = self.get_object()
        started = lead_import_start(
            lead_import=lead_import, acting_user=request.user, **_setup_args(request, lead_import)
        )
        return self._answer(started, status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Cancel a pending or running import", request=None, responses={200: LeadImportSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._answer(lead_import_cancel(lead_import=self.get_object(), acting_user=request.user))

    @extend_schema(
        summary="Undo the import",
        description="Within 7 days, by the importer or an admin: the leads it created go to the Recycle Bin and "
        "the fields it updated get their earlier values back, in one transaction.",
        request=None,
        responses={200: LeadImportSerializer},
    )
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        return self._answer(lead_import_undo(lead_import=self.get_object(), acting_user=request.user))

    @extend_schema(
        summary="The refused and skipped rows as CSV",
        description="The file's columns with a Row number and a Reason column; cells that a spreadsheet would run "
        "as formulas are escaped.",
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="errors.csv")
    def errors_csv(self, request, pk=None):
        lead_import = self.get_object()
        return import_errors_csv(request._request, pk=lead_import.pk)


class LeadImportTemplateViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The caller's saved column mappings; an upload whose header they cover is mapped by them."""

    serializer_class = TemplateSerializer
    lookup_value_regex = r"\d+"
    queryset = LeadImportMappingTemplate.objects.none()

    def get_queryset(self):
        return mapping_templates_of(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = mapping_template_save(
            name=data["name"], headers=data["headers"], mapping=data["mapping"], acting_user=self.request.user
        )

    def perform_destroy(self, instance):
        mapping_template_delete(
            template=get_object_or_404(self.get_queryset(), pk=instance.pk), acting_user=self.request.user
        )
