"""The global search: every registered object, each through its own visibility selector."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Reverse
from django.db.models.lookups import Contains, StartsWith
from django.urls import reverse

from core.registry import SearchSpec, searchable_objects

from .normalize import MAX_LENGTH, MIN_LENGTH, Digits, Normalized, normalize, phone_digits

PER_GROUP = 5
# At most this many related rows (accounts of a name) stand for a relation's prefix.
RELATED_IDS = 500


@dataclass(frozen=True)
class SearchHit:
    pk: int
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class SearchGroup:
    object_name: str
    label: str
    icon: str
    hits: list[SearchHit]
    has_more: bool
    more_url: str


def clean_query(raw: str | None) -> str:
    """The query as typed, trimmed, whitespace collapsed, cut to a sane length."""
    return " ".join((raw or "").split())[:MAX_LENGTH]


def is_searchable(query: str) -> bool:
    return len(normalize(query)) >= MIN_LENGTH


def _prefix(field: str, normalized: str) -> Q:
    return Q(StartsWith(Normalized(F(field)), normalized))


def _word_prefix(field: str, normalized: str) -> Q:
    """The query starts a word inside ``field`` ("widg" finds "Acme Widgets"); a trigram index on
    the normalised field serves it on PostgreSQL."""
    return Q(Contains(Normalized(F(field)), f" {normalized}"))


def _name_prefix(model, field: str, normalized: str) -> Q:
    """A prefix of ``field``; through a relation ("account__name") as the ids of the matching
    related rows, read first from their own index: an ``IN (subquery)`` inside an OR would make
    the planner test every row of this table instead of combining indexes."""
    relation, _, column = field.rpartition("__")
    if not relation:
        return _prefix(field, normalized)
    related = model._meta.get_field(relation).related_model
    ids = list(related._default_manager.filter(_prefix(column, normalized)).values_list("pk", flat=True)[:RELATED_IDS])
    return Q(**{f"{relation}__in": ids}) if ids else Q(pk__in=[])


def _phone(field: str, number: str) -> Q:
    """The number's digits start the phone's digits, or end them (a number typed without its
    country code): the suffix is a prefix of the reversed digits, which have their own index."""
    return Q(StartsWith(Digits(F(field)), number)) | Q(StartsWith(Reverse(Digits(F(field))), number[::-1]))


def search_condition(spec: SearchSpec, query: str, model=None) -> Q:
    """Which records of ``spec`` match ``query``: a prefix of a name-like field (ignoring case and
    accents) or of a word inside a company-like one, of an email address, of a phone number's digits, or first and last name together."""
    normalized = normalize(query)
    condition = Q()
    for field in spec.fields:
        condition |= _name_prefix(model, field, normalized) if "__" in field else _prefix(field, normalized)
    for field in spec.word_fields:
        condition |= _word_prefix(field, normalized)
    for field in spec.email_fields:
        # istartswith compiles to UPPER(col::text) LIKE UPPER(...): the list search's indexes.
        condition |= Q(**{f"{field}__istartswith": query})
    number = phone_digits(query)
    for field in spec.phone_fields if number else ():
        condition |= _phone(field, number)
    first_word, _, rest = normalized.partition(" ")
    if spec.full_name and rest:
        first, last = spec.full_name
        condition |= _prefix(first, first_word) & _prefix(last, rest)
    return condition


def search_records(spec: SearchSpec, *, user, query: str) -> QuerySet:
    """Every record of ``spec`` that ``user`` may read and ``query`` matches, in the spec's order."""
    qs = spec.queryset_for_user(user)
    return qs.filter(search_condition(spec, query, qs.model)).order_by(*spec.ordering)


def _more_url(spec: SearchSpec, query: str) -> str:
    if not spec.list_url:
        return ""
    return f"{reverse(spec.list_url)}?{urlencode([*spec.list_params, ('q', query)])}"


def global_search(*, user, query: str, limit: int = PER_GROUP) -> list[SearchGroup]:
    """The records matching ``query`` that ``user`` may read, grouped by object, ``limit`` per group
    (one query per object: one row more than the limit tells whether there are more)."""
    query = clean_query(query)
    if not is_searchable(query):
        return []
    groups = []
    for spec in searchable_objects():
        found = list(search_records(spec, user=user, query=query)[: limit + 1])
        hits = [
            SearchHit(
                pk=record.pk,
                title=spec.title(record),
                subtitle=spec.subtitle(record) if spec.subtitle else "",
                url=reverse(spec.url, args=[record.pk]),
            )
            for record in found[:limit]
        ]
        groups.append(
            SearchGroup(
                object_name=spec.object_name,
                label=str(spec.label),
                icon=spec.icon,
                hits=hits,
                has_more=len(found) > limit,
                more_url=_more_url(spec, query),
            )
        )
    return groups
