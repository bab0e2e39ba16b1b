"""Who rates a leader: nominating raters against the programme's rules, and inviting them.

Every write locks the assessment row first, so two tabs or a double click cannot take a
group past its maximum, nominate one email twice or send one invitation twice.

A rater counts towards the rules from nomination until they decline or are revoked: a
leader can replace someone who declined even when the group is full.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.emails import email_queue, uk_time
from accounts.models import User
from accounts.names import name_problem

from ..models import Assessment, Invitation, NominationRule, RaterGroup
from ..rater_groups import group_noun
from ..tokens import token_from_nonce, token_hash, token_new_nonce
from .programmes import programme_threshold_fix

State = Invitation.State
REMOVABLE_STATES = (State.NOMINATED, State.INVITED)
# What a leader may remove or replace by name: only raters not invited yet. Once invitations
# are out, a per-name action that worked for some raters and not others would tell the
# leader who has started (PRODUCT.md, promise 5): a wrong address is withdrawn by an admin.
LEADER_REMOVABLE_STATES = (State.NOMINATED,)
NOT_COUNTED_STATES = (State.DECLINED, State.REVOKED)


@dataclass(frozen=True)
class GroupNominations:
    group: RaterGroup
    minimum: int
    maximum: int
    count: int

    @property
    def label(self) -> str:
        return self.group.label

    @property
    def missing(self) -> int:
        return max(0, self.minimum - self.count)

    @property
    def is_full(self) -> bool:
        return self.count >= self.maximum


@dataclass(frozen=True)
class Nominations:
    """A leader's nominations measured against the programme's rules."""

    groups: list[GroupNominations]
    minimum_total: int
    total: int
    not_yet_invited: int
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def nominations_status(*, assessment: Assessment) -> Nominations:
    """What the leader has nominated per group, and what is still missing ("Add at least
    2 more peers"). Two queries."""
    rules = {
        rule.rater_group: (rule.minimum, rule.maximum)
        for rule in NominationRule.objects.filter(programme_id=assessment.programme_id)
    }
    counts: dict[str, int] = {}
    not_yet_invited = 0
    for group, state, n in (
        assessment.invitations.exclude(state__in=NOT_COUNTED_STATES)
        .values_list("rater_group", "state")
        .annotate(n=Count("pk"))
        .values_list("rater_group", "state", "n")
    ):
        counts[group] = counts.get(group, 0) + n
        not_yet_invited += n if state == State.NOMINATED else 0
    groups = [
        GroupNominations(group, *rules.get(group.value, (0, 0)), counts.get(group.value, 0))
        for group in RaterGroup.nominable()
    ]
    missing = [
        f"Add at least {g.missing} more {group_noun(g.group, g.missing)}"
        for g in groups
        if g.missing
    ]
    total = sum(g.count for g in groups)
    extra = assessment.programme.minimum_raters - total - sum(g.missing for g in groups)
    if extra > 0:
        missing.append(f"Add at least {extra} more rater{'s' if extra > 1 else ''} from any group")
    return Nominations(
        groups=groups,
        minimum_total=assessment.programme.minimum_raters,
        total=total,
        not_yet_invited=not_yet_invited,
        missing=missing,
    )


def invitation_nominate(
    *, assessment: Assessment, name: str, email: str, rater_group: str, by: User
) -> Invitation:
    """Add one rater, not yet invited. Refuses a name that is not a name (it opens the
    emails sent to them: ``accounts.names``), the leader's own email, an email already
    nominated (in any case), a full group and a closed programme."""
    email = User.objects.normalize_email(email.strip()).lower()
    with transaction.atomic():
        assessment = _assessment_lock(assessment)
        _nominations_open(assessment)
        errors = {}
        if problem := name_problem(name):
            errors["name"] = problem
        if rater_group not in {g.value for g in RaterGroup.nominable()}:
            errors["rater_group"] = "Select how they work with the leader."
        elif email == assessment.leader.email.lower():
            errors["email"] = (
                "A leader cannot be their own rater: their self-assessment gives their view. "
                "Enter a colleague's email address."
            )
        elif _is_nominated(assessment, email):
            errors["email"] = "Someone with this email address has already been nominated."
        else:
            rule = _group_nominations(assessment, rater_group)
            if rule.maximum == 0:
                errors["rater_group"] = (
                    f"This programme does not ask for feedback from {group_noun(rule.group, 2)}."
                )
            elif rule.is_full:
                errors["rater_group"] = (
                    f"The most {group_noun(rule.group, 2)} allowed ({rule.maximum}) have "
                    "already been nominated. Remove one first, or choose another group."
                )
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    assessment=assessment,
                    name=" ".join(name.split()),
                    email=email,
                    rater_group=rater_group,
                )
        except IntegrityError as exc:
            raise ValidationError(
                {"email": "Someone with this email address has already been nominated."}
            ) from exc
        if assessment.nominations_approved_at:
            # Already approved: the newcomers need approving too before they are invited.
            Assessment.objects.filter(pk=assessment.pk).update(
                nominations_submitted_at=None, nominations_approved_at=None
            )
    return invitation


def invitation_remove(*, invitation: Invitation, by: User) -> None:
    """Remove a rater who has not started. An invited rater's link dies with the row."""
    with transaction.atomic():
        assessment = _assessment_lock(invitation.assessment)
        _nominations_open(assessment)
        locked = assessment.invitations.filter(pk=invitation.pk).first()
        if locked is None:
            return
        if by.pk == assessment.leader_id and locked.state not in LEADER_REMOVABLE_STATES:
            raise ValidationError(
                f"{locked.name} has been invited, so they can no longer be removed or "
                "replaced here. If the invitation went to a wrong address, ask your programme "
                "admin to withdraw it."
            )
        if locked.state not in REMOVABLE_STATES:
            raise ValidationError(
                f"{locked.name} can no longer be removed: only raters who have not "
                "started can be removed."
            )
        locked.delete()


def invitation_replace(
    *, invitation: Invitation, name: str, email: str, rater_group: str, by: User
) -> Invitation:
    """Swap a rater who has not started for someone else, in one step: if the newcomer
    is refused, the original stays. The newcomer is invited with the next send."""
    with transaction.atomic():
        invitation_remove(invitation=invitation, by=by)
        return invitation_nominate(
            assessment=invitation.assessment,
            name=name,
            email=email,
            rater_group=rater_group,
            by=by,
        )


def invitations_send(*, assessment: Assessment, by: User) -> int:
    """Invite every rater nominated and not yet invited: a fresh link each, an email each,
    in one transaction. Refused until the rules are met (and, where the programme asks for
    it, the nominations approved). Returns how many were invited."""
    with transaction.atomic():
        assessment = _assessment_lock(assessment)
        programme = assessment.programme
        _nominations_open(assessment)
        if programme.state == programme.State.DRAFT:
            raise ValidationError(
                "Invitations can be sent once the programme opens, at "
                f"{uk_time(programme.opens_at)}."
            )
        _rules_met(assessment)
        if programme.nominations_need_approval and not assessment.nominations_approved_at:
            raise ValidationError(
                "These nominations need to be approved by the programme's facilitator before "
                "invitations are sent."
            )
        pending = list(assessment.invitations.select_for_update().filter(state=State.NOMINATED))
        if not pending:
            raise ValidationError("Everyone nominated has already been invited.")
        now = timezone.now()
        programme_threshold_fix(programme=programme, now=now)
        for invitation in pending:
            invitation_new_link(invitation)
            invitation.state = State.INVITED
            invitation.invited_at = now
            invitation.save(update_fields=["token_nonce", "token_hash", "state", "invited_at"])
            email_queue(
                kind="rater_invitation",
                to=invitation.email,
                context={"invitation_id": invitation.pk},
            )
    return len(pending)


def nominations_submit(*, assessment: Assessment, by: User) -> int:
    """Ask the facilitator(s) to approve the nominations. Returns how many were emailed."""
    with transaction.atomic():
        assessment = _assessment_lock(assessment)
        programme = assessment.programme
        _nominations_open(assessment)
        if not programme.nominations_need_approval:
            raise ValidationError("This programme does not ask for nominations to be approved.")
        status = _rules_met(assessment)
        if assessment.nominations_submitted_at and not assessment.nominations_approved_at:
            raise ValidationError("These nominations are already waiting for approval.")
        if not status.not_yet_invited:
            raise ValidationError("Everyone nominated has already been invited.")
        Assessment.objects.filter(pk=assessment.pk).update(
            nominations_submitted_at=timezone.now(), nominations_approved_at=None
        )
        approvers = _approvers(assessment)
        for approver in approvers:
            email_queue(
                kind="nominations_for_approval",
                to=approver.email,
                context={"assessment_id": assessment.pk},
            )
    return len(approvers)


def nominations_approve(*, assessment: Assessment, by: User) -> int:
    """Approve the nominations and, once the programme is open, invite the raters.
    Returns how many were invited now."""
    with transaction.atomic():
        assessment = _assessment_lock(assessment)
        _nominations_open(assessment)
        if not assessment.programme.nominations_need_approval:
            raise ValidationError("This programme does not ask for nominations to be approved.")
        status = _rules_met(assessment)
        now = timezone.now()
        Assessment.objects.filter(pk=assessment.pk).update(
            nominations_submitted_at=assessment.nominations_submitted_at or now,
            nominations_approved_at=now,
        )
        assessment.refresh_from_db()
        programme = assessment.programme
        if programme.state != programme.State.OPEN or not status.not_yet_invited:
            return 0
        return invitations_send(assessment=assessment, by=by)


# Helpers ------------------------------------------------------------------------------


def _rules_met(assessment: Assessment) -> Nominations:
    status = nominations_status(assessment=assessment)
    if not status.complete:
        raise ValidationError(
            "The nominations do not meet the programme's rules yet. "
            + ". ".join(status.missing)
            + "."
        )
    return status


def _assessment_lock(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("programme", "leader")
        .get(pk=assessment.pk)
    )


def _nominations_open(assessment: Assessment) -> None:
    if assessment.programme.is_closed:
        raise ValidationError("The programme has closed: raters can no longer be changed.")


def invitation_new_link(invitation: Invitation) -> None:
    invitation.token_nonce = token_new_nonce()
    invitation.token_hash = token_hash(token_from_nonce(invitation.token_nonce))


def _is_nominated(assessment: Assessment, email: str) -> bool:
    return assessment.invitations.exclude(state=State.REVOKED).filter(email__iexact=email).exists()


def _group_nominations(assessment: Assessment, rater_group: str) -> GroupNominations:
    rule = NominationRule.objects.filter(
        programme_id=assessment.programme_id, rater_group=rater_group
    ).first()
    count = (
        assessment.invitations.filter(rater_group=rater_group)
        .exclude(state__in=NOT_COUNTED_STATES)
        .count()
    )
    low, high = (rule.minimum, rule.maximum) if rule else (0, 0)
    return GroupNominations(RaterGroup(rater_group), low, high, count)


def _approvers(assessment: Assessment) -> list[User]:
    """Who is asked to approve: the leader's own facilitator, else the programme's admins.
    A facilitator not assigned to the leader never sees their raters (``access``)."""
    facilitator = assessment.facilitator
    if facilitator is not None and facilitator.is_active:
        return [facilitator]
    return list(assessment.programme.admins.filter(is_active=True).order_by("pk"))
