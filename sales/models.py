"""Accounts, contacts, opportunities with their products and contact roles, the product catalogue
and record types."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from core.models import OBJECT_CHOICES, RecordType, RecordTypeDefault  # noqa: F401 (moved down to core, shared with leads)
from core.roles import display_name


class SalesRecord(models.Model):
    """What accounts, contacts and opportunities share: owner, record type, custom fields, audit
    columns and the version used to refuse stale edits."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record_type = models.ForeignKey(RecordType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified_at = models.DateTimeField()
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Bumped by every write; an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    @property
    def owner_name(self) -> str:
        return display_name(self.owner) if self.owner_id else ""


class Account(SalesRecord):
    """A company you sell to, with its contacts and opportunities."""

    name = models.CharField(gettext_lazy("account name"), max_length=255)
    website = models.CharField(max_length=255, blank=True)
    # The website's host without "www.", kept by the services; duplicate checks match on it.
    website_domain = models.CharField(max_length=255, blank=True, editable=False)
    phone = models.CharField(max_length=40, blank=True)
    type = models.CharField(max_length=120, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    rating = models.CharField(max_length=120, blank=True)
    annual_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    number_of_employees = models.PositiveIntegerField("employees", null=True, blank=True)
    billing_street = models.CharField(max_length=255, blank=True)
    billing_city = models.CharField(max_length=40, blank=True)
    billing_state = models.CharField(gettext_lazy("billing state/province"), max_length=80, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    billing_country = models.CharField(max_length=80, blank=True)
    description = models.TextField(max_length=32000, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="account_name_required"),
            models.CheckConstraint(
                condition=Q(annual_revenue__isnull=True) | Q(annual_revenue__gte=0), name="account_revenue_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "name"], name="account_owner_name_idx"),
            models.Index(fields=["website_domain"], name="account_domain_idx"),
            models.Index(fields=["-created_at", "-id"], name="account_created_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(SalesRecord):
    """A person, usually working for an account, who plays roles in opportunities."""

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    salutation = models.CharField(max_length=40, blank=True)
    first_name = models.CharField(max_length=40, blank=True)
    last_name = models.CharField(max_length=80)
    title = models.CharField(max_length=128, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    lead_source = models.CharField(max_length=120, blank=True)
    mailing_street = models.CharField(max_length=255, blank=True)
    mailing_city = models.CharField(max_length=40, blank=True)
    mailing_state = models.CharField(gettext_lazy("mailing state/province"), max_length=80, blank=True)
    mailing_postal_code = models.CharField(max_length=20, blank=True)
    mailing_country = models.CharField(max_length=80, blank=True)
    description = models.TextField(max_length=32000, blank=True)
    email_opt_out = models.BooleanField(default=False)
    do_not_call = models.BooleanField(default=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [models.CheckConstraint(condition=~Q(last_name=""), name="contact_last_name_required")]
        indexes = [
            models.Index(fields=["account", "last_name"], name="contact_account_idx"),
            models.Index(fields=["owner", "last_name"], name="contact_owner_idx"),
            models.Index(fields=["email"], name="contact_email_idx"),
            models.Index(fields=["-created_at", "-id"], name="contact_created_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.salutation, self.first_name, self.last_name) if p)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Opportunity(SalesRecord):
    """A deal with an account, moving through the stages of the sales process."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="opportunities")
    name = models.CharField(gettext_lazy("opportunity name"), max_length=120)
    stage = models.CharField(max_length=120)
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    close_date = models.DateField()
    probability = models.PositiveSmallIntegerField(gettext_lazy("probability (%)"), null=True, blank=True)
    lead_source = models.CharField(max_length=120, blank=True)
    next_step = models.CharField(max_length=255, blank=True)
    description = models.TextField(max_length=32000, blank=True)

    class Meta:
        ordering = ["close_date", "id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="opportunity_name_required"),
            models.CheckConstraint(condition=~Q(stage=""), name="opportunity_stage_required"),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__lte=100), name="opportunity_probability_percent"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="opportunity_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "close_date"], name="opportunity_account_idx"),
            models.Index(fields=["owner", "close_date"], name="opportunity_owner_idx"),
            models.Index(fields=["stage", "close_date"], name="opportunity_stage_idx"),
            models.Index(fields=["-created_at", "-id"], name="opportunity_created_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """An item of the product catalogue that opportunities sell."""

    name = models.CharField(gettext_lazy("product name"), max_length=255)
    product_code = models.CharField(max_length=80, blank=True)
    description = models.TextField(max_length=4000, blank=True)
    list_price = models.DecimalField(max_digits=18, decimal_places=2)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="product_name_required"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_positive"),
            # A code, when given, is unique whatever its case ("crm-pro" is "CRM-PRO").
            models.UniqueConstraint(Lower("product_code"), condition=~Q(product_code=""), name="sales_product_code_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityLineItem(models.Model):
    """A product on an opportunity; the database computes the total from quantity and unit price."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="line_items")
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(gettext_lazy("sales price"), max_digits=18, decimal_places=2)
    total_price = models.GeneratedField(
        expression=F("quantity") * F("unit_price"),
        output_field=models.DecimalField(max_digits=30, decimal_places=2),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="lineitem_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="lineitem_unit_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class OpportunityContactRole(models.Model):
    """The part a contact plays in an opportunity; at most one primary contact per opportunity."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="contact_roles")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="opportunity_roles")
    role = models.CharField(max_length=80, blank=True)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "contact"], name="contactrole_unique_contact"),
            models.UniqueConstraint(
                fields=["opportunity"], condition=Q(is_primary=True), name="contactrole_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.role or 'no role'})"
