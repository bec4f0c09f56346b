"""The action steps of a sequence: change the lead's status, move it to a queue, notify its owner,
add it to a campaign. Each goes through the service of the app that owns the record, acting as the
admin who last changed the sequence; a refused action is noted on the enrolment, never fatal."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.services import campaign_members_add
from emails.models import OutboundEmail
from emails.services import email_enqueue
from leads.services import lead_change_owner, lead_update

from ..models import NurtureEnrolment, NurtureStep

logger = logging.getLogger(__name__)


def _actor(enrolment: NurtureEnrolment):
    return enrolment.sequence.updated_by or enrolment.sequence.created_by


def _notify_owner(enrolment: NurtureEnrolment, step: NurtureStep) -> None:
    lead = enrolment.lead
    owner = lead.owner_user
    if owner is None or not (owner.email or "").strip():
        return  # a queue-owned lead, or an owner without an address: nobody to tell
    email_enqueue(
        to=owner.email,
        subject=_("Nurture: %(lead)s reached step %(n)d of “%(sequence)s”")
        % {"lead": lead.name, "n": step.position, "sequence": enrolment.sequence.name},
        body_text=_("%(lead)s (%(company)s) reached step %(n)d of the nurture sequence “%(sequence)s”.")
        % {"lead": lead.name, "company": lead.company, "n": step.position, "sequence": enrolment.sequence.name},
        kind=OutboundEmail.Kind.NOTIFICATION,
        idempotency_key=f"nurture-notify:enrolment-{enrolment.pk}:step-{step.pk}",
        object_name="lead",
        record_id=lead.pk,
    )


def run_action(enrolment: NurtureEnrolment, step: NurtureStep) -> None:
    actor = _actor(enrolment)
    lead = enrolment.lead
    if step.action == NurtureStep.Action.CHANGE_STATUS:
        lead_update(lead=lead, data={"status": step.action_status}, acting_user=actor)
    elif step.action == NurtureStep.Action.MOVE_TO_QUEUE:
        lead_change_owner(
            lead=lead, owner=step.action_queue, acting_user=actor, note=_("Nurture sequence"), check_access=False
        )
    elif step.action == NurtureStep.Action.NOTIFY_OWNER:
        _notify_owner(enrolment, step)
    elif step.action == NurtureStep.Action.ADD_TO_CAMPAIGN:
        campaign_members_add(campaign=step.action_campaign, leads=[lead], acting_user=actor)


def run_actions(acted: list[tuple[NurtureEnrolment, NurtureStep]], *, now: dt.datetime) -> None:
    for enrolment, step in acted:
        try:
            with transaction.atomic():
                run_action(enrolment, step)
        except (ValidationError, PermissionError) as exc:
            note = _("Step %(n)d could not act: %(why)s") % {
                "n": step.position,
                "why": "; ".join(getattr(exc, "messages", None) or [str(exc)]),
            }
            logger.info("Nurture enrolment %s: %s", enrolment.pk, note)
            NurtureEnrolment.objects.filter(pk=enrolment.pk).update(exit_note=note[:300])
