"""The outbox: every outgoing email is a row before it is sent.

Life of a row: ``queued`` (written in the caller's transaction, handed to Celery on commit) ->
``sending`` (claimed by one worker with a conditional UPDATE) -> ``sent``; a failed attempt puts it
back to ``queued`` with a backoff, and after ``MAX_ATTEMPTS`` it is ``failed``. The beat task
``sweep_outbox`` re-publishes rows that never reached the broker and re-queues abandoned claims.
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.breaker import BrokerUnavailable
from core.fields import validate_email
from core.history import Change, history_record
from core.registry import email_html_filtered, email_message_finished, marketing_send_refusal, run_email_sent_hooks
from core.request_id import current_request_id, request_id_bound
from core.roles import require_setup_admin

from ..models import EmailTemplate, OutboundEmail
from ..rendering import render_template

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Backoff after failed attempt n: 30 s, 1 min, 2 min, 4 min..., at most one hour.
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# A claim older than this is taken as abandoned (the worker died). It must be far longer than one
# attempt can take (EMAIL_TIMEOUT per SMTP step), so that a live attempt is never re-queued.
SENDING_TIMEOUT = timedelta(minutes=10)
# A queued row handed to the broker this long ago without being picked up is handed over again.
REPUBLISH_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 500
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, ValueError)


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    failed: int
    published: int


def backoff_seconds(attempts: int) -> int:
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def _validate_message(
    *, to: str, subject: str, body_text: str, from_name: str, from_address: str, reply_to: str, kind: str, key: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def email_field(name: str, value: str, *, required: bool) -> None:
        if not value:
            if required:
                errors.setdefault(name, []).append("Enter an email address.")
            return
        try:
            validate_email(value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)

    email_field("to", to, required=True)
    email_field("from_address", from_address, required=False)
    email_field("reply_to", reply_to, required=False)
    if not subject:
        errors.setdefault("subject", []).append("Enter a subject.")
    elif len(subject) > 255:
        errors.setdefault("subject", []).append("Use at most 255 characters in the subject.")
    if not (body_text or "").strip():
        errors.setdefault("body_text", []).append("Write the message.")
    if len(from_name) > 120:
        errors.setdefault("from_name", []).append("Use at most 120 characters.")
    if kind not in OutboundEmail.Kind.values:
        errors.setdefault("kind", []).append("Unknown kind of email.")
    if not key or len(key) > 200:
        errors.setdefault("idempotency_key", []).append("An idempotency key of at most 200 characters is required.")
    return errors


@transaction.atomic
def email_enqueue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    from_name: str = "",
    from_address: str = "",
    reply_to: str = "",
    kind: str,
    idempotency_key: str,
    object_name: str = "",
    record_id: int | None = None,
    template: EmailTemplate | None = None,
    acting_user=None,
    is_marketing: bool | None = None,
) -> OutboundEmail:
    """Write an email to the outbox, once per ``idempotency_key``, and hand it to Celery on commit.

    A second call with a key already used answers the existing row and sends nothing more.
    ``is_marketing`` (default: the template's own flag, else transactional) marks an email that is
    checked against consent when it is sent and carries an unsubscribe link.
    """
    existing = OutboundEmail.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
    if existing is not None:
        return existing
    to, from_address, reply_to = (to or "").strip(), (from_address or "").strip(), (reply_to or "").strip()
    subject, from_name = _one_line(subject), _one_line(from_name)
    errors = _validate_message(
        to=to,
        subject=subject,
        body_text=body_text,
        from_name=from_name,
        from_address=from_address,
        reply_to=reply_to,
        kind=kind,
        key=idempotency_key,
    )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    email, created = OutboundEmail.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "status": OutboundEmail.Status.QUEUED,
            "kind": kind,
            "to_address": to,
            "from_name": from_name,
            "from_address": from_address,
            "reply_to": reply_to,
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html or "",
            "object_name": object_name,
            "record_id": record_id,
            "template": template,
            "is_marketing": bool(template is not None and template.is_marketing)
            if is_marketing is None
            else bool(is_marketing),
            "next_attempt_at": now,
            "created_at": now,
            "created_by": _actor(acting_user),
            "request_id": current_request_id() or "",
        },
    )
    if created:
        transaction.on_commit(lambda: outbound_email_publish(email_id=email.pk, request_id=email.request_id))
    return email


@transaction.atomic
def email_enqueue_from_template(
    *,
    template: EmailTemplate,
    record,
    object_name: str = "lead",
    to: str,
    kind: str,
    idempotency_key: str,
    from_name: str = "",
    from_address: str = "",
    reply_to: str = "",
    acting_user=None,
    extra_context: dict | None = None,
    is_marketing: bool | None = None,
) -> OutboundEmail:
    """Merge ``template`` with ``record`` and write the result to the outbox (see ``email_enqueue``)."""
    existing = OutboundEmail.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
    if existing is not None:
        return existing
    rendered = render_template(template, record=record, object_name=object_name, extra_context=extra_context)
    # A template made only of merge fields can merge to nothing: never refuse the email for that.
    subject = rendered.subject.strip() or template.name
    return email_enqueue(
        to=to,
        subject=subject,
        body_text=rendered.body_text if rendered.body_text.strip() else subject,
        body_html=rendered.body_html,
        from_name=from_name,
        from_address=from_address,
        reply_to=reply_to,
        kind=kind,
        idempotency_key=idempotency_key,
        object_name=object_name,
        record_id=record.pk,
        template=template,
        acting_user=acting_user,
        is_marketing=is_marketing,
    )


@transaction.atomic
def record_email_send(
    *,
    record,
    object_name: str,
    idempotency_key: str,
    acting_user,
    template: EmailTemplate | None = None,
    subject: str = "",
    body_text: str = "",
) -> OutboundEmail:
    """The "Send Email" action of a record page: a template, or a message the user wrote, to the
    record's email address. Refused for a record that opted out of email. The caller checks that
    the user may see the record."""
    to = (getattr(record, "email", "") or "").strip()
    errors: dict[str, list[str]] = {}
    if getattr(record, "email_opt_out", False):
        errors["__all__"] = [_("This record opted out of email: no email can be sent to it.")]
    elif not to:
        errors["__all__"] = [_("This record has no email address.")]
    if template is None and not (_one_line(subject) and (body_text or "").strip()):
        errors["template"] = [_("Choose a template, or write a subject and a message.")]
    if template is not None and not template.is_active:
        errors["template"] = [_("This template is inactive.")]
    if errors:
        raise ValidationError(errors)
    sender = _actor(acting_user)
    common = {
        "to": to,
        "kind": OutboundEmail.Kind.MANUAL,
        "idempotency_key": idempotency_key,
        "from_name": (sender.get_full_name() if sender else "") or "",
        "reply_to": (sender.email if sender else "") or "",
        "acting_user": acting_user,
    }
    already = OutboundEmail.objects.filter(idempotency_key=idempotency_key).exists()
    if template is not None:
        email = email_enqueue_from_template(template=template, record=record, object_name=object_name, **common)
    else:
        email = email_enqueue(
            subject=subject, body_text=body_text, object_name=object_name, record_id=record.pk, **common
        )
    if not already:
        history_record(
            object_name=object_name,
            record_id=record.pk,
            changes=[Change("email", "Email", "", f"Sent “{email.subject}” to {email.to_address}")],
            acting_user=acting_user,
            record_version=getattr(record, "version", 0) or 0,
            note="Email",
        )
    return email


# Delivery ----------------------------------------------------------------------------------------


def outbound_email_publish(*, email_id: int, countdown: int | None = None, request_id: str = "") -> bool:
    """Hand a row to the broker. Never raises: with the broker down the row stays queued and the
    sweeper publishes it later. ``request_id`` (the row's) is the task's: published on commit, after
    a batch of rows, the task would otherwise carry the id of whatever ran the batch."""
    from ..tasks import deliver_outbound_email

    try:
        with request_id_bound(request_id):
            deliver_outbound_email.apply_async(args=[email_id], countdown=countdown)
    except BrokerUnavailable:
        return False  # the broker's breaker is open: it logged the outage once
    except Exception:
        logger.warning(
            "Could not hand outbound email %s to the broker; the sweeper will retry.", email_id, exc_info=True
        )
        return False
    OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.QUEUED).update(published_at=timezone.now())
    return True


def _sender(email: OutboundEmail) -> str:
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((email.from_name or default_name, email.from_address or default_address))


def build_message(email: OutboundEmail) -> EmailMultiAlternatives:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=_sender(email),
        to=[email.to_address],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={
            # Stable per row: a receiving system can drop the duplicate of the rare double delivery.
            "Message-ID": f"<outbox-{email.pk}-{uuid.uuid5(uuid.NAMESPACE_URL, email.idempotency_key).hex}@{domain}>",
            "X-LeadCRM-Outbox-Id": str(email.pk),
        },
    )
    if email.body_html:
        # Apps above this one (engagement) finish the HTML as sent: open pixel, tracked links.
        message.attach_alternative(email_html_filtered(email=email, html=email.body_html), "text/html")
    # Then the message as a whole (consent adds the unsubscribe link and headers to marketing email).
    email_message_finished(email=email, message=message)
    return message


def outbound_email_deliver(*, email_id: int) -> str:
    """Send one row, at most once in the normal case. Answers what happened: ``sent``,
    ``retry``, ``failed`` or ``skipped`` (not due, or claimed or finished by someone else).

    The row is claimed with a conditional UPDATE (queued -> sending) committed before the send, so
    a task delivered twice, or run by two workers, sends once: the loser updates nothing. If the
    worker dies after the SMTP server accepted the message but before the row is marked sent, the
    row stays ``sending``; the redelivered task skips it, and only the sweeper re-queues it after
    ``SENDING_TIMEOUT``. That is the one at-least-once edge: such an email may go out twice (with
    the same Message-ID), which we prefer to losing it.
    """
    now = timezone.now()
    email = OutboundEmail.objects.filter(
        pk=email_id, status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now
    ).first()
    if email is None:
        return "skipped"
    refusal = marketing_send_refusal(email=email) if email.is_marketing else ""
    if refusal:
        # Checked now, not when queued: an opt-out between the two must win.
        OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.QUEUED).update(
            status=OutboundEmail.Status.SKIPPED, last_error=refusal[:2000], claim_token=""
        )
        return "refused"
    with request_id_bound(email.request_id):
        try:
            # Built before the claim, so that nothing between the claim and the send needs the
            # database: a connection lost there would leave the row claimed and unsent.
            message = build_message(email)
        except DatabaseError:
            raise
        except Exception as exc:  # a template or hook that cannot build the message: recorded
            if not _claim(email_id, now=now, token=(token := uuid.uuid4().hex)):
                return "skipped"
            email.attempts += 1
            return _record_failure(email, token=token, exc=exc)
        token = uuid.uuid4().hex
        if not _claim(email_id, now=now, token=token):
            return "skipped"
        email.attempts += 1
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # any failure of the backend is recorded on the row, never lost
            return _record_failure(email, token=token, exc=exc)
        logger.info(
            "Outbound email %s sent",
            email.pk,
            extra={"email_id": email.pk, "kind": email.kind, "attempt": email.attempts},
        )
    sent_at = timezone.now()

    def mark_sent() -> int:
        return OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.SENDING, claim_token=token).update(
            status=OutboundEmail.Status.SENT,
            sent_at=sent_at,
            message_id=message.extra_headers.get("Message-ID", "")[:255],
            last_error="",
            claim_token="",
        )

    # The message is out: a connection lost while marking it is tried again on a new one, rather
    # than leaving the row "sending" for the sweeper (which would send it again). The mark is
    # committed on its own, before the hooks: a hook that fails cannot take the mark with it.
    if _once_more_on_a_new_connection(mark_sent):
        email.status, email.sent_at = OutboundEmail.Status.SENT, sent_at
        _email_sent_hooks(email)
    return "sent"


def _claim(email_id: int, *, now, token: str) -> bool:
    """Take the row for this send (queued -> sending), committed before the send. When the
    connection goes while the UPDATE runs, a new connection tells whether it committed."""

    def update() -> int:
        return OutboundEmail.objects.filter(
            pk=email_id, status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now
        ).update(
            status=OutboundEmail.Status.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )

    try:
        return bool(update())
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        mine = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.SENDING, claim_token=token)
        return bool(_once_more_on_a_new_connection(lambda: mine.exists() or update()))


# A lost connection (a failover, a restart) is tried again on a new one, a few times over about
# three seconds, for the writes that must follow a claim or a send.
RECONNECT_DELAYS = (0.1, 0.2, 0.4, 0.8, 1.6)


def _once_more_on_a_new_connection(write):
    """Run ``write``; if the database connection was lost, again on a new connection (a few
    times). Inside a transaction the caller's transaction is lost too: no second try."""
    for delay in (*RECONNECT_DELAYS, None):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or delay is None:
                raise
            connection.close()
            time.sleep(delay)
    return None


def _email_sent_hooks(email: OutboundEmail) -> None:
    """Tell higher apps the email went out (engagement records an "email sent" event). The email
    is sent and marked whatever they do: a failing hook is logged, never a reason to send again."""
    try:
        with transaction.atomic():
            run_email_sent_hooks(email=email)
    except Exception:
        logger.exception("An email-sent hook failed for outbound email %s.", email.pk)
        if not connection.in_atomic_block and not connection.is_usable():
            connection.close()  # the next email of the batch starts on a new connection


def _record_failure(email: OutboundEmail, *, token: str, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    logger.warning("Sending outbound email %s failed (attempt %s): %s", email.pk, email.attempts, error)
    mine = OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING, claim_token=token)
    if email.attempts >= MAX_ATTEMPTS or isinstance(exc, PERMANENT_ERRORS):
        _once_more_on_a_new_connection(
            lambda: mine.update(status=OutboundEmail.Status.FAILED, last_error=error, claim_token="")
        )
        return "failed"
    delay = backoff_seconds(email.attempts)
    updated = _once_more_on_a_new_connection(
        lambda: mine.update(
            status=OutboundEmail.Status.QUEUED,
            last_error=error,
            claim_token="",
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
    )
    if updated:
        transaction.on_commit(
            lambda: outbound_email_publish(email_id=email.pk, countdown=delay, request_id=email.request_id)
        )
    return "retry"


def outbox_sweep(*, now=None, limit: int = SWEEP_BATCH) -> SweepResult:
    """Re-queue abandoned claims and hand due queued rows to the broker again (the beat task)."""
    now = now or timezone.now()
    stale = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
    note = "The sending attempt did not finish (the worker stopped); "
    failed = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutboundEmail.Status.FAILED, claim_token="", last_error=note + "no attempts left."
    )
    requeued = stale.update(
        status=OutboundEmail.Status.QUEUED, claim_token="", next_attempt_at=now, last_error=note + "queued again."
    )
    due = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now)
        .filter(Q(published_at__isnull=True) | Q(published_at__lt=now - REPUBLISH_AFTER))
        .order_by("next_attempt_at", "id")
        .values_list("pk", "request_id")[:limit]
    )
    published = sum(1 for pk, request_id in due if outbound_email_publish(email_id=pk, request_id=request_id))
    return SweepResult(requeued=requeued, failed=failed, published=published)


@transaction.atomic
def outbound_email_retry(*, email: OutboundEmail, acting_user) -> OutboundEmail:
    """Send a failed email again (admins, from the outbox page): a fresh set of attempts."""
    require_setup_admin(acting_user)
    updated = OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.FAILED).update(
        status=OutboundEmail.Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), published_at=None
    )
    if not updated:
        raise ValidationError({"__all__": [_("Only failed emails can be retried.")]})
    transaction.on_commit(lambda: outbound_email_publish(email_id=email.pk))
    return OutboundEmail.objects.get(pk=email.pk)
