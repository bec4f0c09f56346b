"""Finding the records a person's values match under a matching rule, from the stored match keys:
an index lookup on the most selective key the rule compares (an email, a phone, a company; a name
by its trigram index), then every other method the rule switches on checked on the candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import BooleanField, F, Func, Q, Value

from core.rules import active_rule, compiled_rule

from ..models import DuplicateRule, MatchingRule, MatchKey
from .keys import keys_for_values

MAX_MATCHES = 20


@dataclass(frozen=True)
class Match:
    """A record found like the values: which object and id, the score (1 for exact keys; a name
    counts by its similarity) and the matching rule and methods that found it."""

    object_name: str
    record_id: int
    score: float
    rule_id: int
    rule_name: str
    methods: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """What the duplicate rule decides for one row on an entry point: ``action`` (allow, alert,
    block, attach), the matches that decided it, the duplicate rule's entry (``None`` when no
    entry applies) and, for a row like an earlier row of the same batch, that row's index."""

    action: str
    matches: tuple[Match, ...] = ()
    entry: object = None
    same_as_row: int | None = None
    keys: dict = field(default_factory=dict, repr=False)


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams of a text: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity``: shared trigrams over all trigrams of both texts."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


class TrigramSimilar(Func):
    """``name % 'text'``: served by the trigram index (pg_trgm's threshold, 0.3, is below every
    rule's threshold, so it only narrows)."""

    template = "%(expressions)s"
    arg_joiner = " %% "
    output_field = BooleanField()


def _email_column(rule: MatchingRule) -> str:
    if rule.email == MatchingRule.Email.EXACT:
        return "email_exact"
    return "email_gmail" if rule.gmail_dots else "email_normalized"


def _phones(keys: dict) -> set[str]:
    return {p for p in (keys.get("phone"), keys.get("mobile")) if p}


def _comparable(rule: MatchingRule, keys: dict) -> bool:
    """Whether the values hold every key the rule compares (a lead without an email never matches
    by email)."""
    if rule.email and not keys.get(_email_column(rule)):
        return False
    if rule.phone and not _phones(keys):
        return False
    if rule.company and not keys.get("company"):
        return False
    return not (rule.fuzzy_name and not keys.get("name"))


def _score(rule: MatchingRule, keys: dict, candidate: MatchKey) -> tuple[float, tuple[str, ...]] | None:
    """The candidate's score under the rule, or None when some method does not match."""
    scores, methods = [], []
    if rule.email:
        column = _email_column(rule)
        if getattr(candidate, column) != keys[column]:
            return None
        scores.append(1.0)
        methods.append("email")
    if rule.phone:
        if not _phones(keys) & {p for p in (candidate.phone, candidate.mobile) if p}:
            return None
        scores.append(1.0)
        methods.append("phone")
    if rule.company:
        if candidate.company != keys["company"]:
            return None
        scores.append(1.0)
        methods.append("company")
    if rule.fuzzy_name:
        value = similarity(candidate.name, keys["name"])
        if value < float(rule.name_threshold):
            return None
        scores.append(value)
        methods.append("name")
    return round(sum(scores) / len(scores), 3), tuple(methods)


def _narrowing(rule: MatchingRule, keys: dict) -> Q:
    """The index lookup that finds the candidates: the most selective key the rule compares."""
    if rule.email:
        return Q(**{_email_column(rule): keys[_email_column(rule)]})
    if rule.phone:
        phones = sorted(_phones(keys))
        return Q(phone__in=phones) | Q(mobile__in=phones)
    if rule.company:
        return Q(company=keys["company"])
    return Q(TrigramSimilar(F("name"), Value(keys["name"])))


def _base(rule: MatchingRule):
    qs = MatchKey.objects.all()
    return qs if rule.include_contacts else qs.filter(object_name="lead")


def find_matches(
    *, rule: MatchingRule, values: dict | None = None, keys: dict | None = None, exclude=(), limit: int = MAX_MATCHES
) -> list[Match]:
    """The records whose keys match ``values`` (or their ``keys``) under ``rule``, best first;
    ``exclude`` holds (object name, id) pairs left out (the record being edited)."""
    keys = keys if keys is not None else keys_for_values(values or {})
    if not _comparable(rule, keys):
        return []
    candidates = _alive(_base(rule).filter(_narrowing(rule, keys)).order_by("record_id")[: limit * 5])
    return _ranked(rule, keys, candidates, set(exclude), limit)


def _alive(candidates) -> list[MatchKey]:
    """The candidates whose record still stands: a deleted lead (in the Recycle Bin) or a converted
    one is not a duplicate; keys of deleted records are left behind until the record is purged."""
    from leads.models import Lead
    from sales.models import Contact

    candidates = list(candidates)
    ids = {"lead": set(), "contact": set()}
    for candidate in candidates:
        ids.setdefault(candidate.object_name, set()).add(candidate.record_id)
    alive = set()
    if ids["lead"]:
        alive |= {
            ("lead", pk)
            for pk in Lead._base_manager.filter(pk__in=ids["lead"], is_converted=False).values_list("pk", flat=True)
        }
    if ids["contact"]:
        alive |= {
            ("contact", pk) for pk in Contact._base_manager.filter(pk__in=ids["contact"]).values_list("pk", flat=True)
        }
    return [c for c in candidates if (c.object_name, c.record_id) in alive]


def _ranked(rule, keys, candidates, exclude: set, limit: int) -> list[Match]:
    found = []
    for candidate in candidates:
        if (candidate.object_name, candidate.record_id) in exclude:
            continue
        scored = _score(rule, keys, candidate)
        if scored is not None:
            found.append(Match(candidate.object_name, candidate.record_id, scored[0], rule.pk, rule.name, scored[1]))
    found.sort(key=lambda m: (-m.score, m.object_name != "lead", m.record_id))
    return found[:limit]


def _batch_candidates(rule: MatchingRule, all_keys: list[dict]) -> dict[str, list[MatchKey]] | None:
    """The candidates of many rows in one query, by the rule's narrowing key (None when the rule
    narrows by name only: each row then asks the trigram index itself)."""
    if rule.email:
        column = _email_column(rule)
        wanted = {k[column] for k in all_keys if k.get(column)}
        lookup = {f"{column}__in": sorted(wanted)}
        attr = (column,)
    elif rule.phone:
        wanted = set().union(*(_phones(k) for k in all_keys)) if all_keys else set()
        lookup = {}
        attr = ("phone", "mobile")
    elif rule.company:
        wanted = {k["company"] for k in all_keys if k.get("company")}
        lookup = {"company__in": sorted(wanted)}
        attr = ("company",)
    else:
        return None
    by_value: dict[str, list[MatchKey]] = {}
    if not wanted:
        return by_value
    qs = _base(rule)
    qs = qs.filter(**lookup) if lookup else qs.filter(Q(phone__in=sorted(wanted)) | Q(mobile__in=sorted(wanted)))
    for candidate in _alive(qs.order_by("record_id")):
        for name in attr:
            value = getattr(candidate, name)
            if value:
                by_value.setdefault(value, []).append(candidate)
    return by_value


def _row_values(row) -> dict:
    """A row's lead values: a dict, or an intake row (its ``data``)."""
    return getattr(row, "data", row) or {}


def _entry_for(compiled, values: dict):
    if compiled is None:
        return None
    from leads.models import Lead  # the criteria read a lead's fields

    known = {f.name for f in Lead._meta.concrete_fields}
    probe = Lead(**{k: v for k, v in values.items() if k in known})
    match = compiled.first_match(probe)
    return match.entry if match is not None else None


PATH_FIELDS = {
    "page": "action_page",
    "ui": "action_page",
    "api": "action_api",
    "webtolead": "action_webtolead",
    "import": "action_import",
    "bulk": "action_bulk",
}


def match_batch(
    rows: Sequence, path: str = "import", *, exclude_ids: Sequence[int | None] | None = None
) -> list[Decision]:
    """What the active duplicate rule decides for each row (a dict of lead field values, or an
    intake row) on the entry point ``path`` ("page", "api", "webtolead", "import", "bulk").

    One ``Decision`` per row, in order: "allow" when no entry applies or nothing matches; else the
    entry's action for the path with the matches, best first. Rows are matched against the stored
    records and against the earlier rows of the same call (a later row like an earlier one answers
    ``same_as_row``), so an import can tell duplicates inside its own file. Candidates of many rows
    are read in one query per matching rule where the rule compares an email, a phone or a company."""
    action_field = PATH_FIELDS[path]
    rule = active_rule(_kind())
    compiled = compiled_rule(kind=_kind(), rule=rule) if rule is not None else None
    values = [_row_values(row) for row in rows]
    entries = [_entry_for(compiled, v) for v in values]
    excluded = list(exclude_ids) if exclude_ids is not None else [None] * len(rows)
    by_rule: dict[int, list[int]] = {}
    for index, entry in enumerate(entries):
        if entry is not None and getattr(entry, action_field) != "allow":
            by_rule.setdefault(entry.matching_rule_id, []).append(index)
    # Only the rows an entry applies to are compared: only theirs need match keys.
    keys: dict[int, dict] = {i: keys_for_values(values[i]) for indexes in by_rule.values() for i in indexes}
    decisions = [Decision(action="allow", keys=keys.get(i, {})) for i in range(len(rows))]
    for indexes in by_rule.values():
        matching = entries[indexes[0]].matching_rule
        pool = _batch_candidates(matching, [keys[i] for i in indexes])
        seen: list[int] = []
        # The earlier comparable rows by their narrowing values: a row like an earlier one shares
        # one with it (its email, a phone or its company), so only those are compared, not every
        # earlier row of the batch (rules comparing names only compare them all).
        seen_by_value: dict[str, list[int]] = {}
        for index in indexes:
            row_keys = keys[index]
            exclude = {("lead", excluded[index])} if excluded[index] else set()
            if not _comparable(matching, row_keys):
                matches = []
            elif pool is None:
                matches = find_matches(rule=matching, keys=row_keys, exclude=exclude)
            else:
                candidates = {}
                for value in _narrow_values(matching, row_keys):
                    for candidate in pool.get(value, []):
                        candidates[candidate.pk] = candidate
                matches = _ranked(matching, row_keys, candidates.values(), exclude, MAX_MATCHES)
            entry = entries[index]
            if pool is None:
                others: list[int] = seen
            else:
                others = sorted(
                    {j for value in _narrow_values(matching, row_keys) for j in seen_by_value.get(value, ())}
                )
            earlier = next(
                (j for j in others if _comparable(matching, keys[j]) and _same(matching, row_keys, keys[j])), None
            )
            if pool is not None and _comparable(matching, row_keys):
                for value in _narrow_values(matching, row_keys):
                    seen_by_value.setdefault(value, []).append(index)
            if matches or earlier is not None:
                decisions[index] = Decision(
                    action=getattr(entry, action_field),
                    matches=tuple(matches),
                    entry=entry,
                    same_as_row=earlier,
                    keys=row_keys,
                )
            seen.append(index)
    return decisions


def _narrow_values(rule: MatchingRule, keys: dict) -> list[str]:
    if rule.email:
        return [keys[_email_column(rule)]]
    if rule.phone:
        return sorted(_phones(keys))
    return [keys["company"]]


def _same(rule: MatchingRule, keys: dict, other: dict) -> bool:
    """Whether two rows' keys match each other under the rule."""
    probe = MatchKey(**{k: other.get(k, "") for k in ("email_exact", "email_normalized", "email_gmail")})
    probe.phone, probe.mobile = other.get("phone", ""), other.get("mobile", "")
    probe.company, probe.name = other.get("company", ""), other.get("name", "")
    return _score(rule, keys, probe) is not None


def _kind():
    from .rules import DUPLICATE

    return DUPLICATE


def rules_for_lookup() -> list[MatchingRule]:
    """The matching rules a record's duplicates are looked up with: those of the active duplicate
    rule's entries, else every matching rule."""
    rule = DuplicateRule.objects.filter(is_active=True).first()
    if rule is not None:
        ids = list(rule.entries.order_by("sort_order").values_list("matching_rule_id", flat=True))
        found = {m.pk: m for m in MatchingRule.objects.filter(pk__in=ids)}
        return [found[i] for i in dict.fromkeys(ids) if i in found]
    return list(MatchingRule.objects.order_by("name"))


def lead_duplicates(*, lead, rules: list[MatchingRule] | None = None) -> list[Match]:
    """The possible duplicates of a saved lead under each matching rule (best score per record)."""
    values = {f: getattr(lead, f) for f in ("email", "phone", "mobile", "company", "first_name", "last_name")}
    values["country"] = lead.country
    keys = keys_for_values(values)
    best: dict[tuple[str, int], Match] = {}
    for rule in rules if rules is not None else rules_for_lookup():
        for match in find_matches(rule=rule, keys=keys, exclude={("lead", lead.pk)}):
            key = (match.object_name, match.record_id)
            if key not in best or match.score > best[key].score:
                best[key] = match
    return sorted(best.values(), key=lambda m: (-m.score, m.object_name != "lead", m.record_id))
