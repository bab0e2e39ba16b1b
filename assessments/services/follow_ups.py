"""Follow-up programmes: re-assessing an earlier programme's leaders to show change.

A follow-up uses the earlier programme's framework version (so qualities and themes match
one for one), its settings (k, nomination rules, release mode) and its leaders, each as a
new assessment with the same facilitator. Raters are nominated again by the leader; the
nominations page offers to copy the earlier list (``nominations_copy_earlier``), which the
leader can then change before sending. Nothing of the earlier answers is copied.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from accounts.models import User

from ..models import Assessment, Invitation, NominationRule, Programme
from .programmes import assessment_create, programme_create

COPIED_SETTINGS = (
    "anonymity_threshold",
    "minimum_raters",
    "release_mode",
    "nominations_need_approval",
    "reminder_days",
    "retention_days",
)


@transaction.atomic
def programme_follow_up_create(
    *, earlier: Programme, by: User | None, name: str, opens_at, closes_at
) -> Programme:
    """A new programme following ``earlier``: same framework version and settings, the
    same leaders (new assessments, same facilitators). Refused (ValidationError) before the
    earlier programme has closed, or when it opens before the earlier one closed."""
    errors: dict[str, str] = {}
    if not earlier.is_closed:
        errors[NON_FIELD_ERRORS] = (
            f"{earlier.name} has not closed yet: a follow-up can be created once it has."
        )
    elif opens_at and opens_at < earlier.effective_close:
        errors["opens_at"] = f"The follow-up must open after {earlier.name} closed."
    if errors:
        raise ValidationError(errors)
    rules = {
        rule.rater_group: (rule.minimum, rule.maximum)
        for rule in NominationRule.objects.filter(programme=earlier)
    }
    programme = programme_create(
        created_by=by,
        rules=rules,
        name=name,
        framework=earlier.framework,
        opens_at=opens_at,
        closes_at=closes_at,
        follows=earlier,
        **{field: getattr(earlier, field) for field in COPIED_SETTINGS},
    )
    programme.admins.add(*earlier.admins.all())
    programme.facilitators.add(*earlier.facilitators.all())
    for assessment in earlier.assessments.select_related("leader", "facilitator"):
        assessment_create(
            programme=programme,
            email=assessment.leader.email,
            full_name=assessment.leader.full_name,
            facilitator=assessment.facilitator,
            added_by=by,
        )
    return programme


def earlier_assessment(*, assessment: Assessment) -> Assessment | None:
    """The same leader's assessment in the programme this one follows, if any."""
    follows_id = assessment.programme.follows_id
    if follows_id is None:
        return None
    return (
        Assessment.objects.select_related("programme")
        .filter(programme_id=follows_id, leader_id=assessment.leader_id)
        .first()
    )


def earlier_raters(*, assessment: Assessment) -> list[Invitation]:
    """The raters the leader nominated last time (not withdrawn), who are not nominated now."""
    earlier = earlier_assessment(assessment=assessment)
    if earlier is None:
        return []
    now = {e.lower() for e in assessment.invitations.values_list("email", flat=True)}
    return [
        invitation
        for invitation in earlier.invitations.exclude(state=Invitation.State.REVOKED).order_by(
            "rater_group", "name"
        )
        if invitation.email.lower() not in now
    ]


def nominations_copy_earlier(*, assessment: Assessment, by: User) -> tuple[int, list[str]]:
    """Nominate again the raters of the leader's earlier assessment, as far as the rules
    allow. Returns how many were added and, for those that were not, why."""
    from .nominations import invitation_nominate

    added, skipped = 0, []
    for invitation in earlier_raters(assessment=assessment):
        try:
            invitation_nominate(
                assessment=assessment,
                name=invitation.name,
                email=invitation.email,
                rater_group=invitation.rater_group,
                by=by,
            )
        except ValidationError as error:
            reasons = "; ".join(m for ms in error.message_dict.values() for m in ms)
            skipped.append(f"{invitation.name}: {reasons}")
        else:
            added += 1
    return added, skipped
