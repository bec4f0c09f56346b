"""Output shapes of the sales API and the input shapes of its smaller actions. Record writes pass
the body to the services, which validate it (the exception handler turns their errors into 400s)."""

from rest_framework import serializers

from core.models import PicklistValue
from sales.models import (
    Account,
    Contact,
    Opportunity,
    OpportunityContactRole,
    OpportunityLineItem,
    Product,
    RecordType,
)

_SYSTEM = ["id", "owner", "owner_name", "record_type", "custom_fields", "version"]
_AUDIT = ["created_at", "created_by", "last_modified_at", "last_modified_by"]


class _RecordSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(read_only=True)


class AccountSerializer(_RecordSerializer):
    class Meta:
        model = Account
        fields = [
            *_SYSTEM,
            "name",
            "website",
            "website_domain",
            "phone",
            "type",
            "industry",
            "rating",
            "annual_revenue",
            "number_of_employees",
            "billing_street",
            "billing_city",
            "billing_state",
            "billing_postal_code",
            "billing_country",
            "description",
            *_AUDIT,
        ]
        read_only_fields = fields


class ContactSerializer(_RecordSerializer):
    class Meta:
        model = Contact
        fields = [
            *_SYSTEM,
            "account",
            "salutation",
            "first_name",
            "last_name",
            "title",
            "email",
            "phone",
            "mobile",
            "lead_source",
            "mailing_street",
            "mailing_city",
            "mailing_state",
            "mailing_postal_code",
            "mailing_country",
            "description",
            "email_opt_out",
            "do_not_call",
            *_AUDIT,
        ]
        read_only_fields = fields


class OpportunitySerializer(_RecordSerializer):
    class Meta:
        model = Opportunity
        fields = [
            *_SYSTEM,
            "account",
            "name",
            "stage",
            "amount",
            "close_date",
            "probability",
            "lead_source",
            "next_step",
            "description",
            *_AUDIT,
        ]
        read_only_fields = fields


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "product_code", "description", "list_price", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness and ranges are the service's to check (one place, one message).
        extra_kwargs = {"product_code": {"validators": []}}
        validators = []


class LineItemSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    total_price = serializers.DecimalField(max_digits=30, decimal_places=2, read_only=True)

    class Meta:
        model = OpportunityLineItem
        fields = ["id", "opportunity", "product", "product_name", "quantity", "unit_price", "total_price"]
        read_only_fields = ["id", "opportunity", "product_name", "total_price"]


class LineItemInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=2, required=False, allow_null=True)


class LineItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=2)


class ContactRoleSerializer(serializers.ModelSerializer):
    contact_name = serializers.SerializerMethodField()

    class Meta:
        model = OpportunityContactRole
        fields = ["id", "opportunity", "contact", "contact_name", "role", "is_primary"]
        read_only_fields = ["id", "opportunity", "contact_name"]

    def get_contact_name(self, obj) -> str:
        return obj.contact.full_name


class ContactRoleInputSerializer(serializers.Serializer):
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all())
    role = serializers.CharField(required=False, allow_blank=True, default="")
    is_primary = serializers.BooleanField(required=False, default=False)


class RecordTypeSerializer(serializers.ModelSerializer):
    picklist_values = serializers.PrimaryKeyRelatedField(
        many=True, queryset=PicklistValue.objects.all(), required=False
    )

    class Meta:
        model = RecordType
        fields = [
            "id",
            "object_name",
            "name",
            "description",
            "is_active",
            "picklist_values",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # the service checks the unique name with a clear message


class SalesFieldChangeSerializer(serializers.Serializer):
    field_name = serializers.CharField()
    field_label = serializers.CharField()
    old_value = serializers.CharField()
    new_value = serializers.CharField()
    changed_at = serializers.DateTimeField()
    record_version = serializers.IntegerField()
