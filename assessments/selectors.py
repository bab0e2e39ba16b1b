"""Reads for programme pages: a fixed number of queries whatever the cohort size."""

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from .models import Assessment, Draft, Invitation, NominationRule, Programme, RaterGroup


def programme_rules(*, programme: Programme) -> dict[str, tuple[int, int]]:
    return {
        rule.rater_group: (rule.minimum, rule.maximum)
        for rule in NominationRule.objects.filter(programme=programme)
    }


# Declined raters no longer count: the leader may nominate someone in their place.
NOT_LIVE = (Invitation.State.REVOKED, Invitation.State.DECLINED)
INVITED = (
    Invitation.State.INVITED,
    Invitation.State.STARTED,
    Invitation.State.SUBMITTED,
    Invitation.State.DECLINED,
)


def _count(rows: QuerySet):
    """The number of ``rows`` of each assessment, as a correlated subquery.

    Each count is its own index lookup by assessment: joining invitations and responses to
    the assessments and counting DISTINCT instead multiplies the rows (40 invitations x 20
    responses per leader) and took seconds for 2,000 leaders.
    """
    counted = (
        rows.filter(assessment=OuterRef("pk"))
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


SORTS = {
    "name": ("leader__full_name", "pk"),
    "-name": ("-leader__full_name", "-pk"),
    "responses": ("submitted", "leader__full_name", "pk"),
    "-responses": ("-submitted", "leader__full_name", "pk"),
}


def programme_assessments_filtered(
    *,
    programme: Programme,
    rules: dict,
    query: str = "",
    self_state: str = "",
    nominations: str = "",
    sort: str = "name",
    within: QuerySet[Assessment] | None = None,
) -> QuerySet[Assessment]:
    """The dashboard's leaders, filtered and sorted in SQL (so pagination stays cheap).
    ``within`` narrows them to what the viewer may see (a facilitator: their leaders)."""
    assessments: QuerySet[Any] = programme_assessments(programme=programme)
    if within is not None:
        assessments = assessments.filter(pk__in=within.values("pk"))
    if query:
        assessments = assessments.filter(
            Q(leader__full_name__icontains=query) | Q(leader__email__icontains=query)
        )
    if self_state == "submitted":
        assessments = assessments.filter(self_submitted=True)
    elif self_state == "in_progress":
        assessments = assessments.filter(self_submitted=False, self_started=True)
    elif self_state == "not_started":
        assessments = assessments.filter(self_submitted=False, self_started=False)
    if nominations in ("complete", "incomplete"):
        complete = Q(
            **{
                f"nominated_{group.value}__gte": rules.get(group.value, (0, 0))[0]
                for group in RaterGroup.nominable()
            }
        ) & Q(nominated_total__gte=programme.minimum_raters)
        assessments = assessments.filter(complete if nominations == "complete" else ~complete)
    return assessments.order_by(*SORTS.get(sort, SORTS["name"]))


def programme_assessments(*, programme: Programme) -> QuerySet[Assessment]:
    """Every leader of the programme with what the dashboard shows, in one query."""
    # Progress comes from invitation states, never from Responses: those are sealed later,
    # in batches (services.sealing), and must not be matched to invitations.
    invitations = Invitation.objects.all()
    submitted = invitations.filter(state=Invitation.State.SUBMITTED)
    live = invitations.exclude(state__in=NOT_LIVE)
    nominated = {
        f"nominated_{group.value}": _count(live.filter(rater_group=group))
        for group in RaterGroup.nominable()
    }
    responded = {
        f"responses_{group.value}": _count(submitted.filter(rater_group=group))
        for group in RaterGroup.nominable()
    }
    return (
        Assessment.objects.filter(programme=programme)
        .select_related("leader", "facilitator")
        .annotate(
            self_submitted=ExpressionWrapper(
                Q(self_submitted_on__isnull=False), output_field=BooleanField()
            ),
            self_started=Exists(
                Draft.objects.filter(assessment=OuterRef("pk"), invitation__isnull=True)
            ),
            invited=_count(invitations.filter(state__in=INVITED)),
            declined=_count(invitations.filter(state=Invitation.State.DECLINED)),
            submitted=_count(submitted),
            nominated_total=_count(live),
            **nominated,
            **responded,
        )
        .order_by("leader__full_name", "pk")
    )


@dataclass(frozen=True)
class NominationStatus:
    complete: bool
    missing: list[str]


def nomination_status(*, counts: dict[str, int], rules: dict, minimum_total: int):
    """What is still missing for a set of nominations ({group: count}) against the rules."""
    missing = []
    for group in RaterGroup.nominable():
        low, _high = rules.get(group.value, (0, 0))
        have = counts.get(group.value, 0)
        if have < low:
            name = group.label.split(" (")[0].lower()
            missing.append(f"{low - have} more {name}{'s' if low - have > 1 else ''}")
    total = sum(counts.get(g.value, 0) for g in RaterGroup.nominable())
    if total < minimum_total:
        missing.append(f"{minimum_total - total} more raters in total")
    return NominationStatus(complete=not missing, missing=missing)


def programme_totals(*, programme: Programme, within: QuerySet[Assessment] | None = None) -> dict:
    """Leaders, raters and responses of the programme; with ``within``, of those leaders."""
    assessments = programme.assessments.all()
    if within is not None:
        assessments = assessments.filter(pk__in=within.values("pk"))
    invitations = Invitation.objects.filter(assessment__in=assessments).exclude(
        state__in=[Invitation.State.REVOKED, Invitation.State.NOMINATED]
    )
    counts = invitations.aggregate(
        invited=Count("pk"),
        submitted=Count("pk", filter=Q(state=Invitation.State.SUBMITTED)),
        declined=Count("pk", filter=Q(state=Invitation.State.DECLINED)),
    )
    counts["leaders"] = assessments.count()
    counts["self_submitted"] = assessments.filter(self_submitted_on__isnull=False).count()
    counts["response_rate"] = (
        round(100 * counts["submitted"] / counts["invited"]) if counts["invited"] else None
    )
    return counts
