"""Tracking settings, changed by marketing and system admins."""

from django.db import transaction

from core.roles import require_setup_admin

from ..models import EngagementSettings
from ..selectors import engagement_settings

SETTINGS_FIELDS = ("tracking_enabled", "email_tracking_enabled", "rate_limit_per_minute")


@transaction.atomic
def engagement_settings_update(*, acting_user, **changes) -> EngagementSettings:
    """Change the tracking settings (only the named fields)."""
    require_setup_admin(acting_user)
    engagement_settings()
    row = EngagementSettings.objects.select_for_update().get(singleton=1)
    for name, value in changes.items():
        if name not in SETTINGS_FIELDS:
            raise TypeError(f"Unknown engagement setting: {name}")
        setattr(row, name, value)
    row.updated_by = acting_user
    row.save()
    return row
