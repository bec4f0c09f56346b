"""The one criteria engine: criteria ``(field, operator, value)`` joined by AND or by a filter logic
such as ``(1 AND 2) OR 3``.

Rules (assignment, auto-response, later scoring and duplicates) store criteria as a JSON list of
``{"field": api_name, "operator": op, "value": ...}`` plus a filter-logic text. They are validated
against ``core.models.FieldDefinition`` when a rule is saved (``validate_criteria``), compiled once
per rule (``compile_criteria``) and evaluated against many records. Evaluation never raises: a
criterion that can no longer be evaluated (its field was deleted, a stored value no longer parses)
simply does not match, and says why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

OPERATORS = (
    "equals",
    "not_equal",
    "contains",
    "not_contain",
    "starts_with",
    "lt",
    "gt",
    "lte",
    "gte",
    "includes",
    "excludes",
    "is_blank",
    "is_not_blank",
    # Relative dates: the last or next N days (today included), this or last calendar period.
    "last_n_days",
    "next_n_days",
    "this_month",
    "last_month",
    "this_quarter",
    "this_year",
)

OPERATOR_LABELS = {
    "equals": "equals",
    "not_equal": "not equal to",
    "contains": "contains",
    "not_contain": "does not contain",
    "starts_with": "starts with",
    "lt": "less than",
    "gt": "greater than",
    "lte": "less or equal",
    "gte": "greater or equal",
    "includes": "includes",
    "excludes": "excludes",
    "is_blank": "is blank",
    "is_not_blank": "is not blank",
    "last_n_days": "in the last N days",
    "next_n_days": "in the next N days",
    "this_month": "this month",
    "last_month": "last month",
    "this_quarter": "this quarter",
    "this_year": "this year",
}

RELATIVE_PERIODS = frozenset({"this_month", "last_month", "this_quarter", "this_year"})
RELATIVE_DAYS = frozenset({"last_n_days", "next_n_days"})
VALUELESS = frozenset({"is_blank", "is_not_blank"}) | RELATIVE_PERIODS
MAX_RELATIVE_DAYS = 36600
LIST_OPERATORS = frozenset({"includes", "excludes"})

_TEXT_TYPES = ("text", "textarea", "email", "phone", "url")
_NUMBER_TYPES = ("number", "currency", "percent")
_TEXT_OPS = ("equals", "not_equal", "contains", "not_contain", "starts_with", "is_blank", "is_not_blank")
_ORDERED_OPS = ("equals", "not_equal", "lt", "gt", "lte", "gte", "is_blank", "is_not_blank")

# Which operators fit which field type.
TYPE_OPERATORS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(_TEXT_TYPES, _TEXT_OPS),
    **dict.fromkeys(_NUMBER_TYPES, _ORDERED_OPS),
    "date": _ORDERED_OPS + tuple(sorted(RELATIVE_DAYS)) + tuple(sorted(RELATIVE_PERIODS)),
    "datetime": _ORDERED_OPS + tuple(sorted(RELATIVE_DAYS)) + tuple(sorted(RELATIVE_PERIODS)),
    "checkbox": ("equals", "not_equal"),
    "picklist": ("equals", "not_equal", "includes", "excludes", "is_blank", "is_not_blank"),
    "lookup": ("equals", "not_equal", "is_blank", "is_not_blank"),
}

MAX_LOGIC_LENGTH = 1000
MAX_LOGIC_DEPTH = 60
MAX_TEXT_VALUE = 255
_LOOKUP_RE = re.compile(r"^(user|queue):\d{1,12}$")


class CriteriaError(ValueError):
    """Criteria or filter logic that cannot be used; the message is shown to the user."""


@dataclass(frozen=True)
class Criterion:
    field: str
    operator: str
    value: Any  # str | list[str] | None

    def as_dict(self) -> dict:
        return {"field": self.field, "operator": self.operator, "value": self.value}


@dataclass(frozen=True)
class CriterionResult:
    index: int  # 1-based, as in the filter logic
    criterion: Criterion
    matched: bool
    explanation: str


@dataclass(frozen=True)
class Evaluation:
    matched: bool
    results: list[CriterionResult]
    logic: str

    @property
    def explanation(self) -> str:
        """One line: which criteria held, under which logic."""
        if not self.results:
            return "No criteria: every record matches."
        met = [str(r.index) for r in self.results if r.matched]
        failed = [str(r.index) for r in self.results if not r.matched]
        parts = [f"Logic {self.logic}"]
        if met:
            parts.append(f"met: {', '.join(met)}")
        if failed:
            parts.append(f"not met: {', '.join(failed)}")
        return "; ".join(parts) + (" → matches." if self.matched else " → does not match.")


# Filter logic ---------------------------------------------------------------------------------


class Node:
    """A parsed filter logic expression."""

    def evaluate(self, truth: Callable[[int], bool]) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def refs(self) -> set[int]:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Ref(Node):
    index: int

    def evaluate(self, truth: Callable[[int], bool]) -> bool:
        return truth(self.index)

    def refs(self) -> set[int]:
        return {self.index}

    def __str__(self) -> str:
        return str(self.index)


@dataclass(frozen=True)
class Not(Node):
    child: Node

    def evaluate(self, truth: Callable[[int], bool]) -> bool:
        return not self.child.evaluate(truth)

    def refs(self) -> set[int]:
        return self.child.refs()

    def __str__(self) -> str:
        inner = str(self.child)
        return f"NOT {inner}" if isinstance(self.child, Ref | Not) else f"NOT ({inner})"


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]

    def evaluate(self, truth: Callable[[int], bool]) -> bool:
        return all(child.evaluate(truth) for child in self.children)

    def refs(self) -> set[int]:
        return set().union(*(c.refs() for c in self.children)) if self.children else set()

    def __str__(self) -> str:
        if not self.children:
            return "(no criteria)"
        return " AND ".join(f"({c})" if isinstance(c, Or) else str(c) for c in self.children)


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]

    def evaluate(self, truth: Callable[[int], bool]) -> bool:
        return any(child.evaluate(truth) for child in self.children)

    def refs(self) -> set[int]:
        return set().union(*(c.refs() for c in self.children))

    def __str__(self) -> str:
        return " OR ".join(f"({c})" if isinstance(c, And) else str(c) for c in self.children)


_TOKEN_RE = re.compile(r"\s*(?:(\d+)|(\()|(\))|([A-Za-z]+)|(\S))")


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        number, lpar, rpar, word, other = match.groups()
        start = match.start(match.lastindex)
        if number is not None:
            if len(number) > 6:
                raise CriteriaError(f"“{number[:10]}…” is not a criterion number.")
            tokens.append(("num", number, start))
        elif lpar:
            tokens.append(("(", lpar, start))
        elif rpar:
            tokens.append((")", rpar, start))
        elif word is not None:
            upper = word.upper()
            if upper not in {"AND", "OR", "NOT"}:
                raise CriteriaError(
                    f"“{word[:20]}” is not allowed in filter logic: use numbers, AND, OR, NOT and parentheses."
                )
            tokens.append((upper, word, start))
        else:
            raise CriteriaError(
                f"“{other}” (position {start + 1}) is not allowed in filter logic: use numbers, AND, OR, NOT and parentheses."
            )
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]], count: int):
        self.tokens = tokens
        self.pos = 0
        self.count = count

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self, depth: int) -> Node:
        if depth > MAX_LOGIC_DEPTH:
            raise CriteriaError("The filter logic is nested too deeply.")
        first = self.operand(depth)
        operator = None
        children = [first]
        while self.peek() in {"AND", "OR"}:
            kind = self.take()[0]
            if operator is not None and kind != operator:
                raise CriteriaError("Use parentheses when you mix AND and OR, for example (1 AND 2) OR 3.")
            operator = kind
            children.append(self.operand(depth))
        if operator is None:
            return first
        return And(tuple(children)) if operator == "AND" else Or(tuple(children))

    def operand(self, depth: int) -> Node:
        if depth > MAX_LOGIC_DEPTH:
            raise CriteriaError("The filter logic is nested too deeply.")
        kind = self.peek()
        if kind is None:
            raise CriteriaError("The filter logic ends too early: a criterion number is missing.")
        token = self.take()
        if kind == "num":
            index = int(token[1])
            if not 1 <= index <= self.count:
                if self.count == 0:
                    raise CriteriaError(f"The filter logic refers to criterion {index}, but there are no criteria.")
                raise CriteriaError(f"The filter logic refers to criterion {index}, but only 1 to {self.count} exist.")
            return Ref(index)
        if kind == "NOT":
            return Not(self.operand(depth + 1))
        if kind == "(":
            inner = self.expression(depth + 1)
            if self.peek() != ")":
                raise CriteriaError("A parenthesis is not closed in the filter logic.")
            self.take()
            return inner
        if kind == ")":
            raise CriteriaError(f"Unexpected “)” at position {token[2] + 1} of the filter logic.")
        raise CriteriaError(f"Unexpected “{token[1]}” at position {token[2] + 1}: a criterion number is missing.")


def default_logic(count: int) -> Node:
    """All criteria joined by AND (no criteria: always true)."""
    return And(tuple(Ref(i) for i in range(1, count + 1)))


def parse_logic(text: str, count: int) -> Node:
    """Parse ``text`` over criteria 1..``count``; blank means all criteria joined by AND.

    Raises ``CriteriaError`` (never anything else) for malformed logic, numbers out of range,
    AND/OR mixed without parentheses, and criteria left unused.
    """
    if not isinstance(text, str):
        raise CriteriaError("The filter logic must be text.")
    if not isinstance(count, int) or count < 0:
        raise CriteriaError("The number of criteria is invalid.")
    if not text.strip():
        return default_logic(count)
    if len(text) > MAX_LOGIC_LENGTH:
        raise CriteriaError(f"The filter logic is too long (at most {MAX_LOGIC_LENGTH} characters).")
    tokens = _tokenize(text)
    if not tokens:
        return default_logic(count)
    parser = _Parser(tokens, count)
    node = parser.expression(0)
    if parser.pos != len(tokens):
        kind, raw, start = tokens[parser.pos]
        if kind == ")":
            raise CriteriaError(f"Unexpected “)” at position {start + 1} of the filter logic.")
        raise CriteriaError(f"Unexpected “{raw}” at position {start + 1}: an AND or OR is missing.")
    unused = sorted(set(range(1, count + 1)) - node.refs())
    if unused:
        listed = ", ".join(str(i) for i in unused)
        raise CriteriaError(
            f"Criteri{'on' if len(unused) == 1 else 'a'} {listed} {'is' if len(unused) == 1 else 'are'} "
            "defined but not used in the filter logic."
        )
    return node


# Field metadata -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """What the engine needs to know about a field: from ``FieldDefinition`` and its picklist."""

    api_name: str
    label: str
    field_type: str
    is_custom: bool
    picklist_values: frozenset[str] = frozenset()
    picklist_labels: dict = field(default_factory=dict, compare=False, hash=False)


def field_specs(object_name: str) -> dict[str, FieldSpec]:
    """The active fields of an object (standard and custom), with picklist values, in two queries."""
    from .models import FieldDefinition, PicklistValue

    values: dict[str, dict[str, str]] = {}
    for field_name, api_name, label in PicklistValue.objects.filter(object_name=object_name).values_list(
        "field_name", "api_name", "label"
    ):
        values.setdefault(field_name, {})[api_name] = label
    specs = {}
    for definition in FieldDefinition.objects.filter(object_name=object_name, is_active=True).order_by(
        "sort_order", "id"
    ):
        labels = values.get(definition.api_name, {})
        specs[definition.api_name] = FieldSpec(
            api_name=definition.api_name,
            label=definition.label,
            field_type=definition.field_type,
            is_custom=definition.is_custom,
            picklist_values=frozenset(labels),
            picklist_labels=labels,
        )
    return specs


def operators_for(field_type: str) -> tuple[str, ...]:
    return TYPE_OPERATORS.get(field_type, ())


# Values ---------------------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _to_decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, Decimal):
        return value
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError("not a number") from None
    if not number.is_finite():
        raise ValueError("not a number")
    return number


def _to_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        parsed = parse_date(text)
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            raise ValueError("not a date")
        return _to_date(moment)
    return parsed


def _to_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
        if moment is None:
            raise ValueError("not a date/time")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("not true or false")


def _as_list(value) -> list:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str) and "," in value:
        return [part.strip() for part in value.split(",")]
    return [value]


def _clean_value(spec: FieldSpec, operator: str, value):
    """Normalise a criterion value for storage; raise ``CriteriaError`` with a clear message."""
    if operator in VALUELESS:
        return None
    if operator in RELATIVE_DAYS:
        try:
            days = int(str(value).strip())
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= MAX_RELATIVE_DAYS:
            raise CriteriaError(f"{spec.label}: enter a number of days from 1 to {MAX_RELATIVE_DAYS}.")
        return str(days)
    ftype = spec.field_type
    if ftype == "checkbox":
        try:
            return "true" if _to_bool(value if not _blank(value) else "") else "false"
        except ValueError:
            raise CriteriaError(f"{spec.label}: choose true or false.") from None
    if _blank(value):
        raise CriteriaError(f"{spec.label}: enter a value to compare with (or use “is blank”).")
    if ftype == "picklist":
        items = [str(v).strip() for v in _as_list(value) if not _blank(v)]
        if not items:
            raise CriteriaError(f"{spec.label}: choose at least one value.")
        unknown = [v for v in items if v not in spec.picklist_values]
        if unknown:
            raise CriteriaError(
                f"{spec.label}: {', '.join(f'“{v}”' for v in unknown)} "
                f"{'is not a value' if len(unknown) == 1 else 'are not values'} of this picklist."
            )
        items = list(dict.fromkeys(items))
        if operator in LIST_OPERATORS or len(items) > 1:
            return items
        return items[0]
    items = _as_list(value) if isinstance(value, list | tuple) else [value]
    cleaned = []
    for item in items:
        if _blank(item):
            continue
        if isinstance(item, dict | list | tuple | set):
            raise CriteriaError(f"{spec.label}: enter a single value.")
        if ftype in _TEXT_TYPES:
            text = str(item).strip()
            if len(text) > MAX_TEXT_VALUE:
                raise CriteriaError(f"{spec.label}: the value may have at most {MAX_TEXT_VALUE} characters.")
            cleaned.append(text)
        elif ftype in _NUMBER_TYPES:
            try:
                number = _to_decimal(item)
            except ValueError:
                raise CriteriaError(f"{spec.label}: “{str(item)[:40]}” is not a number.") from None
            cleaned.append(str(number))
        elif ftype == "date":
            try:
                cleaned.append(_to_date(item).isoformat())
            except ValueError:
                raise CriteriaError(f"{spec.label}: enter a date as YYYY-MM-DD.") from None
        elif ftype == "datetime":
            text = str(item).strip()
            try:
                parsed = parse_date(text)
            except ValueError:
                parsed = None
            if parsed is not None:
                cleaned.append(parsed.isoformat())
                continue
            try:
                cleaned.append(_to_datetime(text).isoformat())
            except ValueError:
                raise CriteriaError(f"{spec.label}: enter a date (YYYY-MM-DD) or a date/time.") from None
        elif ftype == "lookup":
            text = str(item).strip()
            if not _LOOKUP_RE.match(text):
                raise CriteriaError(f"{spec.label}: choose a user or a queue.")
            cleaned.append(text)
        else:
            raise CriteriaError(f"{spec.label}: this field cannot be used in criteria.")
    if not cleaned:
        raise CriteriaError(f"{spec.label}: enter a value to compare with (or use “is blank”).")
    if len(cleaned) > 1 and ftype not in _TEXT_TYPES and ftype != "lookup":
        raise CriteriaError(f"{spec.label}: enter a single value.")
    return cleaned if len(cleaned) > 1 else cleaned[0]


def _coerce_criterion(raw) -> Criterion:
    if isinstance(raw, Criterion):
        return raw
    if not isinstance(raw, dict):
        raise CriteriaError("Each criterion needs a field, an operator and a value.")
    return Criterion(field=str(raw.get("field") or ""), operator=str(raw.get("operator") or ""), value=raw.get("value"))


def check_criterion(spec: FieldSpec | None, criterion: Criterion) -> Criterion:
    """Validate one criterion against its field's metadata; answer it with a normalised value."""
    if not criterion.field:
        raise CriteriaError("Choose a field.")
    if spec is None:
        raise CriteriaError(f"The field “{criterion.field}” does not exist (it may have been deleted).")
    if criterion.operator not in OPERATORS:
        raise CriteriaError(f"{spec.label}: choose an operator.")
    if criterion.operator not in operators_for(spec.field_type):
        allowed = ", ".join(OPERATOR_LABELS[o] for o in operators_for(spec.field_type))
        raise CriteriaError(
            f"{spec.label}: “{OPERATOR_LABELS[criterion.operator]}” does not fit a "
            f"{spec.field_type} field (use {allowed})."
        )
    return Criterion(spec.api_name, criterion.operator, _clean_value(spec, criterion.operator, criterion.value))


def validate_criteria(
    *, object_name: str, criteria: list[dict], logic: str = "", specs: dict[str, FieldSpec] | None = None
) -> list[Criterion]:
    """Validate criteria (and their filter logic) before a rule is saved.

    Raises ``django.core.exceptions.ValidationError`` with ``{"criteria": [...], "filter_logic": [...]}``
    messages, each criterion's message prefixed with its number; answers normalised criteria.
    """
    specs = field_specs(object_name) if specs is None else specs
    if not isinstance(criteria, list | tuple):
        raise ValidationError({"criteria": [gettext("Criteria must be a list.")]})
    errors: dict[str, list[str]] = {}
    cleaned: list[Criterion] = []
    for position, raw in enumerate(criteria, start=1):
        try:
            criterion = _coerce_criterion(raw)
            cleaned.append(check_criterion(specs.get(criterion.field), criterion))
        except CriteriaError as exc:
            errors.setdefault("criteria", []).append(f"Criterion {position}: {exc}")
    try:
        parse_logic(logic or "", len(criteria))
    except CriteriaError as exc:
        errors["filter_logic"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return cleaned


# Evaluation -----------------------------------------------------------------------------------


_MISSING = object()
_UNUSABLE = object()  # a record value that cannot be converted for comparison


def _read(record, spec_name: str, *, is_custom: bool, field_type: str):
    """The record's value of a field: dicts by key (custom values also under ``custom_fields``),
    instances by attribute, custom values from ``record.custom_fields``."""
    if isinstance(record, dict):
        if spec_name in record:
            return record[spec_name]
        nested = record.get("custom_fields")
        if isinstance(nested, dict):
            return nested.get(spec_name)
        return None
    if is_custom:
        return (getattr(record, "custom_fields", None) or {}).get(spec_name)
    if field_type == "lookup":
        user_id = getattr(record, f"{spec_name}_user_id", None)
        if user_id:
            return f"user:{user_id}"
        queue_id = getattr(record, f"{spec_name}_queue_id", None)
        if queue_id:
            return f"queue:{queue_id}"
        raw_id = getattr(record, f"{spec_name}_id", None)
        return str(raw_id) if raw_id else None
    return getattr(record, spec_name, None)


def _quote(value) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, list):
        return ", ".join(f"“{v}”" for v in value)
    return f"“{value}”"


@dataclass(frozen=True)
class CompiledCriterion:
    """One criterion turned into a test on a record's value, ready to run many times."""

    index: int
    criterion: Criterion
    label: str
    error: str = ""
    field_type: str = ""
    is_custom: bool = False
    test: Callable[[Any], bool] | None = None
    normalise: Callable[[Any], Any] | None = None

    def value_of(self, record):
        return _read(record, self.criterion.field, is_custom=self.is_custom, field_type=self.field_type)

    def matches(self, record, memo: dict | None = None) -> bool:
        """``memo`` (one dict per record) keeps each field's normalised value, so that a rule whose
        entries test the same field many times reads and converts it once."""
        if self.error:
            return False
        key = (self.criterion.field, self.normalise)
        value = _MISSING if memo is None else memo.get(key, _MISSING)
        if value is _MISSING:
            try:
                value = self.normalise(self.value_of(record))
            except (ValueError, TypeError, ArithmeticError):
                value = _UNUSABLE
            if memo is not None:
                memo[key] = value
        if value is _UNUSABLE:
            return False
        try:
            return self.test(value)
        except (ValueError, TypeError, ArithmeticError):
            return False

    def result(self, record) -> CriterionResult:
        described = f"{self.label} {OPERATOR_LABELS.get(self.criterion.operator, self.criterion.operator)}"
        if self.criterion.operator not in VALUELESS:
            described += f" {_quote(self.criterion.value)}"
        if self.error:
            return CriterionResult(self.index, self.criterion, False, f"{described}: not met — {self.error}")
        raw = self.value_of(record)
        try:
            matched = bool(self.test(self.normalise(raw)))
        except (ValueError, TypeError, ArithmeticError):
            return CriterionResult(
                self.index,
                self.criterion,
                False,
                f"{described}: not met — the record's value {_quote(raw)} cannot be compared.",
            )
        shown = "blank" if _blank(raw) else _quote(raw if not isinstance(raw, list) else list(raw))
        verdict = "met" if matched else "not met"
        return CriterionResult(self.index, self.criterion, matched, f"{described}: {verdict} (the value is {shown}).")


def _text_norm(value) -> str:
    return "" if value is None else str(value).strip().casefold()


def _str_norm(value) -> str:
    return "" if value is None else str(value)


def _same(value):
    return value


def _num_norm(value):
    return None if _blank(value) else _to_decimal(value)


def _date_norm(value):
    return None if _blank(value) else _to_date(value)


def _datetime_norm(value):
    return None if _blank(value) else _to_datetime(value)


def relative_range(operator: str, value, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day (both included) of a relative date operator, in the local time zone."""
    today = today or timezone.localdate()
    if operator == "last_n_days":
        return today - dt.timedelta(days=int(value) - 1), today
    if operator == "next_n_days":
        return today, today + dt.timedelta(days=int(value) - 1)
    if operator == "this_year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    if operator == "this_quarter":
        first = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    elif operator == "last_month":
        first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    elif operator == "this_month":
        first = today.replace(day=1)
    else:
        raise CriteriaError(f"“{operator}” is not a relative date operator.")
    index = first.month - 1 + (3 if operator == "this_quarter" else 1)
    after = dt.date(first.year + index // 12, index % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def _build_test(spec: FieldSpec, criterion: Criterion):
    """Answer (normalise, test) for a validated criterion; both are plain closures for speed."""
    operator = criterion.operator
    ftype = spec.field_type
    if operator in RELATIVE_DAYS or operator in RELATIVE_PERIODS:
        first, last = relative_range(operator, criterion.value)
        return _date_norm, (lambda v: v is not None and first <= v <= last)
    if operator == "is_blank":
        return _same, _blank
    if operator == "is_not_blank":
        return _same, (lambda v: not _blank(v))
    values = criterion.value if isinstance(criterion.value, list) else [criterion.value]
    if ftype in _TEXT_TYPES or ftype in {"picklist", "lookup"}:
        # Text comparisons ignore case, as users expect; picklists compare API names exactly.
        if ftype in _TEXT_TYPES:
            wanted = tuple(_text_norm(v) for v in values)
            normalise = _text_norm
        else:
            wanted = tuple(str(v) for v in values)
            normalise = _str_norm
        wanted_set = frozenset(wanted)
        tests = {
            "equals": lambda v: v in wanted_set,
            "includes": lambda v: v in wanted_set,
            "not_equal": lambda v: v not in wanted_set,
            "excludes": lambda v: v not in wanted_set,
            "contains": lambda v: any(w in v for w in wanted),
            "not_contain": lambda v: not any(w in v for w in wanted),
            "starts_with": lambda v: v.startswith(wanted),
        }
        return normalise, tests[operator]
    if ftype == "checkbox":
        expected = _to_bool(values[0])
        if operator == "equals":
            return _to_bool, lambda v: v is expected
        return _to_bool, lambda v: v is not expected
    if ftype in _NUMBER_TYPES:
        bound, normalise = _to_decimal(values[0]), _num_norm
    elif ftype == "date":
        bound, normalise = _to_date(values[0]), _date_norm
    elif ftype == "datetime":
        text = str(values[0])
        date_only = parse_date(text) if len(text) <= 10 else None
        if date_only is not None:
            bound, normalise = date_only, _date_norm
        else:
            bound, normalise = _to_datetime(text), _datetime_norm

    else:
        raise CriteriaError(f"{spec.label}: this field cannot be used in criteria.")
    comparisons = {
        "equals": lambda v: v is not None and v == bound,
        "not_equal": lambda v: v is None or v != bound,
        "lt": lambda v: v is not None and v < bound,
        "gt": lambda v: v is not None and v > bound,
        "lte": lambda v: v is not None and v <= bound,
        "gte": lambda v: v is not None and v >= bound,
    }
    return normalise, comparisons[operator]


def compile_criterion(index: int, raw, specs: dict[str, FieldSpec]) -> CompiledCriterion:
    """Compile one stored criterion; a criterion that no longer fits compiles to 'never matches'."""
    try:
        criterion = _coerce_criterion(raw)
    except CriteriaError as exc:
        return CompiledCriterion(index, Criterion("", "", None), "(invalid criterion)", error=str(exc))
    spec = specs.get(criterion.field)
    label = spec.label if spec else criterion.field or "(no field)"
    try:
        checked = check_criterion(spec, criterion)
        normalise, test = _build_test(spec, checked)
    except (CriteriaError, ValueError, TypeError, ArithmeticError) as exc:
        message = str(exc) if isinstance(exc, CriteriaError) else "the criterion's value cannot be used."
        if spec is None:
            message = "the field no longer exists."
        return CompiledCriterion(index, criterion, label, error=message)
    return CompiledCriterion(
        index,
        checked,
        label,
        field_type=spec.field_type,
        is_custom=spec.is_custom,
        test=test,
        normalise=normalise,
    )


@dataclass(frozen=True)
class CompiledCriteria:
    """Criteria and logic parsed once; ``matches`` is the fast path, ``evaluate`` explains."""

    criteria: tuple[CompiledCriterion, ...]
    node: Node | None
    logic: str
    logic_error: str = ""
    # When the logic is a plain AND of criteria (the default): their positions, tested in a loop.
    conjunction: tuple[int, ...] | None = None

    def matches(self, record, memo: dict | None = None) -> bool:
        if self.node is None:
            return False
        memo = {} if memo is None else memo
        compiled = self.criteria
        if self.conjunction is not None:
            for position in self.conjunction:  # noqa: SIM110 - a plain loop is the fastest path
                if not compiled[position].matches(record, memo):
                    return False
            return True
        return self.node.evaluate(lambda i: compiled[i - 1].matches(record, memo))

    def evaluate(self, record) -> Evaluation:
        results = [c.result(record) for c in self.criteria]
        if self.node is None:
            return Evaluation(False, results, f"{self.logic} (invalid: {self.logic_error})")
        by_index = {r.index: r.matched for r in results}
        return Evaluation(self.node.evaluate(by_index.__getitem__), results, self.logic)


def compile_criteria(
    *, object_name: str, criteria: Sequence, logic: str = "", specs: dict[str, FieldSpec] | None = None
) -> CompiledCriteria:
    """Compile criteria for repeated evaluation. Never raises: what cannot be evaluated does not match.

    Pass ``specs`` (from ``field_specs``) to compile many rules with one read of the field metadata.
    """
    specs = field_specs(object_name) if specs is None else specs
    items = list(criteria or [])
    compiled = tuple(compile_criterion(i, raw, specs) for i, raw in enumerate(items, start=1))
    try:
        node = parse_logic(logic or "", len(items))
    except CriteriaError as exc:
        return CompiledCriteria(compiled, None, (logic or "").strip(), logic_error=str(exc))
    conjunction = None
    if isinstance(node, Ref):
        conjunction = (node.index - 1,)
    elif isinstance(node, And) and all(isinstance(child, Ref) for child in node.children):
        conjunction = tuple(child.index - 1 for child in node.children)
    return CompiledCriteria(compiled, node, str(node) if items else "(no criteria)", conjunction=conjunction)


def evaluate(*, object_name: str, record, criteria: Iterable, logic: str = "") -> Evaluation:
    """Evaluate criteria against a record (a model instance or a dict of values), with explanations."""
    return compile_criteria(object_name=object_name, criteria=list(criteria or []), logic=logic).evaluate(record)


def criteria_as_dicts(criteria: Iterable[Criterion]) -> list[dict]:
    return [c.as_dict() for c in criteria]


def describe(criterion: Criterion | dict, specs: dict[str, FieldSpec]) -> str:
    """``Lead Source equals “Web”`` in the user's words (labels, not API names)."""
    criterion = criterion if isinstance(criterion, Criterion) else _coerce_criterion(criterion)
    spec = specs.get(criterion.field)
    label = spec.label if spec else f"{criterion.field} (deleted)"
    text = f"{label} {OPERATOR_LABELS.get(criterion.operator, criterion.operator)}"
    if criterion.operator not in VALUELESS:
        value = criterion.value
        if spec and spec.field_type == "picklist":
            items = value if isinstance(value, list) else [value]
            value = [spec.picklist_labels.get(v, v) for v in items]
            value = value if len(value) > 1 else value[0]
        text += f" {_quote(value)}"
    return text


# Querysets -------------------------------------------------------------------------------------


def _column(spec: FieldSpec) -> str:
    return f"custom_fields__{spec.api_name}" if spec.is_custom else spec.api_name


def criterion_q(spec: FieldSpec, criterion: Criterion, column: str | None = None):
    """A validated criterion as a ``Q`` on the object's model, with the meaning ``evaluate`` gives
    it (text compared ignoring case; "not equal" and "excludes" also match blanks)."""
    from django.db.models import Q

    column = column or _column(spec)
    operator, ftype = criterion.operator, spec.field_type
    values = criterion.value if isinstance(criterion.value, list) else [criterion.value]
    text_like = ftype in _TEXT_TYPES or ftype in {"picklist", "lookup"}
    if ftype == "lookup" and not spec.is_custom and column != spec.api_name:
        # A foreign key column: "user:<id>" values name its row.
        ids = [int(str(v).partition(":")[2]) for v in values if v]
        if operator in VALUELESS:
            blank = Q(**{f"{column}__isnull": True})
            return blank if operator == "is_blank" else ~blank
        return Q(**{f"{column}__in": ids}) if operator == "equals" else ~Q(**{f"{column}__in": ids})
    if ftype == "lookup" and not spec.is_custom:
        # An owner: "user:<id>" or "queue:<id>" in two columns.
        def one(value: str) -> Q:
            kind, _sep, pk = str(value).partition(":")
            return Q(**{f"{column}_{kind}_id": int(pk)})

        if operator in VALUELESS:
            blank = Q(**{f"{column}_user__isnull": True}) & Q(**{f"{column}_queue__isnull": True})
            return blank if operator == "is_blank" else ~blank
        matched = Q()
        for value in values:
            matched |= one(value)
        return matched if operator == "equals" else ~matched
    if operator in VALUELESS and operator not in RELATIVE_PERIODS:
        blank = Q(**{f"{column}__isnull": True})
        if text_like:
            blank |= Q(**{column: ""})
        return blank if operator == "is_blank" else ~blank
    date_column = f"{column}__date" if ftype == "datetime" and not spec.is_custom else column
    if operator in RELATIVE_DAYS or operator in RELATIVE_PERIODS:
        first, last = relative_range(operator, criterion.value)
        return Q(**{f"{date_column}__gte": first, f"{date_column}__lte": last})
    if text_like:
        if ftype in _TEXT_TYPES:
            lookups = {"equals": "iexact", "not_equal": "iexact", "contains": "icontains"}
            lookups.update(not_contain="icontains", starts_with="istartswith")
            matched = Q()
            for value in values:
                matched |= Q(**{f"{column}__{lookups[operator]}": value})
        else:
            matched = Q(**{f"{column}__in": [str(v) for v in values]})
        negated = operator in {"not_equal", "not_contain", "excludes"}
        if negated:
            return ~matched | Q(**{f"{column}__isnull": True})
        return matched
    if ftype == "checkbox":
        expected = _to_bool(values[0])
        return Q(**{column: expected}) if operator == "equals" else ~Q(**{column: expected})
    if ftype in _NUMBER_TYPES:
        bound = _to_decimal(values[0])
    elif ftype == "date":
        bound = _to_date(values[0])
    else:
        text = str(values[0])
        date_only = parse_date(text) if len(text) <= 10 else None
        if date_only is not None:
            bound, column = date_only, date_column
        else:
            bound = _to_datetime(text)
    if operator == "equals":
        return Q(**{column: bound})
    if operator == "not_equal":
        return ~Q(**{column: bound}) | Q(**{f"{column}__isnull": True})
    return Q(**{f"{column}__{operator}": bound})


def _node_q(node: Node, parts: dict):
    from django.db.models import Q

    if isinstance(node, Ref):
        return parts[node.index]
    if isinstance(node, Not):
        return ~_node_q(node.child, parts)
    children = [_node_q(child, parts) for child in node.children]
    if not children:
        return Q()
    combined = children[0]
    for child in children[1:]:
        combined = (combined & child) if isinstance(node, And) else (combined | child)
    return combined


def criteria_q(
    *, criteria: Sequence, logic: str = "", specs: dict[str, FieldSpec], columns: dict[str, str] | None = None
):
    """Validated criteria and their filter logic as one ``Q`` (what ``evaluate`` would match), for
    reports and list filters that run in the database. ``columns`` maps a field to its model
    column where the two differ. Raises ``CriteriaError`` for criteria that no longer fit."""
    columns = columns or {}
    parts = {}
    for index, raw in enumerate(criteria, start=1):
        criterion = _coerce_criterion(raw)
        spec = specs.get(criterion.field)
        checked = check_criterion(spec, criterion)
        parts[index] = criterion_q(spec, checked, columns.get(checked.field))
    return _node_q(parse_logic(logic or "", len(parts)), parts)
