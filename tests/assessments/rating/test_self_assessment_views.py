"""The leader's self-assessment pages, /my/<assessment>/self/…"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from assessments.models import COMMENT_MAX_LENGTH, Draft, RaterGroup, Rating, Response
from assessments.services.responses import draft_save
from tests import factories

from .builders import all_statements, error_summary_hrefs, full_answers, ids_in, page_post


def page_url(assessment, theme, part=1):
    """A quality's page: ``part`` is its place in the theme."""
    if part == 1:
        return reverse("self_assessment:page", args=[assessment.pk, theme.slug])
    return reverse("self_assessment:page_part", args=[assessment.pk, theme.slug, part])


def review_url(assessment):
    return reverse("self_assessment:review", args=[assessment.pk])


def saved_answers(assessment) -> dict:
    draft = Draft.objects.filter(assessment=assessment, invitation__isnull=True).first()
    return draft.answers if draft else {}


class TestAccess:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, assessment, outline):
        for url in (
            reverse("self_assessment:start", args=[assessment.pk]),
            page_url(assessment, outline.themes[0]),
            review_url(assessment),
            reverse("self_assessment:done", args=[assessment.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login") + "?next=")

    def test_another_leaders_self_assessment_is_not_found(self, client, assessment, outline):
        other = factories.UserFactory(full_name="Olive Other")
        client.force_login(other)
        theme = outline.themes[0]
        assert client.get(reverse("self_assessment:start", args=[assessment.pk])).status_code == 404
        assert client.get(page_url(assessment, theme)).status_code == 404
        posted = client.post(
            page_url(assessment, theme), page_post(outline, theme, answers=full_answers(outline))
        )
        assert posted.status_code == 404
        assert client.post(review_url(assessment)).status_code == 404
        assert not Draft.objects.exists()

    def test_unknown_theme_is_not_found(self, leader_client, assessment):
        url = reverse("self_assessment:page", args=[assessment.pk, "no-such-theme"])
        assert leader_client.get(url).status_code == 404
        assert leader_client.post(url, {"action": "next"}).status_code == 404


class TestPages:
    def test_every_quality_has_a_short_page_with_a_fieldset_per_statement(
        self, leader_client, assessment, outline
    ):
        seen = 0
        for number, (theme, part, quality) in enumerate(outline.pages, start=1):
            response = leader_client.get(page_url(assessment, theme, part))
            assert response.status_code == 200
            html = response.content.decode()
            statements = list(quality.statements.all())
            assert html.count('<fieldset class="nhsuk-fieldset"') == len(statements)
            for statement in statements:
                assert (
                    '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">'
                    f"{escape(statement.text)}</legend>"
                ) in html
                for index in range(1, 6):
                    assert f'id="s-{statement.pk}-{index}"' in html
                # A leader always observes themselves: no "Not observed" here.
                assert f'id="s-{statement.pk}-6"' not in html
                assert 'value="not-observed"' not in html
            assert "Not observed" not in html
            assert f"Quality {number} of 13." in html
            assert escape(quality.name) in html.split("<h1", 1)[1].split("</h1>", 1)[0]
            assert "Thinking about your own leadership: how often do you see this?" in html
            assert "Your answers are saved when you change page" in html
            # The theme's comment box is on its last quality's page.
            assert ('name="comment"' in html) == (part == outline.parts_of(theme))
            seen += len(statements)
        assert seen == 39
        assert len(outline.pages) == 13

    def test_a_part_the_theme_does_not_have_is_not_found(self, leader_client, assessment, outline):
        theme = outline.themes[0]
        for part in (0, outline.parts_of(theme) + 1):
            url = f"/my/{assessment.pk}/self/{theme.slug}/{part}/"
            assert leader_client.get(url).status_code == 404

    def test_not_observed_is_refused_on_a_self_assessment_page(
        self, leader_client, assessment, outline
    ):
        theme = outline.themes[0]
        statement = outline.statements_of(theme)[0]
        response = leader_client.post(
            page_url(assessment, theme), {"action": "next", f"s-{statement.pk}": "not-observed"}
        )
        assert response.status_code == 200
        assert "Choose one of the answers given for this statement" in response.content.decode()
        assert saved_answers(assessment) == {}

    def test_next_saves_the_page_and_moves_on(self, leader_client, assessment, outline):
        first, second = outline.themes[0], outline.themes[1]
        answers = full_answers(outline)
        response = leader_client.post(
            page_url(assessment, first),
            page_post(outline, first, answers=answers, comment="Note to self"),
        )
        assert response.status_code == 302
        assert response["Location"] == page_url(assessment, first, 2)  # the next quality
        page_answers = {str(s.pk): answers[str(s.pk)] for s in outline.statements_of(first)}
        assert saved_answers(assessment) == page_answers
        draft = Draft.objects.get(assessment=assessment)
        assert draft.comments == {str(first.pk): "Note to self"}

        again = leader_client.get(page_url(assessment, first)).content.decode()
        statement = outline.statements_of(first)[0]
        value = answers[str(statement.pk)]
        assert re.search(rf'name="s-{statement.pk}" type="radio" value="{value}" checked', again)
        assert "You have answered 9 of 39 statements" in again
        last = leader_client.get(page_url(assessment, first, 3)).content.decode()
        assert "Note to self</textarea>" in last
        # From the theme's last quality, Next goes to the next theme.
        response = leader_client.post(page_url(assessment, first, 3), {"action": "next"})
        assert response["Location"] == page_url(assessment, second)
        # A page without the comment box leaves the comment alone.
        leader_client.post(page_url(assessment, first, 2), {"action": "next"})
        assert Draft.objects.get(assessment=assessment).comments == {str(first.pk): "Note to self"}

    def test_partial_pages_are_saved_without_errors(self, leader_client, assessment, outline):
        theme = outline.themes[1]
        statement = outline.statements_of(theme)[0]
        response = leader_client.post(
            page_url(assessment, theme), {"action": "previous", f"s-{statement.pk}": "4"}
        )
        # Previous from a theme's first quality: the last quality of the theme before.
        assert response["Location"] == page_url(assessment, outline.themes[0], 3)
        assert saved_answers(assessment) == {str(statement.pk): 4}

    def test_a_stale_tab_does_not_wipe_saved_answers(self, leader_client, assessment, outline):
        theme = outline.themes[0]
        first, second = outline.statements_of(theme)[:2]
        draft_save(assessment=assessment, answers={first.pk: 4, second.pk: 2}, comments={})
        # A tab opened before those answers were saved posts the page without them.
        leader_client.post(page_url(assessment, theme), {"action": "next", f"s-{second.pk}": "5"})
        assert saved_answers(assessment) == {str(first.pk): 4, str(second.pk): 5}

    def test_save_stays_on_the_page_and_says_so(self, leader_client, assessment, outline):
        theme = outline.themes[2]
        response = leader_client.post(page_url(assessment, theme), {"action": "save"}, follow=True)
        assert response.redirect_chain[-1][0] == page_url(assessment, theme) + "?saved=1"
        assert "Your answers have been saved" in response.content.decode()

    def test_last_page_leads_to_the_review(self, leader_client, assessment, outline):
        theme = outline.themes[-1]
        last = page_url(assessment, theme, outline.parts_of(theme))
        response = leader_client.post(last, {"action": "next"})
        assert response["Location"] == review_url(assessment)

    def test_start_resumes_at_the_first_unanswered_page(self, leader_client, assessment, outline):
        start = reverse("self_assessment:start", args=[assessment.pk])
        assert leader_client.get(start)["Location"] == page_url(assessment, outline.themes[0])
        answers = full_answers(outline)
        for theme in outline.themes[:2]:
            leader_client.post(
                page_url(assessment, theme), page_post(outline, theme, answers=answers)
            )
        assert leader_client.get(start)["Location"] == page_url(assessment, outline.themes[2])

    @pytest.mark.parametrize("value", ["7", "abc", "0", "", "3.5"])
    def test_values_off_the_scale_are_not_saved(self, leader_client, assessment, outline, value):
        theme = outline.themes[0]
        first, second = outline.statements_of(theme)[:2]
        response = leader_client.post(
            page_url(assessment, theme),
            {"action": "next", f"s-{first.pk}": value, f"s-{second.pk}": "2", "comment": "kept"},
        )
        if value == "":  # an empty value is simply "not answered"
            assert response.status_code == 302
            assert saved_answers(assessment) == {str(second.pk): 2}
            return
        assert response.status_code == 200
        html = response.content.decode()
        assert "nhsuk-error-summary" in html
        assert f"#s-{first.pk}-1" in error_summary_hrefs(html)
        assert f"s-{first.pk}-1" in ids_in(html)
        # What was typed is still there; nothing was saved.
        assert re.search(rf'name="s-{second.pk}" type="radio" value="2" checked', html)
        assert ">kept</textarea>" in html
        assert not Draft.objects.exists()

    def test_forged_statements_from_another_theme_are_ignored(
        self, leader_client, assessment, outline
    ):
        being, other = outline.themes[0], outline.themes[3]
        mine = outline.statements_of(being)[0]
        forged = outline.statements_of(other)[0]
        response = leader_client.post(
            page_url(assessment, being),
            {
                "action": "next",
                f"s-{mine.pk}": "3",
                f"s-{forged.pk}": "5",
                "s-999999": "5",
                "s-abc": "1",
            },
        )
        assert response.status_code == 302
        assert saved_answers(assessment) == {str(mine.pk): 3}

    def test_a_comment_over_the_limit_is_an_error_and_kept(
        self, leader_client, assessment, outline
    ):
        theme = outline.themes[0]
        statement = outline.statements_of(theme)[0]
        long_text = "a" * 10_000
        response = leader_client.post(
            page_url(assessment, theme),
            {"action": "next", f"s-{statement.pk}": "5", "comment": long_text},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert f"must be {COMMENT_MAX_LENGTH:,} characters or fewer" in html
        assert error_summary_hrefs(html) == ["#comment"]
        assert 'id="comment"' in html
        assert long_text + "</textarea>" in html
        assert re.search(rf'name="s-{statement.pk}" type="radio" value="5" checked', html)
        assert not Draft.objects.exists()

    def test_an_unknown_action_just_saves(self, leader_client, assessment, outline):
        theme = outline.themes[0]
        response = leader_client.post(page_url(assessment, theme), {"action": "explode"})
        assert response["Location"] == page_url(assessment, theme) + "?saved=1"


class TestReviewAndSubmit:
    def test_review_lists_every_theme_with_counts(self, leader_client, assessment, outline):
        theme = outline.themes[0]
        statements = outline.statements_of(theme)
        draft_save(
            assessment=assessment, answers={statements[0].pk: 4, statements[1].pk: ""}, comments={}
        )
        html = leader_client.get(review_url(assessment)).content.decode()
        assert "You have answered 2 of 39 statements" in html
        # One line per quality, linking to its page; its answers folded beneath it.
        for theme, part, quality in outline.pages:
            assert f'href="{page_url(assessment, theme, part)}"' in html
            assert escape(quality.name) in html
        assert html.count('<details class="nhsuk-details') == 13
        assert html.count("3 not answered") == 12 and "1 not answered" in html
        assert "Not observed" in html  # a draft saved before "Not observed" was removed

    def test_submit_with_missing_answers_links_to_each_one(
        self, leader_client, assessment, outline
    ):
        answers = full_answers(outline)
        statements = all_statements(outline)
        missing = [statements[0], statements[20], statements[38]]
        for statement in missing:
            del answers[str(statement.pk)]
        draft_save(assessment=assessment, answers=answers, comments={})

        response = leader_client.post(review_url(assessment))
        assert response.status_code == 200
        html = response.content.decode()
        hrefs = error_summary_hrefs(html)
        assert len(hrefs) == 3
        for href, statement in zip(hrefs, missing, strict=True):
            theme, part = outline.part_of(statement)
            assert href == f"{page_url(assessment, theme, part)}#s-{statement.pk}-1"
            target = leader_client.get(href.split("#")[0]).content.decode()
            assert href.split("#")[1] in ids_in(target)
        assert not Response.objects.exists()
        assert saved_answers(assessment) == answers  # nothing lost

    def test_submit_seals_once_and_shows_a_read_only_summary(
        self, leader_client, assessment, outline
    ):
        answers = full_answers(outline)
        for theme in outline.themes:
            leader_client.post(
                page_url(assessment, theme),
                page_post(outline, theme, answers=answers, comment="Reflect"),
            )
        response = leader_client.post(review_url(assessment))
        done = reverse("self_assessment:done", args=[assessment.pk])
        assert response["Location"] == done

        sealed = Response.objects.get()
        assert sealed.rater_group == RaterGroup.SELF
        assert Rating.objects.filter(response=sealed).count() == 39
        assert Rating.objects.filter(response=sealed, value__isnull=True).count() == 0
        assert sealed.comments.count() == 4
        assert not Draft.objects.exists()

        summary = leader_client.get(done)
        assert summary.status_code == 200
        html = summary.content.decode()
        assert "Self-assessment submitted" in html
        assert "<form" not in html.split('id="maincontent"')[1]  # read-only

        # Every way back in now leads to the summary; a second submit makes nothing.
        assert leader_client.post(review_url(assessment))["Location"] == done
        again = leader_client.post(
            page_url(assessment, outline.themes[0]),
            page_post(outline, outline.themes[0], answers=answers),
        )
        assert again["Location"] == done
        start = reverse("self_assessment:start", args=[assessment.pk])
        assert leader_client.get(start)["Location"] == done
        assert Response.objects.count() == 1
        assert not Draft.objects.exists()

    def test_done_before_submitting_goes_back_to_the_form(self, leader_client, assessment):
        response = leader_client.get(reverse("self_assessment:done", args=[assessment.pk]))
        assert response["Location"] == reverse("self_assessment:start", args=[assessment.pk])


class TestClose:
    def test_after_the_close_the_form_is_gone_and_the_draft_kept(
        self, leader_client, leader, assessment, outline
    ):
        theme = outline.themes[0]
        statement = outline.statements_of(theme)[0]
        draft_save(assessment=assessment, answers={statement.pk: 2}, comments={})
        closes_at = assessment.programme.closes_at
        with time_machine.travel(closes_at + timedelta(minutes=1), tick=False):
            leader_client.force_login(leader)  # a session from four weeks ago has expired
            page = leader_client.get(page_url(assessment, theme))
            assert page.status_code == 410
            assert "The self-assessment closed on" in page.content.decode()
            posted = leader_client.post(
                page_url(assessment, theme), {"action": "next", f"s-{statement.pk}": "5"}
            )
            assert posted.status_code == 410
            submitted = leader_client.post(review_url(assessment))
            assert submitted.status_code == 410
        assert saved_answers(assessment) == {str(statement.pk): 2}
        assert not Response.objects.exists()

    def test_before_the_programme_opens(self, client, framework, leader, outline):
        with time_machine.travel("2030-01-01 09:00 +00:00", tick=False):
            programme = factories.ProgrammeFactory(framework=framework)
        assessment = factories.AssessmentFactory(programme=programme, leader=leader)
        with time_machine.travel("2029-12-01 09:00 +00:00", tick=False):
            client.force_login(leader)
            response = client.get(page_url(assessment, outline.themes[0]))
        assert response.status_code == 403
        assert "not open yet" in response.content.decode()
