"""User administration: permission sets and the audit of what system admins did to accounts."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class PermissionSet(models.Model):
    """A named bundle of permissions a system admin assigns to users on top of their role.

    Its permissions and its users are those of a Django group of its own, so ``user.has_perm``
    answers for a permission set exactly as for a role. Standard sets (``key`` set) come with the
    app and can be renamed but not deleted.
    """

    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    key = models.SlugField(max_length=60, blank=True, default="", editable=False)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="permission_set")
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
            models.UniqueConstraint(Lower("name"), name="permission_set_name_ci"),
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="permission_set_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_standard(self) -> bool:
        return bool(self.key)


class UserAuditEntry(models.Model):
    """One thing a system admin did to a user account, for the user's page and for audits."""

    class Action(models.TextChoices):
        INVITED = "invited", _("Invited")
        UPDATED = "updated", _("Details changed")
        ROLE_CHANGED = "role_changed", _("Role changed")
        PERMISSION_SETS_CHANGED = "permission_sets_changed", _("Permission sets changed")
        DEACTIVATED = "deactivated", _("Deactivated")
        REACTIVATED = "reactivated", _("Reactivated")
        PASSWORD_RESET_SENT = "password_reset_sent", _("Password reset sent")
        INVITATION_RESENT = "invitation_resent", _("Invitation sent again")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_entries")
    action = models.CharField(max_length=30, choices=Action.choices)
    detail = models.JSONField(default=dict, blank=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="user_audit_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
