"""A lookup compiled once answers as its queryset does (config/compiled.py)."""

import pytest

from assessments.models import Invitation
from config.compiled import CompiledLookup
from tests import factories


@pytest.mark.django_db
def test_a_compiled_lookup_builds_the_same_objects_as_the_queryset(
    assessment, django_assert_num_queries
):
    invitation = factories.InvitationFactory(assessment=assessment)
    queryset = Invitation.objects.select_related("assessment__programme", "assessment__leader")
    lookup = CompiledLookup(
        queryset.only(
            "id",
            "state",
            "assessment__programme__closes_at",
            "assessment__leader__full_name",
            "assessment__programme_id",
            "assessment__leader_id",
            "assessment_id",
        )
    )
    expected = queryset.get(pk=invitation.pk)
    for _ in range(2):  # compiled at the first, reused at the second
        with django_assert_num_queries(1):
            found = lookup.get(invitation.pk)
            assert found.pk == expected.pk and found.state == expected.state
            assert found.assessment.programme.closes_at == expected.assessment.programme.closes_at
            assert found.assessment.leader.full_name == "Alex Leader"
    assert lookup.get(invitation.pk + 1000) is None


def test_only_plain_querysets_are_compiled(db):
    with pytest.raises(ValueError):
        CompiledLookup(Invitation.objects.prefetch_related("assessment"))
