"""Whether a user takes round-robin leads now."""

from __future__ import annotations

from django.db import transaction

from core.roles import is_marketing_admin

from ..models import RoutingAvailability


@transaction.atomic
def availability_set(*, user, is_available: bool, acting_user) -> RoutingAvailability:
    """Users mark themselves (admins mark anyone) available or not for round-robin assignment."""
    if acting_user.pk != user.pk and not is_marketing_admin(acting_user):
        raise PermissionError("You may change only your own availability.")
    row, _ = RoutingAvailability.objects.select_for_update().get_or_create(user=user)
    row.is_available = bool(is_available)
    row.updated_by = acting_user
    row.save()
    return row
