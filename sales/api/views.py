"""The sales API: accounts, contacts, opportunities (with their products and contact roles), the
product catalogue and record types. Reads start from the user-scoped selectors; every write goes
through ``sales.services``; business-rule errors answer 400 with field errors."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.history import history_for
from core.roles import require_setup_admin
from sales import selectors, services
from sales.fields import ACCOUNT, CONTACT, OPPORTUNITY
from sales.filters import AccountFilter, ContactFilter, OpportunityFilter, ProductFilter
from sales.models import OpportunityContactRole, OpportunityLineItem, RecordType

from .serializers import (
    AccountSerializer,
    ContactRoleInputSerializer,
    ContactRoleSerializer,
    ContactSerializer,
    LineItemInputSerializer,
    LineItemSerializer,
    LineItemUpdateSerializer,
    OpportunitySerializer,
    ProductSerializer,
    RecordTypeSerializer,
    SalesFieldChangeSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
NOT_EDITABLE = OpenApiResponse(description="You may read this record but not edit it (owner and admins edit).")
CONFLICT = OpenApiResponse(description="The record changed since `version`; the body lists the changes.")

# Keys of the output that a client may send back unchanged; they are not input.
READ_ONLY_KEYS = {
    "id",
    "owner_name",
    "website_domain",
    "created_at",
    "created_by",
    "last_modified_at",
    "last_modified_by",
}


def _resolve(raw, finder, field: str, message: str):
    if raw in (None, ""):
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({field: [message]}) from None
    found = finder(pk)
    if found is None:
        raise ValidationError({field: [message]})
    return found


class _SalesRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Create and update take the record's fields as JSON, plus ``owner`` (user id), ``record_type``
    (id), ``custom_fields`` ({api name: value}), ``account`` (id, contacts and opportunities) and, on
    update, ``version`` (the version read: a stale write answers 409)."""

    object_name = ""
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        visible = {
            ACCOUNT: selectors.accounts_visible_to,
            CONTACT: selectors.contacts_visible_to,
            OPPORTUNITY: selectors.opportunities_visible_to,
        }[self.object_name]
        return visible(self.request.user).order_by("id")

    def _split(self, body, *, creating: bool) -> dict:
        if not isinstance(body, dict):
            raise ValidationError({"non_field_errors": [_("Expected a JSON object.")]})
        data = {k: v for k, v in body.items() if k not in READ_ONLY_KEYS}
        extra = {}
        if "owner" in data:
            extra["owner"] = _resolve(
                data.pop("owner"),
                lambda pk: get_user_model().objects.filter(pk=pk, is_active=True).first(),
                "owner",
                "Choose an active user.",
            )
        if "record_type" in data:
            extra["record_type"] = _resolve(
                data.pop("record_type"),
                lambda pk: RecordType.objects.filter(pk=pk, object_name=self.object_name).first(),
                "record_type",
                "Choose a record type of this object.",
            )
        if "account" in data and self.object_name != ACCOUNT:
            extra["account"] = _resolve(
                data.pop("account"),
                lambda pk: selectors.accounts_visible_to(self.request.user).filter(pk=pk).first(),
                "account",
                "Choose an existing account.",
            )
        custom = data.pop("custom_fields", None)
        if custom is not None and not isinstance(custom, dict):
            raise ValidationError({"custom_fields": [_("Expected an object of field API names to values.")]})
        version = data.pop("version", None)
        if not creating and version is not None and not isinstance(version, int):
            raise ValidationError({"version": [_("Expected the version number you read.")]})
        return {"data": data, "custom_fields": custom, "version": version, **extra}

    def create(self, request, *args, **kwargs):
        parts = self._split(request.data, creating=True)
        parts.pop("version")
        if self.object_name == OPPORTUNITY and parts.get("account") is None:
            raise ValidationError({"account": [_("Choose the account of the opportunity.")]})
        create = {
            ACCOUNT: services.account_create,
            CONTACT: services.contact_create,
            OPPORTUNITY: services.opportunity_create,
        }[self.object_name]
        record = create(acting_user=request.user, **parts)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        record = self.get_object()
        parts = self._split(request.data, creating=False)
        expected = parts.pop("version")
        if "owner" in parts and parts["owner"] is None:
            raise ValidationError({"owner": [_("Choose an active user.")]})
        update = {
            ACCOUNT: services.account_update,
            CONTACT: services.contact_update,
            OPPORTUNITY: services.opportunity_update,
        }[self.object_name]
        try:
            record = update(**{self.object_name: record}, acting_user=request.user, expected_version=expected, **parts)
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from None
        except services.RecordEditConflict as exc:
            return Response(
                {
                    "detail": str(exc),
                    "version": exc.record.version,
                    "changes": SalesFieldChangeSerializer(exc.changes, many=True).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(self.get_serializer(record).data)

    @extend_schema(
        summary="Delete the record",
        description="The record goes to the Recycle Bin (see `/api/recycle-bin/`) with its products and contact "
        "roles; it can be restored from there. An account that still has opportunities is refused (400).",
        responses={204: None, 400: OpenApiResponse(description="Why it cannot be deleted."), 403: None, 404: None},
    )
    def destroy(self, request, *args, **kwargs):
        record = self.get_object()
        delete = {
            ACCOUNT: services.account_delete,
            CONTACT: services.contact_delete,
            OPPORTUNITY: services.opportunity_delete,
        }[self.object_name]
        delete(**{self.object_name: record}, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Field history of the record", responses=SalesFieldChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        record = self.get_object()
        rows = history_for(object_name=self.object_name, record_id=record.pk)[:200]
        return Response(SalesFieldChangeSerializer(rows, many=True).data)


_WRITE_RESPONSES = {400: FIELD_ERRORS, 403: NOT_EDITABLE, 409: CONFLICT}


@extend_schema_view(
    list=extend_schema(summary="List accounts", description="Every account (all users read all accounts)."),
    create=extend_schema(
        summary="Create an account", request=AccountSerializer, responses={201: AccountSerializer, 400: FIELD_ERRORS}
    ),
    update=extend_schema(
        summary="Update an account", request=AccountSerializer, responses={200: AccountSerializer, **_WRITE_RESPONSES}
    ),
    partial_update=extend_schema(
        summary="Update some fields of an account",
        request=AccountSerializer,
        responses={200: AccountSerializer, **_WRITE_RESPONSES},
    ),
)
class AccountViewSet(_SalesRecordViewSet):
    object_name = ACCOUNT
    serializer_class = AccountSerializer
    filterset_class = AccountFilter


@extend_schema_view(
    list=extend_schema(summary="List contacts", description="Every contact; `account=<id>` for one account's."),
    create=extend_schema(
        summary="Create a contact", request=ContactSerializer, responses={201: ContactSerializer, 400: FIELD_ERRORS}
    ),
    update=extend_schema(
        summary="Update a contact", request=ContactSerializer, responses={200: ContactSerializer, **_WRITE_RESPONSES}
    ),
    partial_update=extend_schema(
        summary="Update some fields of a contact",
        request=ContactSerializer,
        responses={200: ContactSerializer, **_WRITE_RESPONSES},
    ),
)
class ContactViewSet(_SalesRecordViewSet):
    object_name = CONTACT
    serializer_class = ContactSerializer
    filterset_class = ContactFilter


@extend_schema_view(
    list=extend_schema(
        summary="List opportunities", description="Every opportunity; `open=true` leaves closed ones out."
    ),
    create=extend_schema(
        summary="Create an opportunity",
        request=OpportunitySerializer,
        responses={201: OpportunitySerializer, 400: FIELD_ERRORS},
    ),
    update=extend_schema(
        summary="Update an opportunity",
        request=OpportunitySerializer,
        responses={200: OpportunitySerializer, **_WRITE_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Update some fields of an opportunity",
        request=OpportunitySerializer,
        responses={200: OpportunitySerializer, **_WRITE_RESPONSES},
    ),
)
class OpportunityViewSet(_SalesRecordViewSet):
    object_name = OPPORTUNITY
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilter

    def _editable(self):
        opportunity = self.get_object()
        if not selectors.record_is_editable_by(opportunity, self.request.user):
            raise PermissionDenied(_("Only the owner and admins may change this opportunity."))
        return opportunity

    @extend_schema(methods=["get"], summary="Products of the opportunity", responses=LineItemSerializer(many=True))
    @extend_schema(
        methods=["post"],
        summary="Add a product (the sales price defaults to the list price; the amount becomes the sum)",
        request=LineItemInputSerializer,
        responses={201: LineItemSerializer, 400: FIELD_ERRORS, 403: NOT_EDITABLE},
    )
    @action(detail=True, methods=["get", "post"], url_path="products")
    def products(self, request, pk=None):
        if request.method == "GET":
            opportunity = self.get_object()
            return Response(
                LineItemSerializer(selectors.opportunity_line_items(opportunity=opportunity), many=True).data
            )
        opportunity = self._editable()
        serializer = LineItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.opportunity_line_item_add(
            opportunity=opportunity, acting_user=request.user, **serializer.validated_data
        )
        return Response(LineItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["patch", "put"],
        summary="Change a product's quantity and sales price",
        request=LineItemUpdateSerializer,
        responses={200: LineItemSerializer, 400: FIELD_ERRORS, 403: NOT_EDITABLE},
    )
    @extend_schema(methods=["delete"], summary="Remove a product", responses={204: None, 403: NOT_EDITABLE})
    @action(detail=True, methods=["patch", "put", "delete"], url_path=r"products/(?P<item_pk>\d+)")
    def product_item(self, request, pk=None, item_pk=None):
        opportunity = self._editable()
        item = get_object_or_404(
            OpportunityLineItem.objects.select_related("product"), pk=item_pk, opportunity=opportunity
        )
        if request.method == "DELETE":
            services.opportunity_line_item_remove(line_item=item, acting_user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = LineItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.opportunity_line_item_update(
            line_item=item, acting_user=request.user, **serializer.validated_data
        )
        return Response(LineItemSerializer(item).data)

    @extend_schema(
        methods=["get"], summary="Contact roles of the opportunity", responses=ContactRoleSerializer(many=True)
    )
    @extend_schema(
        methods=["post"],
        summary="Add a contact role",
        description="The contact must be a contact of the opportunity's account; any other answers 400 "
        "with an error on `contact`.",
        request=ContactRoleInputSerializer,
        responses={201: ContactRoleSerializer, 400: FIELD_ERRORS, 403: NOT_EDITABLE},
    )
    @action(detail=True, methods=["get", "post"], url_path="contact-roles")
    def contact_roles(self, request, pk=None):
        if request.method == "GET":
            opportunity = self.get_object()
            return Response(
                ContactRoleSerializer(selectors.opportunity_contact_roles(opportunity=opportunity), many=True).data
            )
        opportunity = self._editable()
        serializer = ContactRoleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        role = services.opportunity_contact_role_add(
            opportunity=opportunity, acting_user=request.user, **serializer.validated_data
        )
        return Response(ContactRoleSerializer(role).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["delete"], summary="Remove a contact role", responses={204: None, 403: NOT_EDITABLE})
    @action(detail=True, methods=["delete"], url_path=r"contact-roles/(?P<role_pk>\d+)")
    def contact_role_item(self, request, pk=None, role_pk=None):
        opportunity = self._editable()
        role = get_object_or_404(OpportunityContactRole, pk=role_pk, opportunity=opportunity)
        services.opportunity_contact_role_remove(contact_role=role, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List products of the catalogue"),
    create=extend_schema(summary="Create a product (admins)", responses={201: ProductSerializer, 400: FIELD_ERRORS}),
    update=extend_schema(summary="Update a product (admins)", responses={200: ProductSerializer, 400: FIELD_ERRORS}),
    partial_update=extend_schema(summary="Update some fields of a product (admins)"),
)
class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProductSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter

    def get_queryset(self):
        return selectors.products()

    def create(self, request, *args, **kwargs):
        require_setup_admin(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(data=dict(serializer.validated_data), acting_user=request.user)
        return Response(self.get_serializer(product).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        require_setup_admin(request.user)
        product = self.get_object()
        serializer = self.get_serializer(product, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product = services.product_update(
            product=product, data=dict(serializer.validated_data), acting_user=request.user
        )
        return Response(self.get_serializer(product).data)


@extend_schema_view(
    list=extend_schema(summary="List record types"),
    create=extend_schema(
        summary="Create a record type (admins)", responses={201: RecordTypeSerializer, 400: FIELD_ERRORS}
    ),
    update=extend_schema(
        summary="Update a record type (admins)", responses={200: RecordTypeSerializer, 400: FIELD_ERRORS}
    ),
    partial_update=extend_schema(summary="Update some fields of a record type (admins)"),
)
class RecordTypeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RecordTypeSerializer
    filter_backends = []

    def get_queryset(self):
        qs = selectors.record_type_list()
        object_name = self.request.query_params.get("object_name")
        return qs.filter(object_name=object_name) if object_name else qs

    def create(self, request, *args, **kwargs):
        require_setup_admin(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        record_type = services.record_type_create(
            object_name=data["object_name"],
            name=data["name"],
            description=data.get("description", ""),
            is_active=data.get("is_active", True),
            picklist_values=data.get("picklist_values", []),
            acting_user=request.user,
        )
        return Response(self.get_serializer(record_type).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        require_setup_admin(request.user)
        record_type = self.get_object()
        serializer = self.get_serializer(record_type, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "object_name" in data and data["object_name"] != record_type.object_name:
            raise ValidationError({"object_name": [_("The object of a record type cannot change.")]})
        record_type = services.record_type_update(
            record_type=record_type,
            name=data.get("name"),
            description=data.get("description"),
            is_active=data.get("is_active"),
            picklist_values=data.get("picklist_values"),
            acting_user=request.user,
        )
        return Response(self.get_serializer(record_type).data)
