"""Registries through which higher apps describe themselves to ``core`` (core imports no app).

An app registers its objects (model and picklist columns) and the places that use picklist
values (rules, mappings, forms) from its ``AppConfig.ready``.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models, transaction


@dataclass(frozen=True)
class ObjectSpec:
    name: str
    label: str
    model: type[models.Model]
    # Standard picklist fields: field api name -> model column.
    picklist_fields: dict[str, str] = field(default_factory=dict)


_objects: dict[str, ObjectSpec] = {}
# Each provider answers, for a picklist value, a list of human-readable places that use it.
_usage_providers: list[Callable[..., list[str]]] = []


def register_object(spec: ObjectSpec) -> None:
    _objects[spec.name] = spec


def object_spec(name: str) -> ObjectSpec:
    return _objects[name]


def registered_objects() -> list[ObjectSpec]:
    return list(_objects.values())


def register_picklist_usage(provider: Callable[..., list[str]]) -> None:
    if provider not in _usage_providers:
        _usage_providers.append(provider)


def picklist_usage_providers() -> list[Callable[..., list[str]]]:
    return list(_usage_providers)


@dataclass(frozen=True)
class RecycleSpec:
    """How the Recycle Bin restores an object's records: ``restore(entry=, acting_user=)`` answers the
    restored record; ``detail_url`` names the URL of its record page (one ``pk`` argument)."""

    name: str
    label: str
    icon: str
    restore: Callable
    detail_url: str
    delete_permission: str


_recyclable: dict[str, RecycleSpec] = {}


def register_recyclable(spec: RecycleSpec) -> None:
    _recyclable[spec.name] = spec


def recyclable(name: str) -> RecycleSpec | None:
    return _recyclable.get(name)


def recyclable_objects() -> list[RecycleSpec]:
    return list(_recyclable.values())


@dataclass(frozen=True)
class RecordPart:
    """A related list (or other panel) that a higher app adds to an object's record page, so that
    the lower app never imports it. ``render(request, record)`` answers the part's HTML (usually
    ``render_to_string`` of the app's own template), or "" to show nothing for this record.
    Parts are shown by ``order``, then by ``key``."""

    object_name: str
    key: str
    render: Callable[..., str]
    order: int = 100


_record_parts: dict[tuple[str, str], RecordPart] = {}


def register_record_part(part: RecordPart) -> None:
    """Add a part to an object's record page (idempotent per object and key; call from ready())."""
    _record_parts[(part.object_name, part.key)] = part


def record_parts(object_name: str) -> list[RecordPart]:
    return sorted((p for p in _record_parts.values() if p.object_name == object_name), key=lambda p: (p.order, p.key))


# Called at the end of a lead's conversion, inside its transaction, as
# ``hook(conversion=, acting_user=)``: higher apps move what they hold on the lead to its contact.
_conversion_hooks: list[Callable[..., None]] = []


def register_conversion_hook(hook: Callable[..., None]) -> None:
    """Run ``hook`` after every lead conversion (idempotent; call from ready())."""
    if hook not in _conversion_hooks:
        _conversion_hooks.append(hook)


def conversion_hooks() -> list[Callable[..., None]]:
    return list(_conversion_hooks)


@dataclass(frozen=True)
class SearchSpec:
    """How the global search finds an object's records, registered by the object's app.

    ``queryset_for_user(user)`` answers the records the user may read (the object's visibility
    selector). ``fields`` are matched by prefix, ignoring case and accents, and ``word_fields``
    (names of several words: a company) also from the start of any word; ``email_fields`` by
    prefix ignoring case; ``phone_fields`` by their digits; ``full_name`` is a (first, last) pair
    that a two-word query matches together ("Ada Lovelace"). ``url`` names the record page (one
    ``pk`` argument); ``list_url`` names the list page, which takes the query as ``q`` plus
    ``list_params``. ``title`` and ``subtitle`` describe a found record."""

    object_name: str
    label: str
    queryset_for_user: Callable
    fields: tuple[str, ...]
    url: str
    word_fields: tuple[str, ...] = ()
    list_url: str = ""
    list_params: tuple[tuple[str, str], ...] = ()
    email_fields: tuple[str, ...] = ()
    phone_fields: tuple[str, ...] = ()
    full_name: tuple[str, str] | None = None
    title: Callable = str
    subtitle: Callable | None = None
    icon: str = "search"
    ordering: tuple[str, ...] = ("-id",)
    order: int = 100


_searchable: dict[str, SearchSpec] = {}


def register_searchable(spec: SearchSpec) -> None:
    """Make an object searchable from the header (idempotent per object; call from ready())."""
    _searchable[spec.object_name] = spec


def searchable_objects() -> list[SearchSpec]:
    return sorted(_searchable.values(), key=lambda s: (s.order, s.object_name))


# Called after Web-to-Lead made a lead from a submission, inside its transaction, as
# ``hook(lead=, intake=, acting_user=)``; each answers notes (strings) kept on the intake row.
_web_to_lead_hooks: list[Callable[..., list[str]]] = []


def register_web_to_lead_hook(hook: Callable[..., list[str]]) -> None:
    """Run ``hook`` for every lead a Web-to-Lead submission makes (idempotent; call from ready())."""
    if hook not in _web_to_lead_hooks:
        _web_to_lead_hooks.append(hook)


def run_web_to_lead_hooks(**kwargs) -> list[str]:
    """Run the registered hooks; answers their notes, in order."""
    notes: list[str] = []
    for hook in _web_to_lead_hooks:
        notes.extend(hook(**kwargs) or [])
    return notes


# Applied by the outbox to an email's HTML body right before it is sent, in order, as
# ``html = filter(email=, html=)`` (engagement adds its open pixel and tracked links).
_email_html_filters: list[Callable[..., str]] = []


def register_email_html_filter(html_filter: Callable[..., str]) -> None:
    """Pass every sent email's HTML through ``html_filter`` (idempotent; call from ready())."""
    if html_filter not in _email_html_filters:
        _email_html_filters.append(html_filter)


def email_html_filtered(*, email, html: str) -> str:
    """The HTML body as it is sent: ``html`` through the registered filters."""
    for html_filter in _email_html_filters:
        html = html_filter(email=email, html=html)
    return html


# Called after an engagement event was stored, inside its transaction, as ``hook(event=)``
# (scoring queues the lead's new score on commit).
_engagement_event_hooks: list[Callable[..., None]] = []


def register_engagement_event_hook(hook: Callable[..., None]) -> None:
    """Run ``hook`` after every new engagement event (idempotent; call from ready())."""
    if hook not in _engagement_event_hooks:
        _engagement_event_hooks.append(hook)


def run_engagement_event_hooks(**kwargs) -> None:
    for hook in _engagement_event_hooks:
        hook(**kwargs)


# Engagement event hooks that take many new events at once, by the one-event hook they stand for:
# ``batch(events=[...])`` (a batch of Web-to-Lead submissions records its events together).
_engagement_event_batch_hooks: dict[Callable[..., None], Callable[..., None]] = {}


def register_engagement_event_batch_hook(hook: Callable[..., None], batch: Callable[..., None]) -> None:
    """Let ``batch`` stand for ``hook`` when many events were stored together (call from ready(),
    after ``register_engagement_event_hook(hook)``)."""
    _engagement_event_batch_hooks[hook] = batch


def run_engagement_event_hooks_many(*, events: list) -> None:
    """The engagement event hooks over many new events: a hook with a batch form runs once, any
    other once per event."""
    if not events:
        return
    for hook in _engagement_event_hooks:
        batch = _engagement_event_batch_hooks.get(hook)
        if batch is not None:
            batch(events=events)
            continue
        for event in events:
            hook(event=event)


# Called after changes of a record were written to its Field History, inside the transaction, as
# ``hook(object_name=, record_id=)`` (scoring queues a changed lead's new score on commit).
_record_change_hooks: list[Callable[..., None]] = []


def register_record_change_hook(hook: Callable[..., None]) -> None:
    """Run ``hook`` after every recorded change of a record (idempotent; call from ready())."""
    if hook not in _record_change_hooks:
        _record_change_hooks.append(hook)


def run_record_change_hooks(**kwargs) -> None:
    for hook in _record_change_hooks:
        hook(**kwargs)


# Follow-up work a hook publishes after a commit, gathered over a run of many short transactions
# (a bulk conversion commits each lead on its own) and published once at the end of the run.
_gathered: ContextVar[dict | None] = ContextVar("leadcrm_gathered_after_commits", default=None)


@contextmanager
def commits_gathered() -> Iterator[None]:
    """Within the block, what hooks hand to ``publish_after_commit`` after each commit waits for
    the end of the block, where each publisher runs once with the ids of all the commits (nested
    blocks share the outer one). Work of a transaction rolled back is never gathered."""
    if _gathered.get() is not None:
        yield
        return
    gathered: dict[Callable[[list[int]], None], list[int]] = {}
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
        for publish_many, ids in gathered.items():
            publish_many(list(dict.fromkeys(ids)))


def publish_after_commit(
    record_id: int, *, publish_one: Callable[[int], None], publish_many: Callable[[list[int]], None]
) -> None:
    """Once the current transaction commits, ``publish_one(record_id)``; inside
    ``commits_gathered``, ``publish_many`` with this and the other ids gathered, at its end."""

    def after_commit() -> None:
        gathered = _gathered.get()
        if gathered is None:
            publish_one(record_id)
        else:
            gathered.setdefault(publish_many, []).append(record_id)

    transaction.on_commit(after_commit)


# Record change hooks that take many records of one object at once, by the one-record hook they
# stand for: ``batch(object_name=, record_ids=[...])`` (the batched lead intake runs them once per
# batch instead of once per lead).
_record_change_batch_hooks: dict[Callable[..., None], Callable[..., None]] = {}


def register_record_change_batch_hook(hook: Callable[..., None], batch: Callable[..., None]) -> None:
    """Let ``batch`` stand for ``hook`` when many records changed together (call from ready(),
    after ``register_record_change_hook(hook)``)."""
    _record_change_batch_hooks[hook] = batch


def run_record_change_hooks_many(*, object_name: str, record_ids: list[int]) -> None:
    """The record change hooks over many records: a hook with a batch form runs once, any other
    once per record."""
    if not record_ids:
        return
    for hook in _record_change_hooks:
        batch = _record_change_batch_hooks.get(hook)
        if batch is not None:
            batch(object_name=object_name, record_ids=record_ids)
            continue
        for record_id in record_ids:
            hook(object_name=object_name, record_id=record_id)


# Called when a person's email opt-out is set (the unsubscribe link, the preference page, an edit of
# the field), inside that transaction, as ``hook(object_name=, record_id=, reason=, acting_user=)``:
# higher apps stop what they send the person (nurture ends its enrolments).
_email_opt_out_hooks: list[Callable[..., None]] = []


def register_email_opt_out_hook(hook: Callable[..., None]) -> None:
    """Run ``hook`` whenever a lead or contact opts out of email (idempotent; call from ready())."""
    if hook not in _email_opt_out_hooks:
        _email_opt_out_hooks.append(hook)


def run_email_opt_out_hooks(*, object_name: str, record_id: int, reason: str = "", acting_user=None) -> None:
    for hook in _email_opt_out_hooks:
        hook(object_name=object_name, record_id=record_id, reason=reason, acting_user=acting_user)


# Answer, for lead ids, those that reached the marketing-qualified threshold, as
# ``provider(lead_ids=) -> set[int]`` (scoring plugs its MQL rule in; nurture stops at MQL).
_mql_providers: list[Callable[..., set[int]]] = []


def register_mql_provider(provider: Callable[..., set[int]]) -> None:
    """Tell apps which leads are marketing-qualified (idempotent; call from ready())."""
    if provider not in _mql_providers:
        _mql_providers.append(provider)


def leads_reached_mql(lead_ids) -> set[int]:
    """The ids among ``lead_ids`` that some registered provider calls marketing-qualified."""
    ids = list(lead_ids)
    reached: set[int] = set()
    for provider in _mql_providers:
        reached |= set(provider(lead_ids=ids) or ())
    return reached


@dataclass(frozen=True)
class Backlog:
    """Work waiting for the task workers, as the database records it: how many items wait and when
    the oldest of them became due (None when nothing waits)."""

    pending: int
    oldest_at: datetime | None = None


@dataclass(frozen=True)
class BacklogGauge:
    """A backlog an app measures for ``/metrics`` and Setup -> System Health (the scoring lag, a
    sequence's steps due): ``read()`` answers a ``Backlog`` from a few cheap queries, run at every
    scrape. ``key`` is the ``backlog`` label of the ``leadcrm_backlog_pending`` and
    ``leadcrm_backlog_lag_seconds`` gauges; ``label`` and ``description`` head its card on the
    System Health page; ``url`` names the page that lists the waiting work (optional)."""

    key: str
    label: str
    read: Callable[[], Backlog]
    description: str = ""
    url: str = ""
    order: int = 100


_backlog_gauges: dict[str, BacklogGauge] = {}


def register_backlog_gauge(gauge: BacklogGauge) -> None:
    """Measure ``gauge`` on every scrape and on System Health (idempotent per key; call from ready())."""
    _backlog_gauges[gauge.key] = gauge


def backlog_gauges() -> list[BacklogGauge]:
    return sorted(_backlog_gauges.values(), key=lambda g: (g.order, g.key))


# Asked by the outbox right before it sends a marketing email, as ``check(email=)``: each answers
# "" to let it go, or why it must not be sent (consent: opted out, withdrawn, suppressed).
_marketing_send_checks: list[Callable[..., str]] = []


def register_marketing_send_check(check: Callable[..., str]) -> None:
    """Ask ``check`` before every marketing email is sent (idempotent; call from ready())."""
    if check not in _marketing_send_checks:
        _marketing_send_checks.append(check)


def marketing_send_refusal(*, email) -> str:
    """The first reason a registered check gives not to send ``email``; "" to send it."""
    for check in _marketing_send_checks:
        reason = check(email=email)
        if reason:
            return reason
    return ""


# Applied by the outbox to every message right before it is sent, after the HTML filters, as
# ``hook(email=, message=)`` changing the ``EmailMessage`` in place (consent adds the unsubscribe
# link and the List-Unsubscribe headers to marketing email).
_email_message_hooks: list[Callable[..., None]] = []


def register_email_message_hook(hook: Callable[..., None]) -> None:
    """Pass every sent message through ``hook`` (idempotent; call from ready())."""
    if hook not in _email_message_hooks:
        _email_message_hooks.append(hook)


def email_message_finished(*, email, message) -> None:
    for hook in _email_message_hooks:
        hook(email=email, message=message)


# Asked by the Web-to-Lead generator for more inputs of a form's HTML, as ``part(form=)`` answering
# HTML ("" for none), put before the submit button (consent adds its checkbox).
_web_to_lead_form_parts: list[Callable[..., str]] = []


def register_web_to_lead_form_part(part: Callable[..., str]) -> None:
    """Add ``part``'s inputs to every generated Web-to-Lead form (idempotent; call from ready())."""
    if part not in _web_to_lead_form_parts:
        _web_to_lead_form_parts.append(part)


def web_to_lead_form_parts(*, form) -> list[str]:
    return [html for part in _web_to_lead_form_parts if (html := part(form=form))]


# Called by the outbox when it marked an email sent (after the SMTP server accepted it), inside a
# savepoint, as ``hook(email=)``; a failing hook is logged and never makes the email go again
# (engagement records an "email sent" event for an email to a lead).
_email_sent_hooks: list[Callable[..., None]] = []


def register_email_sent_hook(hook: Callable[..., None]) -> None:
    """Run ``hook`` for every email the outbox sent (idempotent; call from ready())."""
    if hook not in _email_sent_hooks:
        _email_sent_hooks.append(hook)


def run_email_sent_hooks(**kwargs) -> None:
    for hook in _email_sent_hooks:
        hook(**kwargs)


@dataclass(frozen=True)
class ListExtension:
    """Columns and filters that a higher app adds to an object's list page and list API (the
    lead list shows the score and grade of scoring, the last activity of engagement), so that the
    object's app never imports it.

    ``annotate(queryset)`` answers the queryset with one annotation per column key (a join or an
    indexed subquery: it runs on every list request, so it must not read each row's related rows).
    ``columns`` are ``(key, label, field_type)``; ``display(key, value)`` formats a cell;
    ``ordering`` maps a column key to the annotation(s) it sorts by. ``filters()`` answers
    ``{name: django_filters.Filter}`` added to the object's FilterSet (the HTML filter panel and
    the API alike). ``api_fields()`` answers ``{key: serializer field}`` (read-only) for the API."""

    object_name: str
    key: str
    annotate: Callable
    columns: tuple[tuple[str, str, str], ...]
    display: Callable[[str, object], str]
    ordering: dict[str, tuple[str, ...]] = field(default_factory=dict)
    filters: Callable[[], dict] = dict
    api_fields: Callable[[], dict] = dict
    order: int = 100


_list_extensions: dict[tuple[str, str], ListExtension] = {}


def register_list_extension(extension: ListExtension) -> None:
    """Add columns and filters to an object's list (idempotent per object and key; call from ready())."""
    _list_extensions[(extension.object_name, extension.key)] = extension


def list_extensions(object_name: str) -> list[ListExtension]:
    return sorted(
        (e for e in _list_extensions.values() if e.object_name == object_name), key=lambda e: (e.order, e.key)
    )


# Called when a person first works a lead in a way that is not a field change (a note, a logged
# call, a completed task, an email they sent), inside the transaction, as
# ``hook(lead_id=, at=, acting_user=)`` (SLAs stop the lead's first-touch clock).
_lead_touch_hooks: list[Callable[..., None]] = []


def register_lead_touch_hook(hook: Callable[..., None]) -> None:
    """Run ``hook`` whenever a person touches a lead (idempotent; call from ready())."""
    if hook not in _lead_touch_hooks:
        _lead_touch_hooks.append(hook)


def run_lead_touch_hooks(**kwargs) -> None:
    for hook in _lead_touch_hooks:
        hook(**kwargs)


# Called by the lead intake (one lead or a batch), inside its transaction, as
# ``hook(items=[(lead, campaign), ...], acting_user=, member_status=)`` for new leads whose row names
# a campaign (an id, a tracking code or a name) with the member status asked for ("" for the
# campaign's default); each answers notes by lead id (an unknown campaign never costs a lead).
_lead_campaign_hooks: list[Callable[..., dict[int, list[str]]]] = []


def register_lead_campaign_hook(hook: Callable[..., dict[int, list[str]]]) -> None:
    """Run ``hook`` for new leads that name a campaign (idempotent; call from ready())."""
    if hook not in _lead_campaign_hooks:
        _lead_campaign_hooks.append(hook)


def run_lead_campaign_hooks(*, items: list, acting_user, member_status: str = "") -> dict[int, list[str]]:
    """Run the registered hooks over ``items``; answers their notes by lead id."""
    notes: dict[int, list[str]] = {}
    if not items:
        return notes
    for hook in _lead_campaign_hooks:
        answered = hook(items=items, acting_user=acting_user, member_status=member_status) or {}
        for lead_id, lines in answered.items():
            notes.setdefault(lead_id, []).extend(lines)
    return notes


# Web-to-Lead hooks that take a whole batch of (lead, intake) pairs at once, by the one-row hook they
# stand for: ``batch(items=[(lead, intake), ...], acting_user=)`` answers notes by intake id.
_web_to_lead_batch_hooks: dict[Callable[..., list[str]], Callable[..., dict[int, list[str]]]] = {}


def register_web_to_lead_batch_hook(hook: Callable[..., list[str]], batch: Callable[..., dict[int, list[str]]]) -> None:
    """Let the batched Web-to-Lead worker run ``batch`` once instead of ``hook`` per row (call from
    ready(), after ``register_web_to_lead_hook(hook)``)."""
    _web_to_lead_batch_hooks[hook] = batch


def run_web_to_lead_hooks_many(*, items: list, acting_user) -> dict[int, list[str]]:
    """The registered Web-to-Lead hooks over many (lead, intake) pairs: a hook with a batch form runs
    once, any other once per pair. Answers the notes by intake id, in hook order."""
    notes: dict[int, list[str]] = {intake.pk: [] for _lead, intake in items}
    for hook in _web_to_lead_hooks:
        batch = _web_to_lead_batch_hooks.get(hook)
        if batch is not None:
            for intake_id, lines in (batch(items=items, acting_user=acting_user) or {}).items():
                notes[intake_id].extend(lines)
            continue
        for lead, intake in items:
            notes[intake.pk].extend(hook(lead=lead, intake=intake, acting_user=acting_user) or [])
    return notes


@dataclass(frozen=True)
class TimelineItem:
    """One line of a record's activity timeline: something that happened to it, from any app."""

    at: datetime
    kind: str  # "task", "event", "call", "note", "email", "engagement"...
    icon: str  # a Bootstrap icon name
    title: str
    detail: str = ""
    url: str = ""
    who: str = ""


# Sources of a record's activity timeline, per object, as ``source(record=, user=, limit=)``
# answering up to ``limit`` TimelineItems, newest first: notes and emails (leads), tasks, events and
# calls (activities), website visits and email opens (engagement) come together in one list.
_timeline_sources: dict[str, list[Callable[..., list[TimelineItem]]]] = {}


def register_timeline_source(object_name: str, source: Callable[..., list[TimelineItem]]) -> None:
    """Add ``source``'s items to the timeline of ``object_name`` records (idempotent; from ready())."""
    sources = _timeline_sources.setdefault(object_name, [])
    if source not in sources:
        sources.append(source)


def timeline_items(object_name: str, *, record, user, limit: int = 25) -> list[TimelineItem]:
    """The newest ``limit`` items of every source of the record's timeline, newest first."""
    items = [
        item
        for source in _timeline_sources.get(object_name, [])
        for item in source(record=record, user=user, limit=limit)
    ]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


@dataclass(frozen=True)
class IntakeVerdict:
    """What the duplicate rules say of one row a lead would be made from: ``action`` "alert" (a
    person confirms, other entry points make the lead with a note), "block" (no lead) or "attach"
    (no new lead: ``lead`` is the existing lead the row was added to, already updated, and
    ``filled`` the blank fields the row filled). ``matches``
    describe the records found (dicts for the pages and the API); ``message`` says why."""

    action: str
    message: str = ""
    matches: tuple = ()
    lead: object = None
    notes: tuple[str, ...] = ()
    # "attach": the fields of ``lead`` the row filled (they were blank before).
    filled: tuple[str, ...] = ()


# Asked by the lead intake, inside its transaction, before it makes leads, as
# ``screen(rows=[IntakeRow, ...], source=, acting_user=, record_ids=[id | None, ...], attach=)``
# answering one ``IntakeVerdict`` or None per row (``record_ids``: the lead a row edits, left out of
# its matches; ``attach``: whether the screen may attach a row to an existing lead).
_lead_intake_screens: list[Callable[..., list]] = []


def register_lead_intake_screen(screen: Callable[..., list]) -> None:
    """Screen every row the lead intake makes or an edit changes (idempotent; call from ready())."""
    if screen not in _lead_intake_screens:
        _lead_intake_screens.append(screen)


def run_lead_intake_screens(
    *, rows: list, source: str, acting_user, record_ids: list | None = None, attach: bool = True
) -> list[IntakeVerdict | None]:
    """The first verdict a registered screen gives each row (None: make the lead as asked)."""
    verdicts: list[IntakeVerdict | None] = [None] * len(rows)
    ids = record_ids if record_ids is not None else [None] * len(rows)
    for screen in _lead_intake_screens:
        pending = [i for i, verdict in enumerate(verdicts) if verdict is None]
        if not pending:
            break
        answered = screen(
            rows=[rows[i] for i in pending],
            source=source,
            acting_user=acting_user,
            record_ids=[ids[i] for i in pending],
            attach=attach,
        )
        for i, verdict in zip(pending, answered, strict=True):
            verdicts[i] = verdict
    return verdicts


@dataclass(frozen=True)
class ReparentSpec:
    """Rows of ``model`` that belong to a record through ``field`` (a foreign key, or a plain id
    column with ``match`` narrowing it, such as ``{"object_name": "lead"}``), which a merge moves
    from the losing records to the master. ``unique_with``: fields that, with ``field``, are unique;
    a losing record's row whose twin the master holds already is not moved but kept with the losing
    record in the Recycle Bin (a one-to-one row is unique by ``field`` alone: ``unique_with=()`` and
    ``one_to_one=True``)."""

    object_name: str
    model: type[models.Model]
    field: str
    match: dict = field(default_factory=dict)
    unique_with: tuple[str, ...] = ()
    one_to_one: bool = False
    label: str = ""


_reparent_specs: dict[tuple[str, str, str], ReparentSpec] = {}


def register_reparent(spec: ReparentSpec) -> None:
    """Have merges move ``spec``'s rows to the master record (idempotent; call from ready())."""
    _reparent_specs[(spec.object_name, spec.model._meta.label, spec.field)] = spec


def reparent_specs(object_name: str) -> list[ReparentSpec]:
    return [spec for (name, _label, _field), spec in sorted(_reparent_specs.items()) if name == object_name]


# Called with the Field History rows that one write of a service just stored, inside its
# transaction, as ``hook(rows=[FieldHistory, ...])`` (rows of one or many records of one object):
# webhooks turn them into "created", "assigned", "updated"... events.
_history_hooks: list[Callable[..., None]] = []


def register_history_hook(hook: Callable[..., None]) -> None:
    """Run ``hook`` with the rows of every history write (idempotent; call from ready())."""
    if hook not in _history_hooks:
        _history_hooks.append(hook)


def run_history_hooks(*, rows: list) -> None:
    if not rows:
        return
    for hook in _history_hooks:
        hook(rows=rows)


# Called as ``hook(user=...)`` inside the transaction of a change of a user's first or last name:
# the leads app refreshes the owner's sort name on the rows that user owns.
_user_rename_hooks: list[Callable[..., None]] = []


def register_user_rename_hook(hook: Callable[..., None]) -> None:
    """Run ``hook`` when a user is renamed (idempotent; call from ready())."""
    if hook not in _user_rename_hooks:
        _user_rename_hooks.append(hook)


def run_user_rename_hooks(*, user) -> None:
    for hook in _user_rename_hooks:
        hook(user=user)
