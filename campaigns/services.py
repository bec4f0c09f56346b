"""Writes of campaigns, their member status lists and members, the Web-to-Lead hook that puts a new
lead into the campaign its form names, and the conversion hook that passes a lead's memberships to
its contact and attributes the new opportunity to the lead's first campaign."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import unique_as_field_error
from core.fields import active_picklist_api_names, clean_custom_fields
from core.history import diff, history_record
from core.selectors import field_labels, picklist_default
from leads.models import Lead
from sales.models import Contact

from . import selectors
from .fields import CAMPAIGN, DEFAULT_MEMBER_STATUSES
from .models import Campaign, CampaignInfluence, CampaignMember, CampaignMemberStatus

User = get_user_model()

TEXT_FIELDS = {"name": 255, "tracking_code": 80, "description": 32000}
DATE_FIELDS = ("start_date", "end_date")
MONEY_FIELDS = ("budgeted_cost", "actual_cost", "expected_revenue")
WRITABLE = (
    "name",
    "type",
    "status",
    "start_date",
    "end_date",
    "budgeted_cost",
    "actual_cost",
    "expected_revenue",
    "expected_response",
    "is_active",
    "description",
    "tracking_code",
)
TRACKING_CODE_TAKEN = gettext_lazy("Another campaign already uses this tracking code.")


def _require_editor(campaign: Campaign, user) -> None:
    if not selectors.campaign_is_editable_by(campaign, user):
        raise PermissionError(_("Only marketing admins and the campaign's owner may change this campaign."))


def _require_creator(user) -> None:
    if not selectors.campaign_can_be_created_by(user):
        raise PermissionError(_("Only marketing admins may create campaigns."))


# Campaigns --------------------------------------------------------------------------------------


def _clean_text(name: str, raw, errors: dict):
    if raw is None:
        return ""
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        errors[name] = [_("Enter text.")]
        return ""
    text = str(raw).strip()
    if len(text) > TEXT_FIELDS[name]:
        errors[name] = [_("Ensure this value has at most %(limit)d characters.") % {"limit": TEXT_FIELDS[name]}]
    return text


def _clean_decimal(name: str, raw, errors: dict, *, upper: Decimal | None = None):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        errors[name] = [_("Enter a number.")]
        return None
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors[name] = [_("Enter a number.")]
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        errors[name] = [_("Enter a number smaller than 10^15.")]
        return None
    if number < 0:
        errors[name] = [_("Enter zero or more.")]
    elif upper is not None and number > upper:
        errors[name] = [_("Enter a percentage between 0 and 100.")]
    return number.quantize(Decimal("0.01"))


def _clean_date(name: str, raw, errors: dict):
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        parsed = parse_date(str(raw).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        errors[name] = [_("Enter a valid date (YYYY-MM-DD).")]
    return parsed


def _clean_picklist(name: str, raw, errors: dict, current: str):
    text = "" if raw is None else str(raw).strip()
    if text and text != current and text not in active_picklist_api_names(CAMPAIGN, name):
        errors[name] = [_("“%(value)s” is not a valid choice.") % {"value": text}]
    return text


def _clean(data: dict, *, current: Campaign | None) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    unknown = [key for key in data if key not in WRITABLE]
    for key in unknown:
        errors[str(key)] = [_("Unknown field.")]
    values = {}
    for name, raw in data.items():
        if name in TEXT_FIELDS:
            values[name] = _clean_text(name, raw, errors)
        elif name in DATE_FIELDS:
            values[name] = _clean_date(name, raw, errors)
        elif name in MONEY_FIELDS:
            values[name] = _clean_decimal(name, raw, errors)
        elif name == "expected_response":
            values[name] = _clean_decimal(name, raw, errors, upper=Decimal(100))
        elif name in ("type", "status"):
            values[name] = _clean_picklist(name, raw, errors, getattr(current, name, ""))
        elif name == "is_active":
            if not isinstance(raw, bool):
                errors[name] = [_("Enter true or false.")]
            values[name] = bool(raw)
    return values, errors


def _check_whole(campaign: Campaign, errors: dict) -> None:
    if not campaign.name and "name" not in errors:
        errors["name"] = [_("This field is required.")]
    if campaign.start_date and campaign.end_date and campaign.end_date < campaign.start_date:
        errors.setdefault("end_date", []).append(_("The end date cannot be before the start date."))
    if campaign.tracking_code and "tracking_code" not in errors:
        taken = Campaign.objects.filter(tracking_code__iexact=campaign.tracking_code).exclude(pk=campaign.pk)
        if taken.exists():
            errors["tracking_code"] = [str(TRACKING_CODE_TAKEN)]


def _check_parent(campaign: Campaign, parent: Campaign | None, errors: dict) -> None:
    if parent is None:
        return
    if campaign.pk and (parent.pk == campaign.pk or campaign.pk in selectors.ancestor_ids(parent)):
        errors["parent"] = [_("A campaign cannot be below itself or one of its own child campaigns.")]


def _check_owner(owner, errors: dict) -> None:
    if owner is None or not owner.is_active:
        errors["owner"] = [_("Choose an active user.")]


def _save(campaign: Campaign, *, creating: bool) -> None:
    with unique_as_field_error({"campaigns_campaign_tracking_code_ci": ("tracking_code", str(TRACKING_CODE_TAKEN))}):
        campaign.save(force_insert=creating)


def _snapshot(campaign: Campaign) -> dict:
    snap = {name: getattr(campaign, name) for name in WRITABLE}
    snap["owner"] = campaign.owner.username if campaign.owner_id else ""
    snap["parent"] = str(campaign.parent) if campaign.parent_id else ""
    for key, value in (campaign.custom_fields or {}).items():
        snap[key] = value
    return snap


@transaction.atomic
def campaign_create(
    *,
    data: dict,
    acting_user,
    owner=None,
    parent: Campaign | None = None,
    custom_fields: dict | None = None,
) -> Campaign:
    """Create a campaign with its default member status list (Sent, Responded)."""
    _require_creator(acting_user)
    values, errors = _clean(data, current=None)
    owner = owner or acting_user
    _check_owner(owner, errors)
    now = timezone.now()
    campaign = Campaign(
        owner=owner,
        parent=parent,
        created_at=now,
        created_by=acting_user,
        last_modified_at=now,
        last_modified_by=acting_user,
        **values,
    )
    if not campaign.status:
        campaign.status = picklist_default(object_name=CAMPAIGN, field_name="status") or ""
    try:
        campaign.custom_fields = clean_custom_fields(CAMPAIGN, custom_fields)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _check_whole(campaign, errors)
    if errors:
        raise ValidationError(errors)
    _save(campaign, creating=True)
    CampaignMemberStatus.objects.bulk_create(
        CampaignMemberStatus(
            campaign=campaign, label=label, counts_as_responded=responded, is_default=default, sort_order=i
        )
        for i, (label, responded, default) in enumerate(DEFAULT_MEMBER_STATUSES, start=1)
    )
    return campaign


_UNSET = object()


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    data: dict,
    acting_user,
    owner=_UNSET,
    parent=_UNSET,
    custom_fields: dict | None = None,
    expected_version: int | None = None,
) -> Campaign:
    """Change a campaign's fields (only those given); refused when ``expected_version`` is stale."""
    locked = Campaign.objects.select_for_update(of=("self",)).select_related("owner", "parent").get(pk=campaign.pk)
    _require_editor(locked, acting_user)
    if expected_version is not None and expected_version != locked.version:
        raise ValidationError(
            {"version": [_("Someone else saved this campaign after you opened it. Reload it and try again.")]}
        )
    before = _snapshot(locked)
    values, errors = _clean(data, current=locked)
    for name, value in values.items():
        setattr(locked, name, value)
    if owner is not _UNSET:
        _check_owner(owner, errors)
        if owner is not None:
            locked.owner = owner
    if parent is not _UNSET:
        _check_parent(locked, parent, errors)
        locked.parent = parent
    if custom_fields is not None:
        try:
            locked.custom_fields = clean_custom_fields(CAMPAIGN, custom_fields, existing=locked.custom_fields or {})
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _check_whole(locked, errors)
    if errors:
        raise ValidationError(errors)
    changes = diff(before, _snapshot(locked), field_labels(object_name=CAMPAIGN))
    if not changes:
        return locked
    locked.version += 1
    locked.last_modified_at = timezone.now()
    locked.last_modified_by = acting_user
    _save(locked, creating=False)
    history_record(
        object_name=CAMPAIGN,
        record_id=locked.pk,
        changes=changes,
        acting_user=acting_user,
        record_version=locked.version,
        at=locked.last_modified_at,
    )
    return locked


@transaction.atomic
def campaign_delete(*, campaign: Campaign, acting_user) -> None:
    """Delete a campaign with its members; its child campaigns lose their parent."""
    _require_editor(campaign, acting_user)
    # Members first: their statuses (deleted with the campaign) are protected while members use them.
    CampaignMember.objects.filter(campaign=campaign).delete()
    Campaign.objects.filter(pk=campaign.pk).delete()


# Member status list -----------------------------------------------------------------------------


@transaction.atomic
def member_status_create(
    *, campaign: Campaign, label: str, acting_user, counts_as_responded: bool = False, is_default: bool = False
) -> CampaignMemberStatus:
    """Add a value to a campaign's member status list."""
    _require_editor(campaign, acting_user)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": [_("This field is required.")]})
    if len(label) > 120:
        raise ValidationError({"label": [_("Ensure this value has at most 120 characters.")]})
    taken = _("This campaign already has this member status.")
    if CampaignMemberStatus.objects.filter(campaign=campaign, label__iexact=label).exists():
        raise ValidationError({"label": [taken]})
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one list change at a time
    if is_default:
        CampaignMemberStatus.objects.filter(campaign=campaign, is_default=True).update(is_default=False)
    order = CampaignMemberStatus.objects.filter(campaign=campaign).aggregate(m=Max("sort_order"))["m"] or 0
    with unique_as_field_error({"campaigns_campaignmemberstatus_label_ci": ("label", taken)}):
        return CampaignMemberStatus.objects.create(
            campaign=campaign,
            label=label,
            counts_as_responded=bool(counts_as_responded),
            is_default=bool(is_default),
            sort_order=order + 1,
        )


def _status_of(campaign: Campaign, status) -> CampaignMemberStatus:
    """A status of the campaign's list, given as a row, an id or a label; blank: the default."""
    statuses = CampaignMemberStatus.objects.filter(campaign=campaign)
    if isinstance(status, CampaignMemberStatus):
        found = status if status.campaign_id == campaign.pk else None
    elif status is None or (isinstance(status, str) and not status.strip()):
        found = statuses.filter(is_default=True).first() or statuses.order_by("sort_order", "id").first()
    elif isinstance(status, int) and not isinstance(status, bool):
        found = statuses.filter(pk=status).first()
    else:
        found = statuses.filter(label__iexact=str(status).strip()).first()
    if found is None:
        raise ValidationError({"status": [_("Choose a member status of this campaign.")]})
    return found


# Members ----------------------------------------------------------------------------------------


@dataclass
class MembersAdded:
    """What adding people to a campaign did: the new rows, and who was already in it or refused."""

    added: list[CampaignMember] = field(default_factory=list)
    already_members: int = 0
    refused: dict[str, list[str]] = field(default_factory=dict)


def _responded(status: CampaignMemberStatus, now) -> dict:
    return {
        "has_responded": status.counts_as_responded,
        "first_responded_at": now if status.counts_as_responded else None,
    }


def _add_members(
    campaign: Campaign, *, leads: Iterable[Lead], contacts: Iterable[Contact], status, acting_user
) -> MembersAdded:
    result = MembersAdded()
    chosen = _status_of(campaign, status)
    now = timezone.now()
    leads, contacts = {lead.pk: lead for lead in leads}, {c.pk: c for c in contacts}
    for lead in list(leads.values()):
        if lead.is_converted:
            result.refused[f"lead:{lead.pk}"] = [_("This lead is converted: add its contact instead.")]
            del leads[lead.pk]
    existing_leads = set(
        CampaignMember.objects.filter(campaign=campaign, lead_id__in=leads).values_list("lead_id", flat=True)
    )
    existing_contacts = set(
        CampaignMember.objects.filter(campaign=campaign, contact_id__in=contacts).values_list("contact_id", flat=True)
    )
    rows = [
        CampaignMember(
            campaign=campaign,
            status=chosen,
            created_at=now,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
            last_modified_at=now,
            **{kind: person},
            **_responded(chosen, now),
        )
        for kind, people, existing in (("lead", leads, existing_leads), ("contact", contacts, existing_contacts))
        for pk, person in people.items()
        if pk not in existing
    ]
    # A concurrent add of the same person is skipped by the unique constraints, not an error.
    CampaignMember.objects.bulk_create(rows, ignore_conflicts=True)
    new_leads = [r.lead_id for r in rows if r.lead_id]
    new_contacts = [r.contact_id for r in rows if r.contact_id]
    result.added = list(
        CampaignMember.objects.filter(campaign=campaign, created_at=now).filter(
            Q(lead_id__in=new_leads) | Q(contact_id__in=new_contacts)
        )
    )
    result.already_members = len(leads) + len(contacts) - len(result.added)
    return result


@transaction.atomic
def campaign_members_add(
    *, campaign: Campaign, acting_user, leads: Iterable[Lead] = (), contacts: Iterable[Contact] = (), status=None
) -> MembersAdded:
    """Add leads and contacts to a campaign with one status (blank: the list's default). People
    already in the campaign stay as they are; converted leads are refused (their contact is added)."""
    _require_editor(campaign, acting_user)
    return _add_members(campaign, leads=leads, contacts=contacts, status=status, acting_user=acting_user)


@transaction.atomic
def campaign_member_update(*, member: CampaignMember, status, acting_user) -> CampaignMember:
    """Give a member another status of its campaign's list; the first status that counts as
    responded sets the first-responded time, which later changes keep."""
    locked = CampaignMember.objects.select_for_update().select_related("campaign").get(pk=member.pk)
    _require_editor(locked.campaign, acting_user)
    chosen = _status_of(locked.campaign, status)
    now = timezone.now()
    locked.status = chosen
    locked.has_responded = chosen.counts_as_responded
    if chosen.counts_as_responded and locked.first_responded_at is None:
        locked.first_responded_at = now
    locked.last_modified_at = now
    locked.save(update_fields=["status", "has_responded", "first_responded_at", "last_modified_at"])
    return locked


@transaction.atomic
def campaign_member_remove(*, member: CampaignMember, acting_user) -> None:
    _require_editor(member.campaign, acting_user)
    CampaignMember.objects.filter(pk=member.pk).delete()


# Web-to-Lead ------------------------------------------------------------------------------------

MEMBER_STATUS_FIELD = "member_status"
UTM_CAMPAIGN_FIELD = "utm_campaign"


def _first(value) -> str:
    """A posted value as text (a repeated field posts a list: its first value)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip() if isinstance(value, str | int) else ""


DEFAULT_WEB_STATUS = "Responded"


def web_to_lead_campaign(*, lead: Lead, intake, acting_user) -> list[str]:
    """Put a lead made by Web-to-Lead into the campaign its submission names (``Campaign_ID``: an
    id or a tracking code; else a ``utm_campaign`` equal to a tracking code; else the form's
    campaign), with the posted ``member_status`` (default Responded). An unknown or inactive campaign, or an
    unknown status, never costs the lead: the answer notes why, for the intake row."""
    payload = getattr(intake, "payload", None) or {}
    code = (getattr(intake, "campaign", "") or "").strip()
    campaign = None
    if not code:
        # A utm_campaign that equals a campaign's tracking code names it (the mapping admins set
        # by giving the campaign that code); any other utm value is no campaign of ours.
        campaign = selectors.campaign_for_tracking_code(_first(payload.get(UTM_CAMPAIGN_FIELD)))
        if campaign is None:
            code = (getattr(getattr(intake, "form", None), "campaign", "") or "").strip()
        else:
            code = campaign.tracking_code
    if not code:
        return []
    campaign = campaign or selectors.campaign_for_code(code)
    if campaign is None:
        return [_("Campaign “%(code)s” not found; the lead was not added to a campaign.") % {"code": code}]
    if not campaign.is_active:
        return [_("Campaign “%(name)s” is inactive; the lead was not added to it.") % {"name": campaign.name}]
    wanted = _first(payload.get(MEMBER_STATUS_FIELD))[:120] or DEFAULT_WEB_STATUS
    notes = []
    try:
        status = _status_of(campaign, wanted)
    except ValidationError:
        status = _status_of(campaign, None)
        notes.append(
            _("Member status “%(wanted)s” is not in campaign “%(name)s”; “%(used)s” was used.")
            % {"wanted": wanted, "name": campaign.name, "used": status.label}
        )
    with transaction.atomic():
        _add_members(campaign, leads=[lead], contacts=[], status=status, acting_user=acting_user)
    return notes


# Lead intake (imports, the API) ------------------------------------------------------------------


def lead_campaigns_join(*, items: list, acting_user, member_status: str = "") -> dict[int, list[str]]:
    """The lead intake's campaign hook: each new lead joins the campaign its row names (an id, a
    tracking code or a name) with ``member_status`` (blank or unknown: the campaign's default).
    An unknown or inactive campaign never costs the lead: the answer notes why, by lead id."""
    notes: dict[int, list[str]] = {}
    by_campaign: dict[int, tuple[Campaign, list[Lead]]] = {}
    found: dict[str, Campaign | None] = {}
    for lead, reference in items:
        reference = str(reference or "").strip()[:255]
        if reference not in found:
            found[reference] = selectors.campaign_for_reference(reference)
        campaign = found[reference]
        if campaign is None:
            notes.setdefault(lead.pk, []).append(
                _("Campaign “%(code)s” not found; the lead was not added to a campaign.") % {"code": reference}
            )
        elif not campaign.is_active:
            notes.setdefault(lead.pk, []).append(
                _("Campaign “%(name)s” is inactive; the lead was not added to it.") % {"name": campaign.name}
            )
        else:
            by_campaign.setdefault(campaign.pk, (campaign, []))[1].append(lead)
    wanted = (member_status or "").strip()[:120]
    for campaign, leads in by_campaign.values():
        try:
            status = _status_of(campaign, wanted or None)
        except ValidationError:
            status = _status_of(campaign, None)
            for lead in leads:
                notes.setdefault(lead.pk, []).append(
                    _("Member status “%(wanted)s” is not in campaign “%(name)s”; “%(used)s” was used.")
                    % {"wanted": wanted, "name": campaign.name, "used": status.label}
                )
        with transaction.atomic():
            _add_members(campaign, leads=leads, contacts=[], status=status, acting_user=acting_user)
    return notes


# Conversion -------------------------------------------------------------------------------------


def conversion_carry_campaigns(*, conversion, acting_user) -> None:
    """On conversion (inside its transaction): the new opportunity gets the lead's first campaign
    as its primary campaign source, and the lead's memberships pass to the contact (merged into the
    contact's own row where the contact was already in that campaign)."""
    lead, contact = conversion.lead, conversion.contact
    members = list(CampaignMember.objects.select_for_update().filter(lead=lead).order_by("created_at", "id"))
    if not members:
        return
    now = timezone.now()
    if conversion.opportunity_id:
        CampaignInfluence.objects.get_or_create(
            opportunity_id=conversion.opportunity_id,
            campaign_id=members[0].campaign_id,
            defaults={
                "lead": lead,
                "is_primary": not CampaignInfluence.objects.filter(
                    opportunity_id=conversion.opportunity_id, is_primary=True
                ).exists(),
                "created_at": now,
            },
        )
    if contact is None:
        return
    theirs = {
        m.campaign_id: m
        for m in CampaignMember.objects.select_for_update().filter(
            contact=contact, campaign_id__in=[m.campaign_id for m in members]
        )
    }
    for member in members:
        other = theirs.get(member.campaign_id)
        if other is None:
            member.lead, member.contact, member.converted_lead, member.last_modified_at = None, contact, lead, now
            member.save(update_fields=["lead", "contact", "converted_lead", "last_modified_at"])
            continue
        # The contact was already in the campaign: one row keeps both histories.
        firsts = [t for t in (other.first_responded_at, member.first_responded_at) if t]
        other.first_responded_at = min(firsts) if firsts else None
        other.has_responded = other.has_responded or member.has_responded
        other.converted_lead, other.last_modified_at = lead, now
        member.delete()
        other.save(update_fields=["first_responded_at", "has_responded", "converted_lead", "last_modified_at"])
