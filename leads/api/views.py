"""The leads API: list, read, create, edit and delete leads, change their owner, read their history
and notes. Every request starts from the leads the user may see; every write goes through
``leads.services``."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import BaseFilterBackend
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.history import history_for
from core.registry import list_extensions
from leads.fields import OBJECT_NAME
from leads.filters import LeadFilter, OwnerFilter, search_q
from leads.intake import DuplicateLeadError, lead_intake
from leads.models import Lead
from leads.ownership import owner_from_key
from leads.selectors import (
    LIST_VIEWS,
    lead_is_editable_by,
    lead_list,
    lead_notes,
    leads_visible_to,
    with_list_extensions,
)
from leads.services import (
    LeadEditConflict,
    lead_change_owner,
    lead_delete,
    lead_note_create,
    lead_update,
)

from ..listviews.api import LIST_VIEW_PARAM, LeadListFilterBackend, list_view_of_request
from ..routing.services import lead_assign
from . import sync
from .serializers import (
    UNSET,
    ChangeOwnerSerializer,
    DeletedLeadSerializer,
    FieldChangeSerializer,
    LeadConflictSerializer,
    LeadNoteSerializer,
    LeadSerializer,
)

SEARCH_MAX = 200
SYNC_PAGE, SYNC_PAGE_MAX = 200, 1000

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
NOT_EDITABLE = OpenApiResponse(description="You may see this lead but not edit it.")
NOT_FOUND = OpenApiResponse(description="No such lead, or not one you may see.")
NOT_DELETABLE = OpenApiResponse(description="You may see this lead but not delete it.")

# Whether a write was checked against the version the client read: "checked", or "unchecked" when
# the client sent no version (the write is made on the latest version, whatever changed since).
VERSION_CHECK_HEADER = "X-Version-Check"
VERSION_CHECK = OpenApiParameter(
    VERSION_CHECK_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    enum=["checked", "unchecked"],
    response=[200],
    description="`checked`: the write was refused (409) had the lead changed since the `version` you sent. "
    "`unchecked`: you sent no `version`, so the write was made on the latest version of the lead, "
    "overwriting any change made since you read it.",
)

# The owner filter takes text keys (user:<id> / queue:<id>), not a model field the schema could read.
extend_schema_field(OpenApiTypes.STR)(OwnerFilter)


@contextmanager
def browser_messages(values: dict):
    """Report blank required fields with the browser form's words ("This field is required.")
    alongside the service's other errors."""
    try:
        yield
    except DjangoValidationError as exc:
        if not values["blank_required"] or not hasattr(exc, "error_dict") or isinstance(exc, DuplicateLeadError):
            raise
        raise DjangoValidationError({**exc.message_dict, **values["blank_required"]}) from None


class LeadListExtensionsSchema(BaseFilterBackend):
    """Documents the filters other apps add to the lead list (``core.registry`` list extensions;
    ``LeadFilter`` applies them): the schema reads only a FilterSet's class-level filters."""

    # A filter choosing one record by id (its choices read per request) is an integer here.
    TYPES = {"NumberFilter": "number", "DateFilter": "string", "RecordChoiceFilter": "integer"}

    def filter_queryset(self, request, queryset, view):
        return queryset

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = []
        for extension in list_extensions(OBJECT_NAME):
            for name, filter_ in extension.filters().items():
                kind = self.TYPES.get(type(filter_).__name__, "string")
                schema: dict = {"type": kind}
                if type(filter_).__name__ == "DateFilter":
                    schema["format"] = "date"
                choices = filter_.extra.get("choices") if type(filter_).__name__ not in self.TYPES else None
                if choices:
                    schema = {"type": "array", "items": {"type": "string", "enum": [c[0] for c in choices]}}
                parameters.append(
                    {
                        "name": name,
                        "required": False,
                        "in": "query",
                        "description": str(filter_.label),
                        "schema": schema,
                    }
                )
        return parameters


class LeadSearchFilter(BaseFilterBackend):
    """``?search=`` is the list view's prefix search over name, company and email."""

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get("search", "").strip()[:SEARCH_MAX]
        return queryset.filter(search_q(text)) if text else queryset

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "search",
                "required": False,
                "in": "query",
                "description": "Prefix search over first name, last name, company and email.",
                "schema": {"type": "string", "maxLength": SEARCH_MAX},
            }
        ]


def _conflict_answer(conflict: LeadEditConflict) -> Response:
    payload = {
        "detail": str(conflict),
        "current_version": conflict.lead.version,
        "changes": FieldChangeSerializer(conflict.changes, many=True).data,
    }
    return Response(payload, status=status.HTTP_409_CONFLICT)


def _version_checked(response: Response, version: int | None) -> Response:
    response[VERSION_CHECK_HEADER] = "checked" if version is not None else "unchecked"
    return response


def _duplicate_answer(duplicate: DuplicateLeadError) -> Response:
    """409 with the records a duplicate rule found; ``overridable`` when ``allow_duplicates`` saves it."""
    payload = {
        "detail": " ".join(duplicate.messages),
        "overridable": not duplicate.blocking,
        "duplicates": list(duplicate.matches),
    }
    return Response(payload, status=status.HTTP_409_CONFLICT)


DUPLICATES_FOUND = inline_serializer(
    "DuplicatesFound",
    {
        "detail": serializers.CharField(),
        "overridable": serializers.BooleanField(help_text="Send allow_duplicates=true to save anyway."),
        "duplicates": serializers.ListField(child=serializers.DictField()),
    },
)


def _duplicates_allowed(request) -> bool:
    """``?allow_duplicates=true`` or ``"allow_duplicates": true``: save despite a duplicate alert."""
    return _switch(request, "allow_duplicates", "allow_duplicates")


def _switch(request, param: str, key: str) -> bool:
    """An option asked for by ``?<param>=true`` or ``"<key>": true`` in the body."""
    data = request.data if isinstance(request.data, dict) else {}
    wanted = request.query_params.get(param, data.get(key, False))
    return str(wanted).strip().lower() in {"1", "true", "yes", "on"}


def _assignment_asked(request) -> bool:
    """``?assign=true`` or ``"use_assignment_rule": true``: run the active assignment rule."""
    return _switch(request, "assign", "use_assignment_rule")


@extend_schema_view(
    list=extend_schema(
        summary="List leads",
        description="Leads you may see, newest first unless `ordering` says otherwise "
        "(`ordering=company`, `-created_at`, ...). Converted leads are left out. Pages hold "
        "`page_size` leads (at most 200); `next` is null on the last page. No total count is given.",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, many=True, description="Lead status API name(s)."),
            OpenApiParameter(
                "view",
                OpenApiTypes.STR,
                enum=list(LIST_VIEWS),
                description="A list view as in the browser: my (My Leads), queues (My Queues' Leads), "
                "all (default), recent (Recently Viewed), today (Today's Leads).",
            ),
            OpenApiParameter("owner", OpenApiTypes.STR, description="user:<id> or queue:<id>."),
            LIST_VIEW_PARAM,
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                description="Sort column, `-` for descending: name, company, status, lead_source, rating, "
                "owner, created_at, last_modified_at, email, city, country, title, phone, industry, "
                "or a custom field's API name.",
            ),
            OpenApiParameter(
                "modified_since",
                OpenApiTypes.DATETIME,
                description="Sync: the leads you may see (converted ones included) changed at or after this time, "
                "oldest change first, ignoring `view` and `ordering`. The answer carries a `cursor`: pass it "
                "back to read the next page, and keep the last one to continue later; no lead is skipped or "
                "repeated between pages. Changes show once they are a few seconds old.",
            ),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="Sync: the `cursor` of the previous answer."),
        ],
        responses={200: LeadSerializer(many=True), 400: FIELD_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a lead", responses={200: LeadSerializer, 404: NOT_FOUND}),
)
class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LeadSerializer
    filter_backends = [LeadListFilterBackend, LeadSearchFilter, LeadListExtensionsSchema]
    filterset_class = LeadFilter
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]
    queryset = Lead.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            # The list views of the browser (my, queues, all, recent, today); converted leads are left out.
            view = self.request.query_params.get("view", "all")
            # A saved list view (``?list_view=``) starts from its own standard view.
            list_view = list_view_of_request(self.request)
            if list_view is not None and "view" not in self.request.query_params:
                view = list_view.scope
            if view not in LIST_VIEWS:
                raise serializers.ValidationError(
                    {"view": [_("Choose one of: %(join)s.") % {"join": ", ".join(LIST_VIEWS)}]}
                )
            return lead_list(user=user, view=view).select_related("created_by", "last_modified_by", "record_type")
        # A record may be opened by users allowed to see converted leads.
        visible = with_list_extensions(leads_visible_to(user, include_converted=True))
        return visible.select_related("owner_user", "owner_queue", "created_by", "last_modified_by", "record_type")

    def get_object(self) -> Lead:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        if "modified_since" in request.query_params:
            return self._changed_since(request)
        return super().list(request, *args, **kwargs)

    def _changed_since(self, request) -> Response:
        since = sync.parse_since(request.query_params["modified_since"], "modified_since")
        try:
            size = min(max(int(request.query_params.get("page_size", SYNC_PAGE)), 1), SYNC_PAGE_MAX)
        except ValueError:
            size = SYNC_PAGE
        visible = with_list_extensions(leads_visible_to(request.user, include_converted=True))
        queryset = self.filter_queryset(
            visible.select_related("owner_user", "owner_queue", "created_by", "last_modified_by")
        )
        page = sync.changed_leads(queryset, since=since, cursor=request.query_params.get("cursor", ""), size=size)
        url = request.build_absolute_uri()
        following = replace_query_param(url, "cursor", page.cursor) if page.more else None
        data = LeadSerializer(page.leads, many=True, context=self.get_serializer_context()).data
        return Response({"next": following, "cursor": page.cursor, "until": page.until, "results": data})

    @extend_schema(
        summary="Deleted leads",
        description="Sync: leads deleted at or after `since` and still deleted (a restored lead shows again "
        "among the changed leads), oldest first, at most 2,000. Users who see every lead get every deletion; "
        "others those of leads they owned or deleted, for as long as the Recycle Bin keeps them.",
        parameters=[OpenApiParameter("since", OpenApiTypes.DATETIME, required=True)],
        responses={200: DeletedLeadSerializer(many=True), 400: FIELD_ERRORS},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def deleted(self, request):
        since = sync.parse_since(request.query_params.get("since", ""), "since")
        rows = sync.deleted_leads(user=request.user, since=since)
        return Response(DeletedLeadSerializer(rows, many=True).data)

    def _editable_object(self) -> Lead:
        lead = self.get_object()
        if not lead_is_editable_by(lead, self.request.user):
            raise PermissionDenied(_("You may not edit this lead."))
        return lead

    def _answer(self, lead: Lead, code: int = status.HTTP_200_OK) -> Response:
        # The caller just wrote this lead; after a change of owner they may no longer see it, but
        # they still get the result of their own write.
        fresh = with_list_extensions(
            Lead.objects.select_related("owner_user", "owner_queue", "created_by", "last_modified_by", "record_type")
        ).get(pk=lead.pk)
        return Response(LeadSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Create a lead",
        description="The owner is the caller. Status defaults to the picklist default. Add `?autoresponse=true` "
        '(or `"send_autoresponse": true` in the body) to send the auto-response email to the new lead. Add '
        '`?assign=true` (or `"use_assignment_rule": true`) to let the active assignment rule choose the owner; '
        "updates accept the same switch. When the duplicate rules find the lead a duplicate the answer is 409 "
        "with the records found; where the rule only alerts, `?allow_duplicates=true` (or "
        '`"allow_duplicates": true`) saves it anyway.',
        request=LeadSerializer,
        responses={201: LeadSerializer, 400: FIELD_ERRORS, 409: DUPLICATES_FOUND},
    )
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            with browser_messages(values):
                lead = lead_intake(
                    data=values["data"],
                    custom_fields=values["custom_fields"],
                    acting_user=request.user,
                    source="api",
                    assign=_assignment_asked(request),
                    # Auto-responses only when the caller asks for them; the email is queued on commit.
                    auto_respond=_switch(request, "autoresponse", "send_autoresponse"),
                    allow_duplicates=_duplicates_allowed(request),
                    record_type=values["record_type"] if values["record_type"] is not UNSET else None,
                ).lead
        except DuplicateLeadError as duplicate:
            return _duplicate_answer(duplicate)
        response = self._answer(lead, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{lead.pk}/")
        return response

    def _update(self, request, *, partial: bool) -> Response:
        lead = self._editable_object()
        serializer = self.get_serializer(lead, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            with browser_messages(values):
                extra = {} if values["record_type"] is UNSET else {"record_type": values["record_type"]}
                lead = lead_update(
                    lead=lead,
                    data=values["data"],
                    custom_fields=values["custom_fields"],
                    expected_version=values["expected_version"],
                    acting_user=request.user,
                    duplicates="api",
                    allow_duplicates=_duplicates_allowed(request),
                    **extra,
                )
        except DuplicateLeadError as duplicate:
            return _duplicate_answer(duplicate)
        except LeadEditConflict as conflict:
            return _conflict_answer(conflict)
        if _assignment_asked(request):
            lead = lead_assign(lead=lead, acting_user=request.user, note_source="API").lead
        return _version_checked(self._answer(lead), values["expected_version"])

    @extend_schema(
        summary="Replace a lead's fields",
        description="last_name and company are required; fields left out keep their values. "
        "Send `version` to be refused (409) if the lead changed since you read it; without it the write "
        "still succeeds, and the `X-Version-Check: unchecked` answer header says it was not checked.",
        request=LeadSerializer,
        parameters=[VERSION_CHECK],
        responses={
            200: LeadSerializer,
            400: FIELD_ERRORS,
            403: NOT_EDITABLE,
            404: NOT_FOUND,
            409: LeadConflictSerializer,
        },
    )
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a lead's fields",
        description="Send `version` to be refused (409) if the lead changed since you read it; without it the "
        "write still succeeds, and the `X-Version-Check: unchecked` answer header says it was not checked.",
        request=LeadSerializer,
        parameters=[VERSION_CHECK],
        responses={
            200: LeadSerializer,
            400: FIELD_ERRORS,
            403: NOT_EDITABLE,
            404: NOT_FOUND,
            409: LeadConflictSerializer,
        },
    )
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    @extend_schema(
        summary="Change a lead's owner",
        description="Send `version` to be refused (409) if the lead changed since you read it; without it the "
        "change still succeeds, and the `X-Version-Check: unchecked` answer header says it was not checked.",
        request=ChangeOwnerSerializer,
        parameters=[VERSION_CHECK],
        responses={
            200: LeadSerializer,
            400: FIELD_ERRORS,
            403: NOT_EDITABLE,
            404: NOT_FOUND,
            409: LeadConflictSerializer,
        },
    )
    @action(detail=True, methods=["post"], url_path="change-owner", filter_backends=[])
    def change_owner(self, request, pk=None):
        lead = self._editable_object()
        serializer = ChangeOwnerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        owner = owner_from_key(serializer.validated_data["owner"])
        if owner is None:
            raise serializers.ValidationError({"owner": [_("Choose an active user or an existing queue.")]})
        version = serializer.validated_data.get("version")
        try:
            lead = lead_change_owner(
                lead=lead,
                owner=owner,
                acting_user=request.user,
                note=serializer.validated_data.get("note", ""),
                expected_version=version,
            )
        except LeadEditConflict as conflict:
            return _conflict_answer(conflict)
        return _version_checked(self._answer(lead), version)

    @extend_schema(
        summary="A lead's field history",
        description="Newest first: one row per changed field.",
        responses={200: FieldChangeSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        lead = self.get_object()
        page = self.paginate_queryset(history_for(object_name=OBJECT_NAME, record_id=lead.pk))
        return self.get_paginated_response(FieldChangeSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="A lead's notes",
        responses={200: LeadNoteSerializer(many=True), 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a note to a lead",
        request=LeadNoteSerializer,
        responses={201: LeadNoteSerializer, 400: FIELD_ERRORS, 403: NOT_EDITABLE, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def notes(self, request, pk=None):
        if request.method == "GET":
            lead = self.get_object()
            page = self.paginate_queryset(lead_notes(lead=lead))
            return self.get_paginated_response(LeadNoteSerializer(page, many=True).data)
        lead = self._editable_object()
        serializer = LeadNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = lead_note_create(
            lead=lead,
            title=serializer.validated_data.get("title", ""),
            body=serializer.validated_data["body"],
            acting_user=request.user,
        )
        return Response(LeadNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Delete a lead",
        description="The lead goes to the Recycle Bin with its notes (see `/api/recycle-bin/`), where it can be "
        "restored until it is purged. Converted leads cannot be deleted (400).",
        responses={204: None, 400: FIELD_ERRORS, 403: NOT_DELETABLE, 404: NOT_FOUND},
    )
    def destroy(self, request, pk=None):
        lead_delete(lead=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
