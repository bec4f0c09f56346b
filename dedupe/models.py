"""Duplicate management: matching rules (how two records are compared), duplicate rules (what each
entry point does when a new lead matches), the match keys stored for every lead and contact, the
background duplicate jobs with the groups they found, and lead merges (kept so that one can be
undone)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.rules.models import (
    RuleBase,
    RuleEntryBase,
    entry_unique_order,
    one_active_rule,
    rule_name_required,
    rule_name_unique_ci,
)


class MatchingRule(models.Model):
    """How two people are compared: every method switched on must match (AND). Email exactly or
    normalised (case, plus-addressing, optionally Gmail's dots), phone numbers in E.164, company
    names normalised, and first/last names by trigram similarity of at least ``name_threshold``;
    across leads, and contacts when ``include_contacts``."""

    class Email(models.TextChoices):
        OFF = "", _("Not compared")
        EXACT = "exact", _("Exact")
        NORMALIZED = "normalized", _("Normalised")

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=500, blank=True)
    email = models.CharField(max_length=12, choices=Email.choices, blank=True, default=Email.NORMALIZED)
    gmail_dots = models.BooleanField(default=False)
    phone = models.BooleanField(default=False)
    company = models.BooleanField(default=False)
    fuzzy_name = models.BooleanField(default=False)
    name_threshold = models.DecimalField(max_digits=3, decimal_places=2, default=0.6)
    include_contacts = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="dedupe_matchingrule_name_ci"),
            models.CheckConstraint(condition=~Q(name=""), name="dedupe_matchingrule_name_required"),
            models.CheckConstraint(
                condition=~Q(email="") | Q(phone=True) | Q(company=True) | Q(fuzzy_name=True),
                name="dedupe_matchingrule_compares_something",
            ),
            models.CheckConstraint(
                condition=Q(name_threshold__gte=0.3) & Q(name_threshold__lte=1), name="dedupe_matchingrule_threshold"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DuplicateAction(models.TextChoices):
    ALLOW = "allow", _("Allow")
    ALERT = "alert", _("Allow with alert")
    BLOCK = "block", _("Block")
    ATTACH = "attach", _("Attach to the existing lead")


class DuplicateRule(RuleBase):
    """The duplicate rule: its first entry whose criteria a new lead meets compares the lead with
    the entry's matching rule and acts on the matches per entry point."""

    class Meta(RuleBase.Meta):
        constraints = [
            one_active_rule("one_active_duplicate_rule"),
            rule_name_unique_ci("dedupe_duplicaterule_name_ci"),
            rule_name_required("dedupe_duplicaterule_name_required"),
        ]


class DuplicateRuleEntry(RuleEntryBase):
    """An entry of the duplicate rule: which matching rule finds the duplicates and what each entry
    point does with them (attach is for Web-to-Lead and imports only)."""

    rule = models.ForeignKey(DuplicateRule, on_delete=models.CASCADE, related_name="entries")
    matching_rule = models.ForeignKey(MatchingRule, on_delete=models.PROTECT, related_name="entries")
    action_page = models.CharField(max_length=10, choices=DuplicateAction.choices, default=DuplicateAction.ALERT)
    action_api = models.CharField(max_length=10, choices=DuplicateAction.choices, default=DuplicateAction.ALERT)
    action_webtolead = models.CharField(max_length=10, choices=DuplicateAction.choices, default=DuplicateAction.ALLOW)
    action_import = models.CharField(max_length=10, choices=DuplicateAction.choices, default=DuplicateAction.ALLOW)
    action_bulk = models.CharField(max_length=10, choices=DuplicateAction.choices, default=DuplicateAction.ALLOW)

    class Meta(RuleEntryBase.Meta):
        constraints = [
            entry_unique_order("dedupe_duplicateruleentry_unique_order"),
            models.CheckConstraint(
                condition=~Q(action_page="attach") & ~Q(action_api="attach"),
                name="dedupe_entry_attach_not_interactive",
            ),
        ]


class MatchKey(models.Model):
    """The normal forms of a lead's or contact's email, phones, company and name, written whenever
    the record changes, so that finding its duplicates is an index lookup."""

    object_name = models.CharField(max_length=20)
    record_id = models.BigIntegerField()
    email_exact = models.CharField(max_length=254, blank=True)
    email_normalized = models.CharField(max_length=254, blank=True)
    email_gmail = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=16, blank=True)
    mobile = models.CharField(max_length=16, blank=True)
    company = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=130, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["object_name", "record_id"], name="dedupe_matchkey_record")]
        indexes = [
            models.Index(fields=["email_exact"], condition=~Q(email_exact=""), name="dedupe_key_email_exact"),
            models.Index(fields=["email_normalized"], condition=~Q(email_normalized=""), name="dedupe_key_email_norm"),
            models.Index(fields=["email_gmail"], condition=~Q(email_gmail=""), name="dedupe_key_email_gmail"),
            models.Index(fields=["company"], condition=~Q(company=""), name="dedupe_key_company"),
            models.Index(fields=["phone"], condition=~Q(phone=""), name="dedupe_key_phone"),
            models.Index(fields=["mobile"], condition=~Q(mobile=""), name="dedupe_key_mobile"),
            # The trigram index on ``name`` (PostgreSQL only) is made by migration 0002.
        ]

    def __str__(self) -> str:
        return f"{self.object_name} {self.record_id}"


class DuplicateJob(models.Model):
    """A background scan of every lead with a matching rule (and, with ``include_contacts``, of the
    leads against the contacts and of the contacts among themselves); the groups it found are kept."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    matching_rule = models.ForeignKey(MatchingRule, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    scanned = models.PositiveIntegerField(default=0)
    include_contacts = models.BooleanField(default=False)
    # The highest lead id scanned, then the highest contact id: a restarted job goes on from there.
    cursor = models.BigIntegerField(default=0)
    contact_cursor = models.BigIntegerField(default=0)
    groups_found = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.matching_rule} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.scanned / self.total) if self.total else 0


class DuplicateGroup(models.Model):
    """Records a duplicate job found alike: leads, and the contacts like them when the job includes
    contacts. A group with a lead is keyed by its lowest lead id, a group of contacts only by its
    lowest contact id, so a job run twice over the same records records each group once."""

    job = models.ForeignKey(DuplicateJob, on_delete=models.CASCADE, related_name="groups")
    key_lead_id = models.BigIntegerField(null=True, blank=True)
    key_contact_id = models.BigIntegerField(null=True, blank=True)
    lead_ids = models.JSONField(default=list)
    contact_ids = models.JSONField(default=list)
    score = models.DecimalField(max_digits=4, decimal_places=3, default=1)

    class Meta:
        ordering = ["key_lead_id", "key_contact_id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "key_lead_id"], name="dedupe_group_once_per_job"),
            models.UniqueConstraint(fields=["job", "key_contact_id"], name="dedupe_contact_group_once_per_job"),
            models.CheckConstraint(
                condition=Q(key_lead_id__isnull=False, key_contact_id__isnull=True)
                | Q(key_lead_id__isnull=True, key_contact_id__isnull=False),
                name="dedupe_group_one_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.lead_ids}"


class LeadMerge(models.Model):
    """A merge of up to three leads into a master: what the master held before, the losing leads'
    Recycle Bin entries and the related rows moved, so that the merge can be undone."""

    master_id = models.BigIntegerField()
    merged_ids = models.JSONField(default=list)
    # The master's field values before the merge, and those the merge gave it.
    master_before = models.JSONField(default=dict)
    master_after = models.JSONField(default=dict)
    master_version = models.PositiveIntegerField(default=1)
    # {"app.Model.field": {"loser id": [row ids moved]}}
    moved = models.JSONField(default=dict)
    recycle_entry_ids = models.JSONField(default=list)
    merged_at = models.DateTimeField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]
        indexes = [models.Index(fields=["master_id", "-merged_at"], name="dedupe_merge_master_idx")]

    def __str__(self) -> str:
        return f"{self.merged_ids} -> {self.master_id}"
