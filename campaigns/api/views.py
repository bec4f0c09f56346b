"""The campaigns API. Every signed-in user reads campaigns and their members; marketing admins
create campaigns; marketing admins and a campaign's owner change it, its member status list and
its members (others get 403). Every write goes through ``campaigns.services``."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns import selectors, services
from campaigns.filters import CampaignFilter
from campaigns.models import Campaign, CampaignMember
from leads.selectors import leads_visible_to
from sales.selectors import contacts_visible_to

from .serializers import (
    CampaignMemberSerializer,
    CampaignSerializer,
    MembersAddedSerializer,
    MembersAddSerializer,
    MemberStatusSerializer,
    MemberUpdateSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
FORBIDDEN = OpenApiResponse(description="Only marketing admins and the campaign's owner may change it.")
READ_ONLY_KEYS = {"id", "owner_name", "created_at", "created_by", "last_modified_at", "last_modified_by"}


def _resolve(raw, finder, field: str, message: str):
    if raw in (None, ""):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit():
        raise ValidationError({field: [message]})
    found = finder(int(raw))
    if found is None:
        raise ValidationError({field: [message]})
    return found


def _split(body) -> dict:
    if not isinstance(body, dict):
        raise ValidationError({"non_field_errors": [_("Expected a JSON object.")]})
    data = {k: v for k, v in body.items() if k not in READ_ONLY_KEYS}
    extra = {}
    if "owner" in data:
        extra["owner"] = _resolve(
            data.pop("owner"),
            lambda pk: get_user_model().objects.filter(pk=pk, is_active=True).first(),
            "owner",
            _("Choose an active user."),
        )
    if "parent" in data:
        extra["parent"] = _resolve(
            data.pop("parent"), lambda pk: Campaign.objects.filter(pk=pk).first(), "parent", _("Choose a campaign.")
        )
    custom = data.pop("custom_fields", None)
    if custom is not None and not isinstance(custom, dict):
        raise ValidationError({"custom_fields": [_("Expected an object of field API names to values.")]})
    version = data.pop("version", None)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ValidationError({"version": [_("Expected the version number you read.")]})
    return {"data": data, "custom_fields": custom, "version": version, **extra}


def _status_value(raw):
    return int(raw) if isinstance(raw, str) and raw.isdigit() else raw


@extend_schema_view(
    list=extend_schema(summary="List campaigns", description="Every campaign (all users read all campaigns)."),
    retrieve=extend_schema(summary="A campaign"),
    create=extend_schema(
        summary="Create a campaign (marketing admins)",
        description="The campaign's fields as JSON, plus `owner` (user id, default: you), `parent` (campaign id) "
        "and `custom_fields` ({api name: value}). It starts with the member statuses Sent (default) and Responded.",
        request=CampaignSerializer,
        responses={201: CampaignSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Update a campaign",
        description="Only the fields given change; `version` (the version read) refuses a stale write with 400.",
        request=CampaignSerializer,
        responses={200: CampaignSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Update some fields of a campaign",
        request=CampaignSerializer,
        responses={200: CampaignSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
    destroy=extend_schema(summary="Delete a campaign and its members", responses={204: None, 403: FORBIDDEN}),
)
class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CampaignSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CampaignFilter

    def get_queryset(self):
        return selectors.campaigns_visible_to(self.request.user).order_by("id")

    def create(self, request, *args, **kwargs):
        parts = _split(request.data)
        parts.pop("version")
        campaign = services.campaign_create(acting_user=request.user, **parts)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        campaign = self.get_object()
        parts = _split(request.data)
        if "owner" in parts and parts["owner"] is None:
            raise ValidationError({"owner": [_("Choose an active user.")]})
        campaign = services.campaign_update(
            campaign=campaign, acting_user=request.user, expected_version=parts.pop("version"), **parts
        )
        return Response(CampaignSerializer(campaign).data)

    def destroy(self, request, *args, **kwargs):
        services.campaign_delete(campaign=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"], summary="List the campaign's members", responses=CampaignMemberSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Add leads and contacts to the campaign",
        description="Ids of leads and contacts you can see, with one member status (blank: the campaign's "
        "default). People already in the campaign are counted in `already_members` and left as they are; "
        "converted leads are listed in `refused`. An unknown id answers 400 and adds nobody.",
        request=MembersAddSerializer,
        responses={201: MembersAddedSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["get", "post"])
    def members(self, request, pk=None):
        campaign = self.get_object()
        if request.method == "GET":
            rows = selectors.campaign_members(campaign=campaign)
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(CampaignMemberSerializer(page, many=True).data)
        body = MembersAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lead_ids, contact_ids = set(body.validated_data.get("leads", [])), set(body.validated_data.get("contacts", []))
        leads = list(leads_visible_to(request.user, include_converted=True).filter(pk__in=lead_ids))
        contacts = list(contacts_visible_to(request.user).filter(pk__in=contact_ids))
        errors = {}
        for field, wanted, found in (("leads", lead_ids, leads), ("contacts", contact_ids, contacts)):
            missing = sorted(wanted - {r.pk for r in found})
            if missing:
                errors[field] = [
                    _("No such record, or you may not see it: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
                ]
        if errors:
            raise ValidationError(errors)
        result = services.campaign_members_add(
            campaign=campaign,
            leads=leads,
            contacts=contacts,
            status=_status_value(body.validated_data.get("status")),
            acting_user=request.user,
        )
        return Response(MembersAddedSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        summary="Change a member's status",
        request=MemberUpdateSerializer,
        responses={200: CampaignMemberSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    @extend_schema(methods=["DELETE"], summary="Remove a member", responses={204: None, 403: FORBIDDEN})
    @action(detail=True, methods=["patch", "delete"], url_path=r"members/(?P<member_pk>\d+)")
    def member(self, request, pk=None, member_pk=None):
        campaign = self.get_object()
        member = get_object_or_404(CampaignMember.objects.select_related("campaign"), pk=member_pk, campaign=campaign)
        if request.method == "DELETE":
            services.campaign_member_remove(member=member, acting_user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = MemberUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.campaign_member_update(
            member=member, status=_status_value(body.validated_data["status"]), acting_user=request.user
        )
        return Response(CampaignMemberSerializer(member).data)

    @extend_schema(
        methods=["GET"], summary="The campaign's member status list", responses=MemberStatusSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a member status",
        request=MemberStatusSerializer,
        responses={201: MemberStatusSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["get", "post"], url_path="member-statuses")
    def member_statuses(self, request, pk=None):
        campaign = self.get_object()
        if request.method == "GET":
            return Response(MemberStatusSerializer(selectors.member_statuses(campaign=campaign), many=True).data)
        body = MemberStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = services.member_status_create(campaign=campaign, acting_user=request.user, **body.validated_data)
        return Response(MemberStatusSerializer(created).data, status=status.HTTP_201_CREATED)
