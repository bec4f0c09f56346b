"""Lead intake: the one way a new lead comes in, whatever the entry point.

The lead page, the API, imports and Web-to-Lead all call ``lead_intake``: it creates the lead,
runs the active assignment rule and sends the auto-response when the entry point asks for them,
in one transaction. The emails and notifications it causes are outbox rows and tasks scheduled
on commit, so a rolled-back intake leaves nothing behind.

The work is split so that many rows can share what is read once: ``IntakeOptions`` (what the
entry point asks for), ``IntakeRow`` (one lead's input), ``IntakeRules`` (the active assignment
rule, compiled once) and ``intake_row`` (one row, inside the caller's transaction). A batched
pipeline prepares ``IntakeRules`` once and runs ``intake_row`` per row, each in a savepoint, and
gets the same result as ``lead_intake`` one row at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from core.rules import CompiledRule
from emails.models import OutboundEmail
from emails.services import autoresponse_send

from .models import Lead
from .routing.models import AssignmentRule
from .routing.services import AssignmentResult, active_rule, compiled_rule, lead_assign
from .services import lead_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Entry point -> the words its assignment adds to the lead's history note ("" adds none). The
# entry point's key is also the auto-response's source: one auto-response per lead and source.
SOURCES: dict[str, str] = {
    "page": "",
    "api": "API",
    "import": "import",
    "webtolead": "Web-to-Lead",
}


@dataclass(frozen=True)
class IntakeOptions:
    """What an entry point asks of the intake: where the lead comes from, whether the active
    assignment rule chooses its owner, whether the lead gets the auto-response, and the note
    recorded with its creation in the lead's history."""

    source: str
    assign: bool = False
    auto_respond: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"Unknown lead intake source {self.source!r}; expected one of {', '.join(SOURCES)}.")


@dataclass(frozen=True)
class IntakeRow:
    """One lead's input: standard field values, custom field values and the owner before any
    assignment (``None``: the acting user)."""

    data: dict
    custom_fields: dict | None = None
    owner: object = None


@dataclass(frozen=True)
class IntakeResult:
    """The lead as it stands after intake, what the assignment rule did (``None`` when not asked)
    and the auto-response queued (``None`` when not asked or not sent)."""

    lead: Lead
    assignment: AssignmentResult | None = None
    autoresponse: OutboundEmail | None = None


@dataclass
class IntakeRules:
    """The rules read once for any number of rows: the active assignment rule, compiled."""

    rule: AssignmentRule | None = None
    compiled: CompiledRule | None = None

    @classmethod
    def load(cls, options: IntakeOptions) -> IntakeRules:
        if not options.assign:
            return cls()
        rule = active_rule()
        return cls(rule=rule, compiled=compiled_rule(rule) if rule is not None else None)


def intake_row(
    *, row: IntakeRow, options: IntakeOptions, acting_user: User, rules: IntakeRules | None = None
) -> IntakeResult:
    """Make one lead inside the caller's transaction (a batch gives each row a savepoint, so that
    a refused row is rolled back alone). Raises ``ValidationError`` with the lead's field errors,
    or ``PermissionError``."""
    lead = lead_create(
        data=row.data,
        custom_fields=row.custom_fields,
        owner=row.owner,
        acting_user=acting_user,
        history_note=options.note[:300],
    )
    assignment = None
    if options.assign:
        rules = rules if rules is not None else IntakeRules.load(options)
        assignment = lead_assign(
            lead=lead,
            acting_user=acting_user,
            note_source=SOURCES[options.source],
            rule=rules.rule,
            compiled=rules.compiled,
        )
        lead = assignment.lead
    email = None
    if options.auto_respond:
        email = autoresponse_send(lead=lead, acting_user=acting_user, source=options.source)
    return IntakeResult(lead=lead, assignment=assignment, autoresponse=email)


@transaction.atomic
def lead_intake(
    *,
    data: dict,
    acting_user: User,
    source: str,
    custom_fields: dict | None = None,
    owner=None,
    assign: bool = False,
    auto_respond: bool = False,
    note: str = "",
) -> IntakeResult:
    """Create a lead as the entry point ``source`` ("page", "api", "import", "webtolead") asks:
    the active assignment rule chooses its owner when ``assign``, the auto-response goes out when
    ``auto_respond``. One transaction; emails and notifications are sent after commit."""
    options = IntakeOptions(source=source, assign=assign, auto_respond=auto_respond, note=note)
    return intake_row(
        row=IntakeRow(data=data, custom_fields=custom_fields, owner=owner), options=options, acting_user=acting_user
    )
