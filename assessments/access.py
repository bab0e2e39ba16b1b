"""Who may reach what. Every view fetches through these, so a leader, an admin or a
facilitator can only ever load objects that are theirs; anything else is a 404, which does
not confirm that the object exists."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Assessment, Programme


def programmes_administered_by(user) -> QuerySet[Programme]:
    if not user.is_authenticated:
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(admins=user)


def programmes_visible_to_staff(user) -> QuerySet[Programme]:
    """Programmes a user runs as admin or supports as facilitator."""
    if not user.is_authenticated:
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(Q(admins=user) | Q(facilitators=user)).distinct()


def programme_for_admin(user, pk) -> Programme:
    return get_object_or_404(programmes_administered_by(user), pk=pk)


def programme_for_staff(user, pk) -> tuple[Programme, bool]:
    """A programme the user runs or supports, and whether they run it (as admin).

    A facilitator who does not also run the programme sees only the leaders assigned to
    them in it (``assessments_for_facilitator``), and none of the admin's actions."""
    programme = get_object_or_404(programmes_visible_to_staff(user), pk=pk)
    return programme, programmes_administered_by(user).filter(pk=programme.pk).exists()


def assessments_for_leader(user) -> QuerySet[Assessment]:
    if not user.is_authenticated:
        return Assessment.objects.none()
    return Assessment.objects.filter(leader=user).select_related("programme__framework")


def assessment_for_leader(user, pk) -> Assessment:
    return get_object_or_404(assessments_for_leader(user), pk=pk)


def assessments_for_admin(user) -> QuerySet[Assessment]:
    return Assessment.objects.filter(programme__in=programmes_administered_by(user))


def assessment_for_admin(user, pk) -> Assessment:
    return get_object_or_404(
        assessments_for_admin(user).select_related("programme", "leader"), pk=pk
    )


def assessments_for_facilitator(user) -> QuerySet[Assessment]:
    if not user.is_authenticated:
        return Assessment.objects.none()
    return Assessment.objects.filter(facilitator=user, programme__facilitators=user)


def assessment_for_approver(user, programme_pk, assessment_pk) -> Assessment:
    """Who may approve a leader's nominations (and so read their raters' names): the
    programme's admins, and the facilitator assigned to that leader. Anyone else: 404."""
    if not user.is_authenticated:
        raise Http404("No such leader")
    mine = Q(programme__in=programmes_administered_by(user)) | Q(
        facilitator=user, programme__facilitators=user
    )
    return get_object_or_404(
        Assessment.objects.filter(mine).select_related("programme", "leader").distinct(),
        programme_id=programme_pk,
        pk=assessment_pk,
    )
