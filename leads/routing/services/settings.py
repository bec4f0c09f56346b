"""Lead settings: the default lead owner and what conversion requires."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from core.roles import require_setup_admin

from ...models import Queue
from ..models import LeadSettings


@transaction.atomic
def lead_settings_update(*, acting_user, default_owner=None, opportunity_required_on_convert: bool) -> LeadSettings:
    """Set the default lead owner (a user or a queue, or nobody) and the conversion requirement."""
    require_setup_admin(acting_user)
    row, _ = LeadSettings.objects.select_for_update().get_or_create(singleton=1)
    if default_owner is not None and not isinstance(default_owner, Queue) and not default_owner.is_active:
        raise ValidationError({"default_owner": gettext("An inactive user cannot be the default lead owner.")})
    row.default_owner_queue = default_owner if isinstance(default_owner, Queue) else None
    row.default_owner_user = None if isinstance(default_owner, Queue) or default_owner is None else default_owner
    row.opportunity_required_on_convert = bool(opportunity_required_on_convert)
    row.updated_by = acting_user
    row.save()
    return row
