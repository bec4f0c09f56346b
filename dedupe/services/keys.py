"""The match keys of leads and contacts: written whenever a record's history records a change
(the record change hook), in one upsert for a batch, and backfilled for records stored before."""

from __future__ import annotations

from django.db import transaction

from core.db import insert_columns
from leads.models import Lead
from sales.models import Contact

from .. import normalize
from ..models import MatchKey

OBJECTS = {"lead": Lead, "contact": Contact}
KEY_FIELDS = ("email_exact", "email_normalized", "email_gmail", "phone", "mobile", "company", "name")
SOURCE_FIELDS = {
    "lead": ("email", "phone", "mobile", "company", "first_name", "last_name", "country"),
    "contact": ("email", "phone", "mobile", "account__name", "first_name", "last_name", "mailing_country"),
}


def keys_for_values(values: dict) -> dict:
    """The match keys of a person's values (a lead's fields; a contact's company is its account's
    name and its country its mailing country)."""
    country = normalize.country_code(values.get("country") or values.get("mailing_country"))
    email = values.get("email") or ""
    return {
        "email_exact": normalize.email_exact(email)[:254],
        "email_normalized": normalize.email_normalized(email)[:254],
        "email_gmail": normalize.email_normalized(email, gmail_dots=True)[:254],
        "phone": normalize.phone_e164(values.get("phone"), country=country),
        "mobile": normalize.phone_e164(values.get("mobile"), country=country),
        "company": normalize.company_key(values.get("company") or values.get("account__name"))[:255],
        "name": normalize.name_key(values.get("first_name"), values.get("last_name"))[:130],
    }


def keys_refresh(*, object_name: str, record_ids: list[int]) -> int:
    """Write the keys of the records (those gone lose theirs) in one upsert; answers how many."""
    model = OBJECTS.get(object_name)
    if model is None or not record_ids:
        return 0
    rows = model._base_manager.filter(pk__in=record_ids).values("pk", *SOURCE_FIELDS[object_name])
    # By column, without a model instance per key: a batch of imported leads writes its keys in
    # one statement.
    columns: dict[str, list] = {"record_id": [], **{name: [] for name in KEY_FIELDS}}
    for row in rows:
        if object_name == "contact":
            row["company"] = row.pop("account__name")
        columns["record_id"].append(row["pk"])
        for name, value in keys_for_values(row).items():
            columns[name].append(value)
    found = set(columns["record_id"])
    gone = [pk for pk in record_ids if pk not in found]
    if gone:
        MatchKey.objects.filter(object_name=object_name, record_id__in=gone).delete()
    insert_columns(
        MatchKey,
        rows=columns,
        same={"object_name": object_name},
        returning=False,
        conflict_fields=["object_name", "record_id"],
        update_fields=[*KEY_FIELDS, "updated_at"],
    )
    return len(found)


def on_record_change(*, object_name: str, record_id: int) -> None:
    if object_name in OBJECTS:
        keys_refresh(object_name=object_name, record_ids=[record_id])


def on_record_changes(*, object_name: str, record_ids: list[int]) -> None:
    if object_name in OBJECTS:
        keys_refresh(object_name=object_name, record_ids=list(record_ids))


def keys_backfill(*, object_name: str, chunk: int = 2000, missing_only: bool = False) -> int:
    """Write the keys of every record of the object, ``chunk`` at a time in id order (each chunk its
    own transaction); ``missing_only`` skips records that have keys. Answers how many were written."""
    model = OBJECTS[object_name]
    written, last = 0, 0
    while True:
        ids = model._base_manager.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk]
        ids = list(ids)
        if not ids:
            return written
        last = ids[-1]
        if missing_only:
            have = set(
                MatchKey.objects.filter(object_name=object_name, record_id__in=ids).values_list("record_id", flat=True)
            )
            ids = [pk for pk in ids if pk not in have]
        with transaction.atomic():
            written += keys_refresh(object_name=object_name, record_ids=ids)
