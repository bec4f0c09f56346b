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
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.registry import IntakeVerdict, run_lead_campaign_hooks, run_lead_intake_screens
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
    "bulk": "bulk API",
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
    # A person saw the possible duplicates and saves anyway (a rule that alerts lets the lead be
    # made; one that blocks does not).
    allow_duplicates: bool = False

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
    # The lead record type (``None``: the acting user's default, else the organisation's).
    record_type: Any = None


@dataclass(frozen=True)
class IntakeResult:
    """The lead as it stands after intake, what the assignment rule did (``None`` when not asked),
    the auto-response queued (``None`` when not asked or not sent) and notes about the campaign
    the row named (say, an unknown campaign: the lead is made all the same)."""

    lead: Lead
    assignment: AssignmentResult | None = None
    autoresponse: OutboundEmail | None = None
    notes: tuple[str, ...] = ()
    # The row was added to an existing lead (``lead``) by a duplicate rule instead of making one,
    # filling these of its fields, which were blank.
    attached: bool = False
    filled: tuple[str, ...] = ()
    # The possible duplicates a rule that alerts found (the lead was made all the same).
    duplicates: tuple = ()


# Entry points where a person answers a duplicate alert; elsewhere an alert only notes the matches.
INTERACTIVE_SOURCES = frozenset({"page", "api"})


class DuplicateLeadError(ValidationError):
    """A duplicate rule stopped the lead: ``blocking`` when no one may save it, else an alert that
    a person may confirm (``allow_duplicates``); ``matches`` describe the records found."""

    def __init__(self, message: str, *, matches: tuple = (), blocking: bool = True):
        super().__init__({"__all__": [message or _("This lead looks like a duplicate.")]}, code="duplicate")
        self.matches = matches
        self.blocking = blocking


def duplicate_outcome(verdict: IntakeVerdict | None, options: IntakeOptions) -> DuplicateLeadError | None:
    """The error that stops a row the duplicate rules judged (``None``: the row goes on)."""
    if verdict is None or verdict.action not in {"alert", "block"}:
        return None
    if verdict.action == "block":
        return DuplicateLeadError(verdict.message, matches=verdict.matches, blocking=True)
    if options.source in INTERACTIVE_SOURCES and not options.allow_duplicates:
        return DuplicateLeadError(verdict.message, matches=verdict.matches, blocking=False)
    return None


# The fields duplicate rules compare: an edit that changes none of them is not checked again.
MATCHED_FIELDS = ("email", "phone", "mobile", "company", "first_name", "last_name", "country")


def lead_edit_duplicates_check(
    *, lead: Lead, data: dict, source: str, acting_user: User, allow_duplicates: bool = False
) -> IntakeVerdict | None:
    """``lead_duplicates_check`` for an edit of ``lead`` with ``data``, when the edit changes a
    field the rules compare."""
    changed = {k: v for k, v in data.items() if k in MATCHED_FIELDS and (v or "") != (getattr(lead, k) or "")}
    if not changed:
        return None
    values = {name: getattr(lead, name) for name in MATCHED_FIELDS} | changed
    options = IntakeOptions(source=source, allow_duplicates=allow_duplicates)
    return lead_duplicates_check(data=values, options=options, acting_user=acting_user, record_id=lead.pk)


def lead_duplicates_check(
    *, data: dict, options: IntakeOptions, acting_user: User, record_id: int | None = None, custom_fields=None
) -> IntakeVerdict | None:
    """Run the duplicate rules over one lead's values (a new lead, or the lead ``record_id`` as an
    edit would leave it). Raises ``DuplicateLeadError`` when they stop it; answers the verdict."""
    verdict = run_lead_intake_screens(
        rows=[IntakeRow(data=data, custom_fields=custom_fields)],
        source=options.source,
        acting_user=acting_user,
        record_ids=[record_id],
        attach=False,
    )[0]
    error = duplicate_outcome(verdict, options)
    if error is not None:
        raise error
    return verdict


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
    a refused row is rolled back alone). Raises ``ValidationError`` with the lead's field errors
    (``DuplicateLeadError`` when a duplicate rule stops it), or ``PermissionError``."""
    verdict = run_lead_intake_screens(rows=[row], source=options.source, acting_user=acting_user)[0]
    return intake_row_judged(row=row, options=options, acting_user=acting_user, rules=rules, verdict=verdict)


def intake_row_judged(
    *,
    row: IntakeRow,
    options: IntakeOptions,
    acting_user: User,
    rules: IntakeRules | None = None,
    verdict: IntakeVerdict | None = None,
) -> IntakeResult:
    """``intake_row`` once the duplicate rules judged the row (``verdict``)."""
    error = duplicate_outcome(verdict, options)
    if error is not None:
        raise error
    if verdict is not None and verdict.action == "attach":
        return IntakeResult(
            lead=cast(Lead, verdict.lead),
            notes=verdict.notes,
            attached=True,
            duplicates=verdict.matches,
            filled=verdict.filled,
        )
    lead = lead_create(
        data=row.data,
        custom_fields=row.custom_fields,
        owner=row.owner,
        acting_user=acting_user,
        history_note=options.note_for(row),
        record_type=row.record_type,
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
    if verdict is not None:
        notes = (*notes, *verdict.notes)
    return IntakeResult(
        lead=lead,
        assignment=assignment,
        autoresponse=email,
        notes=notes,
        duplicates=verdict.matches if verdict is not None else (),
    )


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
    allow_duplicates: bool = False,
    record_type=None,
) -> IntakeResult:
    """Create a lead as the entry point ``source`` ("page", "api", "import", "webtolead") asks:
    the active assignment rule chooses its owner when ``assign``, the auto-response goes out when
    ``auto_respond``, and the lead joins ``campaign`` when one is named; the duplicate rules may stop
    it (``DuplicateLeadError``; ``allow_duplicates`` confirms an alert) or attach it to a lead that
    exists (``IntakeResult.attached``). One transaction; emails and notifications are sent after commit."""
    options = IntakeOptions(
        source=source, assign=assign, auto_respond=auto_respond, note=note, allow_duplicates=allow_duplicates
    )
    return intake_row(
        row=IntakeRow(
            data=data,
            custom_fields=custom_fields,
            owner=owner,
            campaign=campaign,
            campaign_status=campaign_status,
            record_type=record_type,
        ),
        options=options,
        acting_user=acting_user,
    )
