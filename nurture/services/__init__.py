"""Writes of the nurture app: sequences and steps, enrolments, enrolment rules and the scheduler.

The browser, the API and tasks all call these functions."""

from .enrolments import (
    EnrolResult,
    end_lead_enrolments,
    end_sequence_enrolments,
    enrol_leads,
    enrolment_pause,
    enrolment_remove,
    enrolment_resume,
    on_email_opt_out,
)
from .rules import (
    ENROLMENT,
    enrolment_entry_create,
    enrolment_entry_delete,
    enrolment_rule_activate,
    enrolment_rule_create,
    enrolment_rule_deactivate,
    enrolment_rule_delete,
    on_record_change,
    on_record_changes,
)
from .scheduler import BatchResult, nurture_tick, process_due_batch, publish_emails
from .sequences import (
    sequence_create,
    sequence_delete,
    sequence_problems,
    sequence_set_status,
    sequence_update,
    step_create,
    step_delete,
    step_move,
    step_update,
)


def on_conversion(*, conversion, acting_user=None) -> None:
    """A lead was converted: its sequences end at once (a conversion hook)."""
    from ..models import NurtureEnrolment

    end_lead_enrolments(
        lead_id=conversion.lead_id, reason=NurtureEnrolment.ExitReason.CONVERTED, acting_user=acting_user
    )


__all__ = [
    "ENROLMENT",
    "BatchResult",
    "EnrolResult",
    "end_lead_enrolments",
    "end_sequence_enrolments",
    "enrol_leads",
    "enrolment_entry_create",
    "enrolment_entry_delete",
    "enrolment_pause",
    "enrolment_remove",
    "enrolment_resume",
    "enrolment_rule_activate",
    "enrolment_rule_create",
    "enrolment_rule_deactivate",
    "enrolment_rule_delete",
    "nurture_tick",
    "on_conversion",
    "on_email_opt_out",
    "on_record_change",
    "on_record_changes",
    "process_due_batch",
    "publish_emails",
    "sequence_create",
    "sequence_delete",
    "sequence_problems",
    "sequence_set_status",
    "sequence_update",
    "step_create",
    "step_delete",
    "step_move",
    "step_update",
]
