"""The duplicate management API: matching rules and the duplicate rule (setup admins), a lead's
possible duplicates, merges and their undo (leads the caller may edit), and duplicate jobs.
Writes go through ``dedupe.services``."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core import rules
from core.api.serializers import validated_input
from core.roles import is_marketing_admin, is_system_admin
from leads.selectors import leads_visible_to

from .. import selectors, services
from ..models import DuplicateJob, DuplicateRule, DuplicateRuleEntry, LeadMerge, MatchingRule
from ..services.screen import describe_matches
from .serializers import (
    DuplicateGroupSerializer,
    DuplicateJobInputSerializer,
    DuplicateJobSerializer,
    DuplicateRuleEntryInputSerializer,
    DuplicateRuleEntrySerializer,
    DuplicateRuleInputSerializer,
    DuplicateRuleSerializer,
    LeadMergeSerializer,
    MatchingRuleInputSerializer,
    MatchingRuleSerializer,
    MatchSerializer,
    MergeInputSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
FORBIDDEN = OpenApiResponse(description="Only system and marketing admins set up duplicate management.")


def _require_setup(user) -> None:
    if not (is_system_admin(user) or is_marketing_admin(user)):
        raise PermissionDenied(_("Only admins set up duplicate management."))


class SetupViewSet(viewsets.GenericViewSet):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _require_setup(request.user)


@extend_schema_view(
    list=extend_schema(summary="List matching rules"),
    retrieve=extend_schema(summary="A matching rule"),
    create=extend_schema(
        summary="Create a matching rule",
        description="Every method switched on must match: email (exact, or normalised: case and plus-addressing, "
        "and Gmail's dots with `gmail_dots`), phone numbers in E.164, company names without legal suffixes, "
        "punctuation and accents, and first/last names with a trigram similarity of at least `name_threshold`.",
        request=MatchingRuleInputSerializer,
        responses={201: MatchingRuleSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Change a matching rule",
        request=MatchingRuleInputSerializer,
        responses={200: MatchingRuleSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    destroy=extend_schema(
        summary="Delete a matching rule no duplicate rule uses", responses={204: None, 400: FIELD_ERRORS}
    ),
)
class MatchingRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    SetupViewSet,
):
    serializer_class = MatchingRuleSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = MatchingRule.objects.order_by("name", "id")

    def create(self, request, *args, **kwargs):
        rule = services.matching_rule_create(
            data=validated_input(MatchingRuleInputSerializer, request), acting_user=request.user
        )
        return Response(MatchingRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        rule = services.matching_rule_update(
            rule=self.get_object(), data=validated_input(MatchingRuleInputSerializer, request), acting_user=request.user
        )
        return Response(MatchingRuleSerializer(rule).data)

    def destroy(self, request, *args, **kwargs):
        services.matching_rule_delete(rule=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List duplicate rules"),
    retrieve=extend_schema(summary="A duplicate rule with its entries"),
    create=extend_schema(
        summary="Create a duplicate rule",
        description="It starts inactive and empty: add entries, then activate it (one rule is active at a time).",
        request=DuplicateRuleInputSerializer,
        responses={201: DuplicateRuleSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Rename a duplicate rule",
        request=DuplicateRuleInputSerializer,
        responses={200: DuplicateRuleSerializer, 400: FIELD_ERRORS},
    ),
    destroy=extend_schema(summary="Delete an inactive duplicate rule", responses={204: None, 400: FIELD_ERRORS}),
)
class DuplicateRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    SetupViewSet,
):
    serializer_class = DuplicateRuleSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = DuplicateRule.objects.prefetch_related("entries").order_by("name", "id")

    def _answer(self, rule, code=status.HTTP_200_OK) -> Response:
        return Response(DuplicateRuleSerializer(self.get_queryset().get(pk=rule.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        values = validated_input(DuplicateRuleInputSerializer, request)
        rule = rules.rule_create(kind=services.DUPLICATE, acting_user=request.user, **values)
        return self._answer(rule, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        rule = self.get_object()
        values = {"name": rule.name, "description": rule.description, **(request.data or {})}
        serializer = DuplicateRuleInputSerializer(data=values)
        serializer.is_valid(raise_exception=True)
        rule = rules.rule_update(
            kind=services.DUPLICATE, rule=rule, acting_user=request.user, **serializer.validated_data
        )
        return self._answer(rule)

    def destroy(self, request, *args, **kwargs):
        rules.rule_delete(kind=services.DUPLICATE, rule=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Make this the active duplicate rule",
        request=None,
        responses={200: DuplicateRuleSerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._answer(
            rules.rule_activate(kind=services.DUPLICATE, rule=self.get_object(), acting_user=request.user)
        )

    @extend_schema(summary="Deactivate the duplicate rule", request=None, responses={200: DuplicateRuleSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        return self._answer(
            rules.rule_deactivate(kind=services.DUPLICATE, rule=self.get_object(), acting_user=request.user)
        )

    @extend_schema(
        summary="Add an entry",
        description="Criteria choose the new leads the entry applies to (blank: all); `matching_rule` finds the "
        "duplicates; each `action_*` says what that entry point does: allow, alert (a person may save anyway; "
        "the API with `allow_duplicates`), block, or attach (Web-to-Lead, import and bulk only: the submission "
        "fills the existing lead's blank fields instead of making a second lead).",
        request=DuplicateRuleEntryInputSerializer,
        responses={201: DuplicateRuleEntrySerializer, 400: FIELD_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def entries(self, request, pk=None):
        data = validated_input(DuplicateRuleEntryInputSerializer, request)
        entry = services.duplicate_entry_create(rule=self.get_object(), data=data, acting_user=request.user)
        return Response(DuplicateRuleEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    partial_update=extend_schema(
        summary="Change a duplicate rule entry",
        request=DuplicateRuleEntryInputSerializer,
        responses={200: DuplicateRuleEntrySerializer, 400: FIELD_ERRORS},
    ),
    destroy=extend_schema(summary="Delete a duplicate rule entry", responses={204: None}),
    retrieve=extend_schema(summary="A duplicate rule entry"),
)
class DuplicateRuleEntryViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, SetupViewSet
):
    serializer_class = DuplicateRuleEntrySerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]
    queryset = DuplicateRuleEntry.objects.order_by("id")

    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        current = DuplicateRuleEntrySerializer(entry).data
        serializer = DuplicateRuleEntryInputSerializer(data={**current, **(request.data or {})})
        serializer.is_valid(raise_exception=True)
        entry = services.duplicate_entry_update(
            entry=entry, data=dict(serializer.validated_data), acting_user=request.user
        )
        return Response(DuplicateRuleEntrySerializer(entry).data)

    def destroy(self, request, *args, **kwargs):
        rules.entry_delete(kind=services.DUPLICATE, entry=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LeadDuplicatesView(APIView):
    @extend_schema(
        summary="A lead's possible duplicates",
        description="Leads and contacts like this lead under the matching rules of the active duplicate rule (every "
        "matching rule when none is active), best first, each with the rule and score that found it.",
        responses={200: MatchSerializer(many=True), 404: OpenApiResponse(description="No lead you may read.")},
    )
    def get(self, request, pk: int):
        lead = get_object_or_404(leads_visible_to(request.user, include_converted=True), pk=pk)
        return Response(
            MatchSerializer(describe_matches(services.lead_duplicates(lead=lead), user=request.user), many=True).data
        )


class LeadMergeView(APIView):
    @extend_schema(
        summary="Merge leads",
        description="Up to three leads: `merged_ids` go into `master_id`, which takes `values` (field -> value) "
        "and `value_from` (field -> id of the lead whose value it takes). Notes, history, emails, engagement "
        "events, campaign memberships, activities, consent, enrolments and scores move to the master; the merged "
        "leads go to the Recycle Bin. You must be able to edit every lead. Undo with `POST /api/merges/{id}/undo/`.",
        request=MergeInputSerializer,
        responses={
            201: LeadMergeSerializer,
            400: FIELD_ERRORS,
            403: OpenApiResponse(description="A lead you may not edit."),
        },
    )
    def post(self, request):
        data = validated_input(MergeInputSerializer, request)
        merge = services.lead_merge(acting_user=request.user, **data)
        return Response(LeadMergeSerializer(merge).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Merges you made (admins: every merge)"),
    retrieve=extend_schema(summary="A merge"),
)
class MergeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LeadMergeSerializer
    queryset = LeadMerge.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LeadMerge.objects.none()
        return selectors.merges_of(user=self.request.user)

    @extend_schema(
        summary="Undo a merge",
        description="The merged leads come back from the Recycle Bin with their related rows, and the master's "
        "fields the merge changed (and no one changed since) take their earlier values.",
        request=None,
        responses={200: LeadMergeSerializer, 400: FIELD_ERRORS, 403: OpenApiResponse(description="Not yours to undo.")},
    )
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        merge = self.get_object()
        return Response(LeadMergeSerializer(services.lead_merge_undo(merge=merge, acting_user=request.user)).data)


@extend_schema_view(
    list=extend_schema(summary="Duplicate jobs"),
    retrieve=extend_schema(summary="A duplicate job and its progress"),
    create=extend_schema(
        summary="Scan every lead with a matching rule",
        description="Runs in the background; poll the job for `scanned`/`total`, then read its groups. With "
        "`include_contacts` the leads are also compared with the contacts (a group lists the contacts like its "
        "leads) and the contacts among themselves.",
        request=DuplicateJobInputSerializer,
        responses={201: DuplicateJobSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
)
class DuplicateJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, SetupViewSet):
    serializer_class = DuplicateJobSerializer

    def get_queryset(self):
        return selectors.duplicate_jobs()

    def create(self, request, *args, **kwargs):
        values = validated_input(DuplicateJobInputSerializer, request)
        rule = MatchingRule.objects.filter(pk=values["matching_rule"]).first()
        if rule is None:
            raise ValidationError({"matching_rule": [_("Choose a matching rule.")]})
        job = services.duplicate_job_start(
            matching_rule=rule, acting_user=request.user, include_contacts=values["include_contacts"]
        )
        return Response(DuplicateJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="The groups a duplicate job found", responses={200: DuplicateGroupSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def groups(self, request, pk=None):
        job: DuplicateJob = self.get_object()
        rows = []
        for row in selectors.duplicate_groups(job=job, user=request.user):
            rows.append(
                {
                    "id": row.group.pk,
                    "key_lead_id": row.group.key_lead_id,
                    "key_contact_id": row.group.key_contact_id,
                    "lead_ids": [lead.pk for lead in row.leads],
                    "contact_ids": [contact.pk for contact in row.contacts],
                    "score": row.group.score,
                }
            )
        return Response(DuplicateGroupSerializer(rows, many=True).data)
