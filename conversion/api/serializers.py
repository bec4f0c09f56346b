"""Input and output shapes of the conversion API; the service validates the business rules."""

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from conversion.services import BULK_LIMIT, MAX_PRODUCTS, ConvertOptions, ProductLine


class ProductLineSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    unit_price = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Default: list price."),
    )


class ConvertSerializer(serializers.Serializer):
    """Options of one conversion: the same choices as the convert page."""

    account = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("An existing account's id; omit or null: create one."),
    )
    contact = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("An existing contact of that account; omit or null: create one."),
    )
    create_opportunity = serializers.BooleanField(default=True)
    opportunity_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text=gettext_lazy("Default: “<Company>-”.")
    )
    close_date = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("Default: end of the quarter.")
    )
    stage = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text=gettext_lazy("Stage api name.")
    )
    products = ProductLineSerializer(many=True, required=False, max_length=MAX_PRODUCTS)
    owner = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Default: the lead's owner (you for a queue's lead)."),
    )
    converted_status = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text=gettext_lazy("A Lead Status flagged converted.")
    )
    send_email = serializers.BooleanField(default=False)

    def to_options(self) -> ConvertOptions:
        return options_from(self.validated_data)


def options_from(data: dict) -> ConvertOptions:
    """Validated conversion input -> the service's options."""
    return ConvertOptions(
        account_id=data.get("account"),
        contact_id=data.get("contact"),
        create_opportunity=data.get("create_opportunity", True),
        opportunity_name=data.get("opportunity_name", ""),
        close_date=data.get("close_date"),
        stage=data.get("stage", ""),
        products=[
            ProductLine(product_id=p["product"], quantity=p["quantity"], unit_price=p.get("unit_price"))
            for p in data.get("products", [])
        ],
        owner_id=data.get("owner"),
        converted_status=data.get("converted_status", ""),
        send_email=data.get("send_email", False),
    )


class BulkItemSerializer(ConvertSerializer):
    id = serializers.IntegerField(min_value=1, help_text=gettext_lazy("The lead's id."))


class BulkConvertSerializer(serializers.Serializer):
    leads = BulkItemSerializer(many=True, allow_empty=False, max_length=BULK_LIMIT)


class ConversionSerializer(serializers.Serializer):
    """The records a conversion produced or joined."""

    lead = serializers.IntegerField(source="lead_id")
    account = serializers.IntegerField(source="account_id")
    contact = serializers.IntegerField(source="contact_id")
    opportunity = serializers.IntegerField(source="opportunity_id", allow_null=True)
    account_created = serializers.BooleanField()
    contact_created = serializers.BooleanField()
    converted_status = serializers.CharField()
    converted_at = serializers.DateTimeField()


class BulkResultSerializer(serializers.Serializer):
    lead = serializers.IntegerField()
    success = serializers.BooleanField()
    account = serializers.IntegerField(allow_null=True)
    contact = serializers.IntegerField(allow_null=True)
    opportunity = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), allow_null=True)


class BulkResponseSerializer(serializers.Serializer):
    converted = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = BulkResultSerializer(many=True)
