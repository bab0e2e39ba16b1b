"""GOV.UK Notify: sending the outbox's emails through it, and asking it what became of them.

Used when ``EMAIL_DELIVERY=notify``. Each kind of email (``accounts.emails.MESSAGES``) has
a Notify email template, its id in ``NOTIFY_TEMPLATE_IDS``. The template holds no wording
of its own: its subject is ``((subject))`` and its body ``((body))``, filled from the same
rendered email SMTP would send, so the two never drift (docs/operations.md).

Notify's answers: 400 (bad request, such as an address it cannot send to) and 403 (a key
it does not accept) are for good: ``DeliveryRefused``, the row is failed without a retry.
429 (rate limit), 5xx and no answer at all are worth retrying: ``NotifyUnavailable``, a
``ConnectionError``, which the send task retries with back-off, then the sweeper.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from .delivery import FINAL_STATUSES, DeliveryRefused
from .emails import RenderedEmail
from .models import OutboxEmail

logger = logging.getLogger(__name__)

NOTIFY_DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
PERMANENT_CODES = (400, 403)
# How long after sending an email its status is still asked for: Notify keeps trying a
# temporary failure for up to 72 hours, and forgets notifications after 7 days.
STATUS_WINDOW = timedelta(days=7)
LINK = re.compile(r"https?://\S+")


class NotifyUnavailable(ConnectionError):
    """Notify did not take the email this time (rate limit, its error, no answer)."""


def notify_client() -> NotificationsAPIClient:
    api_key = settings.NOTIFY_API_KEY
    if not api_key:
        raise ImproperlyConfigured("EMAIL_DELIVERY=notify needs NOTIFY_API_KEY.")
    return NotificationsAPIClient(
        api_key,
        base_url=settings.NOTIFY_BASE_URL or NOTIFY_DEFAULT_BASE_URL,
        timeout=settings.NOTIFY_TIMEOUT,
    )


def notify_template_id(kind: str) -> str:
    template_id = settings.NOTIFY_TEMPLATE_IDS.get(kind)
    if not template_id:
        raise ImproperlyConfigured(f"NOTIFY_TEMPLATE_IDS has no template for {kind!r} emails.")
    return template_id


def notify_personalisation(rendered: RenderedEmail) -> dict[str, str]:
    """The fields every LPC 360 Notify template fills in, from the rendered email.

    ``body`` is the plain-text email: Notify formats it (paragraphs, ``*`` bullets) and
    turns its links into links. ``link`` is the email's first link, for a template that
    wants to show it as a button or on its own line.
    """
    text = "\n".join(line.rstrip() for line in rendered.text.strip().splitlines())
    links = LINK.findall(text)
    return {"subject": rendered.subject, "body": text, "link": links[0] if links else ""}


def notify_send(*, to: str, kind: str, rendered: RenderedEmail, reference: str) -> str:
    """Send one email through Notify. Returns Notify's id for it."""
    template_id = notify_template_id(kind)
    try:
        response = notify_client().send_email_notification(
            email_address=to,
            template_id=template_id,
            personalisation=notify_personalisation(rendered),
            reference=reference,
        )
    except APIError as exc:
        if exc.status_code in PERMANENT_CODES:
            raise DeliveryRefused(f"GOV.UK Notify refused the email: {exc}") from exc
        raise NotifyUnavailable(f"GOV.UK Notify did not take the email: {exc}") from exc
    return str(response["id"])


def notify_statuses_fetch(*, now=None, limit: int = 200) -> int:
    """Ask Notify what became of the emails it was given in the last 7 days whose outcome
    is not known yet, and store each answer. Returns how many changed status.

    An email whose status cannot be fetched this time is left for the next run.
    """
    now = now or timezone.now()
    rows = list(
        OutboxEmail.objects.filter(state=OutboxEmail.State.SENT, sent_at__gte=now - STATUS_WINDOW)
        .exclude(notification_id="")
        .exclude(delivery_status__in=FINAL_STATUSES)
        .order_by("status_checked_at", "sent_at")[:limit]
    )
    if not rows:
        return 0
    client = notify_client()
    changed = 0
    for row in rows:
        try:
            status = str(client.get_notification_by_id(row.notification_id)["status"])
        except APIError as exc:
            logger.warning("Delivery status of email %s not fetched: %s", row.pk, exc)
            continue
        changed += status != row.delivery_status
        OutboxEmail.objects.filter(pk=row.pk).update(
            delivery_status=status[:32], status_checked_at=now
        )
    return changed
