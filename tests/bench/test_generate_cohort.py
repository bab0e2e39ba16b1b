"""manage.py generate_cohort: benchmark cohorts that look like real ones, with working links."""

import io
import json
import os
import random
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client

from accounts.models import Role, User
from assessments.management.commands.generate_cohort import cohort_generate, rater_groups
from assessments.models import Assessment, Invitation, Programme, RaterGroup, Rating, Response
from framework.models import Statement

pytestmark = pytest.mark.django_db


class TestRaterGroups:
    @pytest.mark.parametrize("raters", [1, 5, 12, 40])
    def test_as_many_raters_as_asked_with_a_line_manager_first(self, raters):
        for seed in range(20):
            groups = rater_groups(raters, random.Random(seed))
            assert len(groups) == raters
            assert groups[0] == RaterGroup.LINE_MANAGER
            assert RaterGroup.SELF not in groups

    def test_twelve_raters_are_about_one_manager_five_peers_four_reports_two_others(self):
        counts = [rater_groups(12, random.Random(seed)) for seed in range(200)]
        peers = sum(g.count(RaterGroup.PEER) for g in counts) / len(counts)
        assert all(g.count(RaterGroup.LINE_MANAGER) == 1 for g in counts)
        assert 4.5 <= peers <= 5.5
        assert len({tuple(g) for g in counts}) > 1  # varied from leader to leader

    def test_forty_raters_have_two_line_managers(self):
        assert rater_groups(40, random.Random(1)).count(RaterGroup.LINE_MANAGER) == 2


class TestClosedCohort:
    @pytest.fixture
    def generated_cohort(self, framework):
        return cohort_generate(leaders=3, raters=12, seed=5)

    def test_every_leader_and_rater_has_submitted_every_statement(self, generated_cohort):
        statements = Statement.objects.count()
        programme = Programme.objects.get(pk=generated_cohort.programme_id)
        assert programme.is_closed
        assert Assessment.objects.filter(programme=programme).count() == 3
        invitations = Invitation.objects.filter(assessment__programme=programme)
        assert invitations.count() == 36
        assert set(invitations.values_list("state", flat=True)) == {Invitation.State.SUBMITTED}
        responses = Response.objects.filter(assessment__programme=programme)
        assert responses.count() == 39
        assert responses.filter(rater_group=RaterGroup.SELF).count() == 3
        assert Rating.objects.filter(response__in=responses).count() == 39 * statements
        assert generated_cohort.counts["ratings"] == 39 * statements
        assert generated_cohort.links == []

    def test_ratings_are_on_the_scale_with_some_not_observed(self, generated_cohort):
        ratings = Rating.objects.filter(
            response__assessment__programme_id=generated_cohort.programme_id
        )
        values = list(ratings.values_list("value", flat=True))
        scored = [v for v in values if v is not None]
        assert set(scored) <= {1, 2, 3, 4, 5}
        assert len(set(scored)) >= 3
        assert 0.01 < values.count(None) / len(values) < 0.2

    def test_groups_match_the_invitations(self, generated_cohort):
        by_group = dict(
            Response.objects.filter(assessment__programme_id=generated_cohort.programme_id)
            .values_list("rater_group")
            .annotate(n=Count("id"))
        )
        invited = dict(
            Invitation.objects.filter(assessment__programme_id=generated_cohort.programme_id)
            .values_list("rater_group")
            .annotate(n=Count("id"))
        )
        assert by_group.pop(RaterGroup.SELF) == 3
        assert by_group == invited

    def test_the_programme_admin_and_leaders_have_their_roles(self, generated_cohort):
        admin = User.objects.get(pk=generated_cohort.admin_id)
        assert admin.has_role(Role.PROGRAMME_ADMIN)
        assert Programme.objects.filter(pk=generated_cohort.programme_id, admins=admin).exists()
        leaders = User.objects.filter(pk__in=generated_cohort.leader_ids)
        assert all(leader.has_role(Role.LEADER) for leader in leaders)
        assert not any(leader.has_usable_password() for leader in leaders)


class TestOpenCohort:
    def test_unsubmitted_raters_are_invited_with_links_that_open_the_form(self, framework):
        cohort = cohort_generate(leaders=2, raters=5, state="open", seed=1, submitted_share=0)
        programme = Programme.objects.get(pk=cohort.programme_id)
        assert programme.is_open
        assert len(cohort.links) == 10
        assert not Response.objects.filter(assessment__programme=programme).exists()
        link = cohort.links[0]
        response = Client().get(f"/feedback/{link.token}/")
        assert response.status_code == 200
        assert User.objects.get(pk=link.leader_id).full_name in response.content.decode()

    def test_a_share_of_raters_has_submitted(self, framework):
        cohort = cohort_generate(leaders=20, raters=10, state="open", seed=2, submitted_share=0.5)
        invitations = Invitation.objects.filter(assessment__programme_id=cohort.programme_id)
        submitted = invitations.filter(state=Invitation.State.SUBMITTED).count()
        assert 60 <= submitted <= 140
        assert len(cohort.links) == 200 - submitted

    def test_the_same_seed_gives_the_same_ratings(self, framework):
        def values(cohort):
            ratings = Rating.objects.filter(response__assessment__programme_id=cohort.programme_id)
            return sorted(ratings.values_list("statement_id", "value"), key=repr)

        first = cohort_generate(leaders=2, raters=4, seed=9)
        second = cohort_generate(leaders=2, raters=4, seed=9)
        assert values(first) == values(second)


class TestCommand:
    def test_prints_what_it_made_and_how_long_it_took(self, framework, tmp_path):
        out = io.StringIO()
        tokens = tmp_path / "links.jsonl"
        call_command(
            "generate_cohort", "--leaders", "2", "--raters", "3", "--state", "open",
            "--submitted-share", "0", "--tokens-file", str(tokens), stdout=out,
        )  # fmt: skip
        assert "2 leaders" in out.getvalue() and " s." in out.getvalue()
        lines = [json.loads(line) for line in tokens.read_text().splitlines()]
        assert len(lines) == 6
        assert {"token", "assessment_id", "leader_id", "rater_group"} <= set(lines[0])
        assert stat.S_IMODE(os.stat(tokens).st_mode) == 0o600

    def test_refuses_nonsense(self, framework):
        with pytest.raises(CommandError):
            call_command("generate_cohort", "--leaders", "0")
        with pytest.raises(CommandError):
            call_command("generate_cohort", "--leaders", "1", "--submitted-share", "2")

    def test_needs_a_framework(self, no_framework):
        with pytest.raises(CommandError, match="load_framework"):
            call_command("generate_cohort", "--leaders", "1")
