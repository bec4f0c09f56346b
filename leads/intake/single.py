"""One lead at a time: ``lead_intake`` and ``intake_row``.

The lead page, the API and the single-lead entry points call ``lead_intake``: it creates the lead,
runs the active assignment rule and sends the auto-response when the entry point asks for them,
adds the lead to the campaign its row names, in one transaction. The emails and notifications it
causes are outbox rows and tasks scheduled on commit, so a rolled-back intake leaves nothing behind.
``IntakeOptions`` (what the entry point asks for), ``IntakeRow`` (one lead's input) and
``IntakeRules`` (the active assignment rule, compiled once) are shared with the batched pipeline
(``batch``), which gives many rows the same result as this path one row at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from core.registry import run_lead_campaign_hooks
from core.rules import CompiledRule
from emails.models import OutboundEmail
from emails.services import autoresponse_send

from ..models import Lead
from ..routing.models import AssignmentRule
from ..routing.services import AssignmentResult, active_rule, compiled_rule, lead_assign
from ..services import lead_create

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

    def note_for(self, row: IntakeRow) -> str:
        return (self.note if row.note is None else row.note)[:300]

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"Unknown lead intake source {self.source!r}; expected one of {', '.join(SOURCES)}.")


@dataclass(frozen=True)
class IntakeRow:
    """One lead's input: standard field values, custom field values, the owner before any
    assignment (``None``: the acting user), the campaign the lead joins (an id or tracking code;
    "" for none), the request id its auto-response is queued under ("" for the current one) and
    the note of its creation when it differs from the entry point's."""

    data: dict
    custom_fields: dict | None = None
    owner: object = None
    campaign: str = ""
    # The member status the lead joins the campaign with ("" for the campaign's default).
    campaign_status: str = ""
    request_id: str = ""
    # The note of this lead's creation in its history, instead of the options' note (``None``).
    note: str | None = None


@dataclass(frozen=True)
class IntakeResult:
    """The lead as it stands after intake, what the assignment rule did (``None`` when not asked),
    the auto-response queued (``None`` when not asked or not sent) and notes about the campaign
    the row named (say, an unknown campaign: the lead is made all the same)."""

    lead: Lead
    assignment: AssignmentResult | None = None
    autoresponse: OutboundEmail | None = None
    notes: tuple[str, ...] = ()


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
        history_note=options.note_for(row),
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
    notes: tuple[str, ...] = ()
    if row.campaign:
        joined = run_lead_campaign_hooks(
            items=[(lead, row.campaign)], acting_user=acting_user, member_status=row.campaign_status
        )
        notes = tuple(joined.get(lead.pk, []))
    return IntakeResult(lead=lead, assignment=assignment, autoresponse=email, notes=notes)


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
    campaign: str = "",
    campaign_status: str = "",
) -> IntakeResult:
    """Create a lead as the entry point ``source`` ("page", "api", "import", "webtolead") asks:
    the active assignment rule chooses its owner when ``assign``, the auto-response goes out when
    ``auto_respond``, and the lead joins ``campaign`` when one is named. One transaction; emails and
    notifications are sent after commit."""
    options = IntakeOptions(source=source, assign=assign, auto_respond=auto_respond, note=note)
    return intake_row(
        row=IntakeRow(
            data=data, custom_fields=custom_fields, owner=owner, campaign=campaign, campaign_status=campaign_status
        ),
        options=options,
        acting_user=acting_user,
    )
