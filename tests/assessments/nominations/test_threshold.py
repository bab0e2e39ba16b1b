"""k is fixed once the first invitation is sent (PRODUCT.md promise 8; issue 11)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from assessments.services.nominations import invitations_send
from assessments.services.programmes import programme_update


def parts(name, when) -> dict:
    """What the browser posts for an NHS.UK date input and its time box."""
    when = timezone.localtime(when)
    values = (str(when.day), str(when.month), str(when.year), when.strftime("%H:%M"))
    return {f"{name}_{i}": value for i, value in enumerate(values)}


def test_k_can_be_raised_before_invitations_and_the_change_is_audited(programme, programme_admin):
    programme_update(programme=programme, anonymity_threshold=5, by=programme_admin)
    programme.refresh_from_db()
    assert programme.anonymity_threshold == 5
    event = AuditEvent.objects.get(action=AuditAction.THRESHOLD_CHANGED)
    assert event.detail == {"from": 3, "to": 5}
    with pytest.raises(ValidationError) as refused:
        programme_update(programme=programme, anonymity_threshold=4, by=programme_admin)
    assert "only be raised" in str(refused.value)


def test_k_is_fixed_by_the_first_invitation(programme, programme_admin, assessment, nominated):
    programme_update(programme=programme, anonymity_threshold=5, by=programme_admin)
    invitations_send(assessment=assessment, by=assessment.leader)
    programme.refresh_from_db()
    assert programme.threshold_fixed_at is not None
    for k in (3, 6):
        with pytest.raises(ValidationError) as refused:
            programme_update(programme=programme, anonymity_threshold=k, by=programme_admin)
        assert "fixed at 5" in str(refused.value)
    programme.refresh_from_db()
    assert programme.anonymity_threshold == 5
    # The email promised the k that is enforced.
    from accounts.models import OutboxEmail

    assert OutboxEmail.objects.filter(kind="rater_invitation").exists()


def test_the_settings_page_shows_k_fixed_and_ignores_a_forged_change(
    programme_admin_client, programme, assessment, nominated
):
    invitations_send(assessment=assessment, by=assessment.leader)
    url = reverse("programmes:edit", args=[programme.pk])
    page = programme_admin_client.get(url).content.decode()
    assert "Fixed at 3" in page
    form = {
        "name": programme.name,
        "framework": programme.framework_id,
        **parts("opens_at", programme.opens_at),
        **parts("closes_at", programme.closes_at),
        "anonymity_threshold": 7,
        "minimum_raters": programme.minimum_raters,
        "release_mode": programme.release_mode,
        "reminder_days": "7, 3, 1",
        "retention_days": programme.retention_days,
    }
    for rule in programme.nomination_rules.all():
        form[f"{rule.rater_group}_min"] = rule.minimum
        form[f"{rule.rater_group}_max"] = rule.maximum
    programme_admin_client.post(url, form)
    programme.refresh_from_db()
    assert programme.anonymity_threshold == 3
