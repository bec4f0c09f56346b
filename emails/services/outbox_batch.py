"""The outbox for many emails at once: the rows of a batch in one multi-row insert and one hand-over
to the broker on commit (one task delivers them all), with the validation and idempotency keys of
``email_enqueue``, so that a thousand auto-responses cost a few statements, not thousands."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.breaker import BrokerUnavailable
from core.db import insert_rows

from ..models import EmailTemplate, OutboundEmail
from ..rendering import CompiledTemplate, render_template
from .outbox import _actor, _one_line, _validate_message

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxMessage:
    """One email to write to the outbox (the arguments of ``email_enqueue``)."""

    to: str
    subject: str
    body_text: str
    kind: str
    idempotency_key: str
    body_html: str = ""
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    object_name: str = ""
    record_id: int | None = None
    template: EmailTemplate | None = None
    request_id: str = ""
    # Marketing email (consent is checked when it is sent); None: the template's own flag.
    is_marketing: bool | None = None

    @classmethod
    def from_template(
        cls,
        *,
        template: EmailTemplate,
        record,
        object_name: str = "lead",
        merge_fields: dict | None = None,
        compiled: CompiledTemplate | None = None,
        **fields,
    ) -> OutboxMessage:
        """``template`` merged with ``record``, as ``email_enqueue_from_template`` merges it (with
        ``merge_fields``, the ``field_map`` read once for many records; with ``compiled``, the
        template compiled once for them)."""
        if compiled is not None:
            rendered = compiled.render(record)
        else:
            rendered = render_template(template, record=record, object_name=object_name, fields=merge_fields)
        # A template made only of merge fields can merge to nothing: never refuse the email for that.
        subject = rendered.subject.strip() or template.name
        return cls(
            subject=subject,
            body_text=rendered.body_text if rendered.body_text.strip() else subject,
            body_html=rendered.body_html,
            object_name=object_name,
            record_id=record.pk,
            template=template,
            **fields,
        )


def _outbound_row(message: OutboxMessage, *, acting_user, now) -> OutboundEmail:
    """The row of a message, or ``ValidationError`` with its field errors."""
    to, from_address = message.to.strip(), message.from_address.strip()
    reply_to, subject, from_name = message.reply_to.strip(), _one_line(message.subject), _one_line(message.from_name)
    errors = _validate_message(
        to=to,
        subject=subject,
        body_text=message.body_text,
        from_name=from_name,
        from_address=from_address,
        reply_to=reply_to,
        kind=message.kind,
        key=message.idempotency_key,
    )
    if errors:
        raise ValidationError(errors)
    return OutboundEmail(
        idempotency_key=message.idempotency_key,
        status=OutboundEmail.Status.QUEUED,
        kind=message.kind,
        to_address=to,
        from_name=from_name,
        from_address=from_address,
        reply_to=reply_to,
        subject=subject,
        body_text=message.body_text,
        body_html=message.body_html or "",
        object_name=message.object_name,
        record_id=message.record_id,
        template=message.template,
        is_marketing=bool(message.template is not None and message.template.is_marketing)
        if message.is_marketing is None
        else message.is_marketing,
        request_id=message.request_id[:64],
        next_attempt_at=now,
        created_at=now,
        created_by=_actor(acting_user),
    )


@transaction.atomic
def email_enqueue_many(*, messages: list[OutboxMessage], acting_user=None) -> list[OutboundEmail | ValidationError]:
    """Write new emails to the outbox in one insert and hand them to the broker together on commit.

    Answers, per message in order, its row or the ``ValidationError`` that kept it out. The keys
    must be new: a key already in the outbox fails the insert (the caller reads existing keys
    first, as ``autoresponse_send_many`` does)."""
    now = timezone.now()
    answers: list[OutboundEmail | ValidationError] = []
    for message in messages:
        try:
            answers.append(_outbound_row(message, acting_user=acting_user, now=now))
        except ValidationError as exc:
            answers.append(exc)
    rows = [a for a in answers if isinstance(a, OutboundEmail)]
    insert_rows(rows)  # one multi-row insert, without bulk_create's conversion of every value
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: outbound_emails_publish(email_ids=ids))
    return answers


def outbound_emails_publish(*, email_ids: list[int]) -> bool:
    """Hand many rows to the broker as one task. Never raises: with the broker down the rows stay
    queued and the sweeper publishes them later, one by one."""
    from ..tasks import deliver_outbound_emails

    try:
        deliver_outbound_emails.apply_async(args=[email_ids])
    except BrokerUnavailable:
        return False
    except Exception:
        logger.warning("Could not hand %s outbound emails to the broker; the sweeper will retry.", len(email_ids))
        return False
    OutboundEmail.objects.filter(pk__in=email_ids, status=OutboundEmail.Status.QUEUED).update(
        published_at=timezone.now()
    )
    return True
