"""The duplicate rules at the lead intake (``core.registry`` screen): each row is matched as
``match_batch`` decides for its entry point; an alert or block answers the matches, and on
Web-to-Lead and imports an "attach" entry adds the row to the best-matching lead instead of making
a second one (blank fields filled, a history line; the Web-to-Lead hooks then record the form
submission and the campaign membership on that lead)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.fields import is_blank
from core.registry import IntakeVerdict
from leads.models import Lead
from leads.selectors import leads_visible_to
from leads.services import lead_update
from sales.models import Contact
from sales.selectors import contacts_visible_to

from .matching import PATH_FIELDS, Decision, Match, match_batch

# The lead fields an attached submission may fill when the lead has them blank.
FILLABLE = (
    "salutation",
    "first_name",
    "title",
    "email",
    "phone",
    "mobile",
    "website",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "industry",
    "lead_source",
    "description",
)


def describe_matches(matches, *, user=None) -> tuple[dict, ...]:
    """The matches as the pages and the API show them; a record the user may not read shows
    neither its name nor its email."""
    lead_ids = [m.record_id for m in matches if m.object_name == "lead"]
    contact_ids = [m.record_id for m in matches if m.object_name == "contact"]
    leads = Lead.objects.in_bulk(lead_ids) if lead_ids else {}
    contacts = Contact.objects.select_related("account").in_bulk(contact_ids) if contact_ids else {}
    readable: set[tuple[str, int]] = set()
    if user is not None and getattr(user, "is_authenticated", False):
        if lead_ids:
            visible = leads_visible_to(user, include_converted=True).filter(pk__in=lead_ids)
            readable |= {("lead", pk) for pk in visible.values_list("pk", flat=True)}
        if contact_ids:
            visible = contacts_visible_to(user).filter(pk__in=contact_ids)
            readable |= {("contact", pk) for pk in visible.values_list("pk", flat=True)}
    described = []
    for match in matches:
        record = (leads if match.object_name == "lead" else contacts).get(match.record_id)
        if record is None:
            continue
        shown = user is None or (match.object_name, match.record_id) in readable
        company = record.company if match.object_name == "lead" else (record.account.name if record.account else "")
        described.append(
            {
                "object": match.object_name,
                "id": match.record_id,
                "name": record.name if shown else "",
                "company": company if shown else "",
                "email": record.email if shown else "",
                "readable": shown,
                "score": match.score,
                "rule": match.rule_name,
                "rule_id": match.rule_id,
                "methods": list(match.methods),
            }
        )
    return tuple(described)


def _message(decision: Decision) -> str:
    count = len(decision.matches)
    if decision.action == "block":
        return _(
            "This lead duplicates existing records (%(count)s found); the duplicate rule does not let it be saved."
        ) % {"count": count}
    return _("This lead looks like existing records (%(count)s found).") % {"count": count}


def _attach(*, row, match: Match, acting_user, source: str) -> tuple[Lead | None, tuple[str, ...]]:
    """The lead the row is added to, its blank fields filled from the row, and the fields filled."""
    lead = Lead.objects.filter(pk=match.record_id, is_converted=False).first()
    if lead is None:
        return None, ()
    data = getattr(row, "data", row) or {}
    fills = {name: data[name] for name in FILLABLE if not is_blank(data.get(name)) and is_blank(getattr(lead, name))}
    note = {"webtolead": "Web-to-Lead", "import": "import"}.get(source, source)
    if fills:
        lead = lead_update(
            lead=lead,
            data=fills,
            acting_user=acting_user,
            check_access=False,
            history_note=f"Duplicate {note} submission attached; blank fields filled",
        )
    return lead, tuple(fills)


def intake_screen(*, rows: list, source: str, acting_user, record_ids: list, attach: bool = True) -> list:
    """The registered screen: a verdict per row, or None to make the lead as asked."""
    if source not in PATH_FIELDS:
        return [None] * len(rows)
    decisions = match_batch(rows, path=source, exclude_ids=record_ids)
    user = acting_user if source in {"page", "api"} else None
    verdicts: list[IntakeVerdict | None] = []
    for row, decision in zip(rows, decisions, strict=True):
        if decision.action == "allow":
            verdicts.append(None)
            continue
        if not decision.matches:
            # Like an earlier row of the same batch only: judged again once that row's lead exists.
            verdicts.append(IntakeVerdict(action="recheck") if decision.same_as_row is not None else None)
            continue
        action = decision.action
        if action == "attach":
            best = next((m for m in decision.matches if m.object_name == "lead"), None)
            lead, filled = (
                _attach(row=row, match=best, acting_user=acting_user, source=source) if attach and best else (None, ())
            )
            if lead is not None:
                verdicts.append(
                    IntakeVerdict(
                        action="attach",
                        lead=lead,
                        matches=describe_matches(decision.matches),
                        notes=(f"Attached to the existing lead {lead.pk} by the duplicate rule.",),
                        filled=filled,
                    )
                )
                continue
            action = "alert"
        ids = ", ".join(f"{m.object_name} {m.record_id}" for m in decision.matches[:5])
        verdicts.append(
            IntakeVerdict(
                action=action,
                message=_message(Decision(action=action, matches=decision.matches)),
                matches=describe_matches(decision.matches, user=user),
                notes=(f"Possible duplicate of {ids}.",),
            )
        )
    return verdicts
