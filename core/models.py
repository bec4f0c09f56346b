"""Models every CRM object shares: organisation settings, picklists, field metadata, history."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class OrgSettings(models.Model):
    """Organisation-wide settings; a single row (pk=1), read through ``core.selectors``."""

    class LeadAccess(models.TextChoices):
        PRIVATE = "private", _("Private")
        PUBLIC_READ_ONLY = "public_read", _("Public Read Only")
        PUBLIC_READ_WRITE = "public_read_write", _("Public Read/Write")

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    lead_access = models.CharField(max_length=20, choices=LeadAccess.choices, default=LeadAccess.PRIVATE)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "organisation settings"
        verbose_name_plural = "organisation settings"
        constraints = [models.CheckConstraint(condition=Q(singleton=1), name="orgsettings_single_row")]
        # App permissions: what a user may do across objects. Roles grant them by default
        # (core.roles.grant) and permission sets grant them to particular users on top of a role.
        permissions = [
            ("export_records", "Export"),
            ("manage_campaigns", "Manage Campaigns"),
        ]

    def __str__(self) -> str:
        return "Organisation settings"


class PicklistValue(models.Model):
    """One value of a picklist field of an object; records store ``api_name`` as text."""

    object_name = models.CharField(max_length=40)
    field_name = models.CharField(max_length=80)
    api_name = models.CharField(max_length=120)
    label = models.CharField(max_length=120)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    # Flags used by particular picklists (lead status, opportunity stage...).
    is_converted = models.BooleanField(default=False)
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    probability = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["object_name", "field_name", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_name", "field_name", "api_name"], name="picklist_value_unique_api_name"
            ),
            models.UniqueConstraint(F("object_name"), F("field_name"), Lower("label"), name="picklist_value_label_ci"),
            models.UniqueConstraint(
                fields=["object_name", "field_name"],
                condition=Q(is_default=True),
                name="picklist_one_default_per_field",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(is_active=True), name="picklist_default_is_active"
            ),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__lte=100),
                name="picklist_probability_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_name}.{self.field_name}: {self.label}"

    @property
    def display_label(self) -> str:
        """The label in the user's language (``core.translation``)."""
        from .translation import picklist_value_label

        return picklist_value_label(self)


OBJECT_CHOICES = [("account", "Account"), ("contact", "Contact"), ("opportunity", "Opportunity"), ("lead", "Lead")]


class RecordType(models.Model):
    """A flavour of an object (e.g. Enterprise and SMB opportunities, Inbound and Partner leads)
    offering its own picklist values.

    For each picklist field, the values chosen here are the ones offered; a field with no value chosen
    offers all its active values. Kept in core so that every object (sales objects and leads) shares
    one mechanism; the tables keep the names they were created with.
    """

    object_name = models.CharField(max_length=40, choices=OBJECT_CHOICES)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    # The organisation's default for the object: what a user with no default of their own (or of
    # their role) gets, and what records without a record type follow.
    is_org_default = models.BooleanField(default=False)
    # The page layout: the keys of the field sections shown on the record page and edit form, in
    # order (empty: every section).
    layout_sections = models.JSONField(default=list, blank=True)
    picklist_values = models.ManyToManyField(PicklistValue, blank=True, related_name="record_types")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sales_recordtype"
        ordering = ["object_name", "name"]
        constraints = [
            # One name per object whatever its case ("SMB" and "smb" are the same record type).
            models.UniqueConstraint("object_name", Lower("name"), name="sales_recordtype_name_ci"),
            models.CheckConstraint(condition=~Q(name=""), name="recordtype_name_required"),
            models.UniqueConstraint(
                fields=["object_name"], condition=Q(is_org_default=True), name="recordtype_one_org_default"
            ),
            models.CheckConstraint(
                condition=Q(is_org_default=False) | Q(is_active=True), name="recordtype_org_default_is_active"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RecordTypeAccess(models.Model):
    """A record type that a role may use: offered on its new records and when changing a record's
    record type (Salesforce: record types assigned to a profile). A role with none of an object's
    record types listed may use every active one; admins use them all."""

    record_type = models.ForeignKey(RecordType, on_delete=models.CASCADE, related_name="role_access")
    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, related_name="record_type_access")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "record_type"], name="recordtypeaccess_one_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.group} – {self.record_type}"


class RecordTypeDefault(models.Model):
    """The record type a user's new records of an object get: set for a role (group), overridden for
    a user."""

    object_name = models.CharField(max_length=40, choices=OBJECT_CHOICES)
    record_type = models.ForeignKey(RecordType, on_delete=models.CASCADE, related_name="defaults")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="record_type_defaults"
    )
    group = models.ForeignKey(
        "auth.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="record_type_defaults"
    )

    class Meta:
        db_table = "sales_recordtypedefault"
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(group__isnull=True))
                | (Q(user__isnull=True) & Q(group__isnull=False)),
                name="recordtypedefault_user_or_group",
            ),
            models.UniqueConstraint(
                fields=["object_name", "user"], condition=Q(user__isnull=False), name="recordtypedefault_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["object_name", "group"],
                condition=Q(group__isnull=False),
                name="recordtypedefault_one_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_name}: {self.record_type} for {self.user or self.group}"


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    TEXTAREA = "textarea", _("Long text")
    NUMBER = "number", _("Number")
    CURRENCY = "currency", _("Currency")
    PERCENT = "percent", _("Percent")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date/Time")
    CHECKBOX = "checkbox", _("Checkbox")
    PICKLIST = "picklist", _("Picklist")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    URL = "url", _("URL")
    LOOKUP = "lookup", _("Lookup")


class FieldDefinition(models.Model):
    """Metadata of one field of one object, standard or custom.

    Standard fields are seeded by migrations and map to model columns; custom fields live in the
    record's ``custom_fields`` JSON and are validated by ``core.fields``.
    """

    object_name = models.CharField(max_length=40)
    api_name = models.CharField(max_length=80)
    label = models.CharField(max_length=120)
    field_type = models.CharField(max_length=20, choices=FieldType.choices)
    is_custom = models.BooleanField(default=False)
    is_required = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    default_value = models.JSONField(null=True, blank=True)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    decimal_places = models.PositiveSmallIntegerField(null=True, blank=True)
    help_text = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    requested_by = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=500, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    # The id of the field in Salesforce (``00N…``, stored in its 15-character form): forms and data
    # moved from Salesforce name custom fields by it.
    salesforce_id = models.CharField(_("Salesforce field id"), max_length=15, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["object_name", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["object_name", "api_name"], name="field_unique_api_name"),
            models.UniqueConstraint(F("object_name"), Lower("api_name"), name="field_api_name_ci"),
            models.UniqueConstraint(
                fields=["object_name", "salesforce_id"],
                condition=~Q(salesforce_id=""),
                name="field_unique_salesforce_id",
            ),
            models.CheckConstraint(
                condition=Q(is_custom=False) | Q(api_name__endswith="__c"), name="field_custom_api_suffix"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_name}.{self.api_name}"


class FieldHistory(models.Model):
    """One change of one field of one record, written by the service that made it."""

    object_name = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    field_name = models.CharField(max_length=80)
    field_label = models.CharField(max_length=120)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    note = models.CharField(max_length=300, blank=True)
    record_version = models.PositiveIntegerField(default=0)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["object_name", "record_id", "-changed_at"], name="history_record_idx"),
            # The deleted-records feed of the sync API: deletions of an object since a time.
            models.Index(
                fields=["object_name", "changed_at"],
                condition=models.Q(field_name="deleted"),
                name="history_deleted_idx",
            ),
        ]
        verbose_name_plural = "field history"

    def __str__(self) -> str:
        return f"{self.object_name}#{self.record_id}.{self.field_name}"


class RecycleBinEntry(models.Model):
    """A deleted record, kept whole (with what hangs on it) so that it can be restored.

    The record's own row is gone; ``payload`` holds what its object's restore needs. Entries older
    than ``RECYCLE_BIN_DAYS`` are purged by a periodic task, like Salesforce's Recycle Bin.
    """

    object_name = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    name = models.CharField(max_length=255)
    detail = models.CharField(max_length=255, blank=True)
    payload = models.JSONField()
    # Besides admins, the user who deleted the record and its owner at that time see the entry.
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-deleted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["object_name", "record_id"], name="recycle_bin_one_entry_per_record")
        ]
        verbose_name_plural = "recycle bin entries"

    def __str__(self) -> str:
        return f"{self.object_name}#{self.record_id} (deleted)"


class ApiToken(models.Model):
    """An API key of a user, sent as ``Authorization: Token <key>``.

    Only the SHA-256 of the key is stored: the key is shown once, when it is made. A token ends at
    ``expires_at``, when its owner revokes it, and when the owner's password changes
    (``password_stamp`` no longer matches).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    # The key's first characters, so that its owner can tell tokens apart.
    prefix = models.CharField(max_length=8)
    password_stamp = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="core_apitoken_user_created")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class IdempotencyKey(models.Model):
    """The first answer to an API POST sent with an ``Idempotency-Key`` header, replayed when the
    client retries with the same key. Inserted before the request is handled, in the same
    transaction, so that a concurrent duplicate waits for it; kept for ``IDEMPOTENCY_KEY_HOURS``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and body: the same key with another request is refused.
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    # The headers that belong to the answer itself (Content-Type, Location).
    headers = models.JSONField(default=dict)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotencykey_user_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"


class UserPreferences(models.Model):
    """A user's own settings: the language and time zone the app is shown in, and the signature
    added below the emails the user writes. A user without a row, or with an empty value, gets the
    browser's language (Accept-Language) and the organisation's time zone (``TIME_ZONE``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="preferences"
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    email_signature = models.TextField(_("email signature"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("user preferences")
        verbose_name_plural = _("user preferences")
        constraints = [
            # The languages of settings.LANGUAGES; a new language needs a migration of this list.
            models.CheckConstraint(condition=Q(language__in=["", "en", "es", "fr"]), name="userpreferences_language"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'} {self.time_zone or '-'}"


class LabelTranslation(models.Model):
    """An admin's translation of one label into one language: a picklist value's label, a field's
    label or its help text (standard and custom fields alike).

    Shown wherever the label is shown to a user of that language; without one, a seeded label
    comes from the catalogs and any other label is shown as written (``core.translation``).
    ``value`` is the picklist value's API name, empty for a field's label and help text.
    """

    class Kind(models.TextChoices):
        PICKLIST_VALUE = "picklist_value", _("Picklist value")
        FIELD_LABEL = "field_label", _("Field label")
        HELP_TEXT = "help_text", _("Help text")

    object_name = models.CharField(max_length=40)
    field_name = models.CharField(max_length=80)
    value = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The languages of settings.LANGUAGES other than English, the language labels are written in.
    language = models.CharField(max_length=10)
    text = models.CharField(max_length=500)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["language", "object_name", "field_name", "kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_name", "field_name", "value", "kind", "language"], name="label_translation_unique"
            ),
            models.CheckConstraint(condition=Q(language__in=["es", "fr"]), name="label_translation_language"),
            models.CheckConstraint(
                condition=Q(kind__in=["picklist_value", "field_label", "help_text"]), name="label_translation_kind"
            ),
            # A picklist value names its value; a field's label and help text name none.
            models.CheckConstraint(
                condition=(Q(kind="picklist_value") & ~Q(value="")) | (~Q(kind="picklist_value") & Q(value="")),
                name="label_translation_value_by_kind",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="label_translation_text_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.object_name}.{self.field_name}.{self.value or self.kind}"
