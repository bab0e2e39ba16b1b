"""Handing one rendered email to the service that delivers it, and what it said back.

``EMAIL_DELIVERY`` picks the service: ``smtp`` (the default: Django's email backend, the
console in the quick start) or ``notify`` (GOV.UK Notify, ``accounts.notify``). The outbox
(``accounts.outbox``) calls ``email_deliver`` once per attempt; it does not know which.

A service that refuses an email for good (a bad address, a key it does not accept) raises
``DeliveryRefused``: the outbox marks the row failed at once, without retrying. Any other
error is retried with bounds, as before.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.mail import EmailMultiAlternatives
from django.db.models.functions import Lower

from .emails import RenderedEmail
from .models import OutboxEmail

# What Notify reports once it is done with an email (accounts.notify fetches these).
DELIVERED = "delivered"
PERMANENT_FAILURE = "permanent-failure"
TEMPORARY_FAILURE = "temporary-failure"
TECHNICAL_FAILURE = "technical-failure"
FINAL_STATUSES = (DELIVERED, PERMANENT_FAILURE, TEMPORARY_FAILURE, TECHNICAL_FAILURE)

# What an admin reads next to a rater or leader, by delivery status.
STATUS_LABELS = {
    DELIVERED: "Email delivered",
    PERMANENT_FAILURE: "Email bounced — check the address",
    TEMPORARY_FAILURE: "Email not delivered yet — the inbox was full or unavailable",
    TECHNICAL_FAILURE: "Email not sent — a technical problem at GOV.UK Notify",
}


@checks.register(checks.Tags.compatibility)
def notify_templates_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With EMAIL_DELIVERY=notify, every kind of email needs a Notify template id: say so
    at start-up (``manage.py check``), not when the first such email fails."""
    if email_delivery() != "notify":
        return []
    from .emails import MESSAGES

    ids = settings.NOTIFY_TEMPLATE_IDS
    missing = sorted(kind for kind in MESSAGES if not ids.get(kind))
    if not missing:
        return []
    return [
        checks.Error(
            f"NOTIFY_TEMPLATE_IDS has no template id for: {', '.join(missing)}.",
            hint="Create an email template in GOV.UK Notify for each (docs/operations.md).",
            id="accounts.E001",
        )
    ]


class DeliveryRefused(Exception):
    """The delivery service refused this email for good: retrying would not help."""


def email_delivery() -> str:
    return settings.EMAIL_DELIVERY


def email_deliver(*, to: str, kind: str, rendered: RenderedEmail, reference: str) -> str:
    """Deliver one email. Returns the service's id for it ("" for SMTP)."""
    if email_delivery() == "notify":
        from .notify import notify_send

        return notify_send(to=to, kind=kind, rendered=rendered, reference=reference)
    smtp_send(to=to, rendered=rendered)
    return ""


def smtp_send(*, to: str, rendered: RenderedEmail) -> None:
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    email.attach_alternative(rendered.html, "text/html")
    email.send()


def addresses_latest_status(addresses: Iterable[str]) -> dict[str, str]:
    """address (lower case) → the delivery status of the latest email to it whose outcome
    is known. Addresses with none (SMTP, or nothing reported yet) are left out."""
    wanted = {address.lower() for address in addresses if address}
    if not wanted:
        return {}
    rows = (
        OutboxEmail.objects.filter(delivery_status__in=FINAL_STATUSES)
        .annotate(address=Lower("to"))
        .filter(address__in=wanted)
        .order_by("sent_at", "pk")
        .values_list("address", "delivery_status")
    )
    return dict(rows)  # later rows overwrite earlier ones


@dataclass(frozen=True)
class Delivery:
    """What happened to the latest email to an address, as an admin reads it."""

    status: str

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def bounced(self) -> bool:
        return self.status == PERMANENT_FAILURE


def addresses_delivery(addresses: Iterable[str]) -> dict[str, Delivery]:
    """address (lower case) → ``Delivery``, for the addresses with a known outcome."""
    return {a: Delivery(status) for a, status in addresses_latest_status(addresses).items()}


def addresses_bounced(addresses: Iterable[str]) -> set[str]:
    """The addresses (lower case) whose latest email with a known outcome bounced for good:
    nothing more is sent to them on a schedule until someone corrects the address."""
    return {
        a for a, status in addresses_latest_status(addresses).items() if status == PERMANENT_FAILURE
    }
