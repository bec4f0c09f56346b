"""Lead conversion: the record of each conversion and the custom-field mapping admins configure."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class LeadFieldMapping(models.Model):
    """A custom lead field copied into a custom field of an account, contact or opportunity when a
    lead is converted. Type compatibility is checked by ``conversion.services`` when it is saved."""

    class Target(models.TextChoices):
        ACCOUNT = "account", gettext_lazy("Account")
        CONTACT = "contact", gettext_lazy("Contact")
        OPPORTUNITY = "opportunity", gettext_lazy("Opportunity")

    lead_field = models.ForeignKey(
        "core.FieldDefinition", on_delete=models.CASCADE, related_name="conversion_mappings_from"
    )
    target_object = models.CharField(max_length=20, choices=Target.choices)
    target_field = models.ForeignKey(
        "core.FieldDefinition", on_delete=models.CASCADE, related_name="conversion_mappings_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["target_object", "id"]
        constraints = [
            # A lead field feeds at most one field of each object, and a target field has one source.
            models.UniqueConstraint(fields=["lead_field", "target_object"], name="mapping_one_target_per_object"),
            models.UniqueConstraint(fields=["target_field"], name="mapping_one_source_per_target"),
            models.CheckConstraint(
                condition=Q(target_object__in=["account", "contact", "opportunity"]), name="mapping_target_object"
            ),
        ]

    def __str__(self) -> str:
        return f"lead.{self.lead_field.api_name} -> {self.target_object}.{self.target_field.api_name}"


class LeadConversion(models.Model):
    """The conversion of one lead: the account, contact and opportunity it produced or joined."""

    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, related_name="conversion")
    # Kept when the records are later deleted: the lead still shows that it was converted.
    account = models.ForeignKey(
        "sales.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_conversions"
    )
    contact = models.ForeignKey(
        "sales.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_conversions"
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_conversions"
    )
    account_created = models.BooleanField(default=True)
    contact_created = models.BooleanField(default=True)
    converted_status = models.CharField(max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="lead_conversions"
    )
    converted_at = models.DateTimeField()
    send_email = models.BooleanField(default=False)

    class Meta:
        ordering = ["-converted_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(converted_status=""), name="conversion_status_required")]
        indexes = [models.Index(fields=["-converted_at"], name="conversion_converted_at_idx")]

    def __str__(self) -> str:
        return f"Conversion of lead {self.lead_id}"
