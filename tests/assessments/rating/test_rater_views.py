"""The rater's link and form, /feedback/…"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Draft, Envelope, Invitation, RaterGroup, Rating, Response
from assessments.services.programmes import programme_close
from assessments.services.responses import draft_save, invitation_decline, response_submit
from assessments.services.sealing import envelopes_seal
from assessments.views.rater import SESSION_INVITATION

from .builders import all_statements, error_summary_hrefs, full_answers, ids_in, invite, page_post


def link(token):
    return reverse("rater:link", args=[token])


def page_url(theme, part=1):
    """A quality's page: ``part`` is its place in the theme."""
    if part == 1:
        return reverse("rater:page", args=[theme.slug])
    return reverse("rater:page_part", args=[theme.slug, part])


def started_client(token) -> Client:
    """A new browser that opened the link and pressed Start."""
    browser = Client()
    response = browser.post(link(token), {"action": "start"})
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("rater:form")
    return browser


def snapshot(invitation):
    invitation.refresh_from_db()
    return (
        invitation.state,
        invitation.started_at,
        invitation.submitted_on,
        Draft.objects.count(),
        Session.objects.count(),
    )


class TestLink:
    def test_landing_page_says_who_asks_why_and_how_anonymity_works(self, client, peer, assessment):
        _, token = peer
        response = client.get(link(token))
        assert response.status_code == 200
        html = response.content.decode()
        programme = assessment.programme
        assert "Alex Leader has asked for your feedback" in html
        assert programme.name in html
        assert "about 15 minutes" in html
        deadline = timezone.localtime(programme.closes_at)
        assert deadline.strftime("%B %Y") in html and "(UK time)" in html
        assert f"at least {programme.anonymity_threshold} of them respond" in html
        assert 'value="start"' in html and 'value="decline"' in html
        assert token not in html.replace(f'action="{link(token)}"', "")

    def test_line_managers_are_told_their_ratings_are_shown_as_theirs(self, client, assessment):
        _, token = invite(assessment, group=RaterGroup.LINE_MANAGER)
        html = client.get(link(token)).content.decode()
        assert "shown in their report as the line manager's ratings" in html

    def test_get_and_head_change_nothing(self, client, peer, assessment, outline):
        invitation, token = peer
        statement = all_statements(outline)[0]
        draft_save(
            assessment=assessment, invitation=invitation, answers={statement.pk: 3}, comments={}
        )
        invitation.refresh_from_db()
        before = snapshot(invitation)
        for _ in range(5):
            assert client.get(link(token)).status_code == 200
            assert client.head(link(token)).status_code == 200
        assert snapshot(invitation) == before
        assert SESSION_INVITATION not in client.session
        assert Draft.objects.get().answers == {str(statement.pk): 3}

    def test_scanned_link_leaves_an_invitation_unstarted(self, client, peer):
        invitation, token = peer
        for _ in range(5):
            client.get(link(token))
            client.head(link(token))
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.INVITED
        assert invitation.started_at is None
        assert Session.objects.count() == 0

    def test_unknown_and_malformed_tokens_look_the_same(self, client, peer):
        _, token = peer
        unknown = "A" * 43
        assert unknown != token
        answers = [client.get(link(t)) for t in (unknown, "short", "x" * 43 + "!", "%00")]
        assert {r.status_code for r in answers} == {404}
        assert len({r.content for r in answers}) == 1
        posted = client.post(link(unknown), {"action": "start"})
        assert posted.status_code == 404 and posted.content == answers[0].content

    def test_guessing_is_rate_limited_per_client(self, client, peer, settings):
        settings.RATER_LINK_MISS_LIMIT = 3
        _, token = peer
        for attempt in range(3):
            assert client.get(link(f"{attempt}" * 43)).status_code == 404
        limited = client.get(link("9" * 43))
        assert limited.status_code == 429
        assert "Too many attempts" in limited.content.decode()
        # A real link still opens: the limit slows guessing, it never turns a rater away.
        assert client.get(link(token)).status_code == 200
        other_client = Client(REMOTE_ADDR="10.0.0.9")
        assert other_client.get(link("9" * 43)).status_code == 404

    def test_the_default_limit_is_twenty_misses(self, client, db):
        statuses = [client.get(link(f"{n:043d}")).status_code for n in range(21)]
        assert statuses == [404] * 20 + [429]

    def test_token_pages_send_no_referrer_and_no_store(self, client, peer, outline):
        _, token = peer
        urls = [link(token), link("A" * 43), link("bad"), "/feedback/", "/feedback/a/b/c/"]
        for url in urls:
            response = client.get(url)
            assert response["Referrer-Policy"] == "no-referrer", url
            assert response["Cache-Control"] == "no-store", url
        browser = started_client(token)
        for url in [
            reverse("rater:form"),
            page_url(outline.themes[0]),
            reverse("rater:review"),
            reverse("rater:decline"),
            reverse("rater:done"),
            page_url(outline.themes[0]).replace("being", "nope"),
        ]:
            response = browser.get(url)
            assert response["Referrer-Policy"] == "no-referrer", url
            assert response["Cache-Control"] == "no-store", url

    def test_forms_work_although_browsers_send_origin_null(self, peer, outline):
        """Under no-referrer, browsers post these pages' forms with ``Origin: null``."""
        _, token = peer
        browser = Client(enforce_csrf_checks=True, HTTP_ORIGIN="null")
        browser.get(link(token))
        csrf = browser.cookies["csrftoken"].value
        refused = browser.post(link(token), {"action": "start"})
        assert refused.status_code == 403  # the CSRF token is still required
        assert refused["Referrer-Policy"] == "no-referrer"
        started = browser.post(link(token), {"action": "start", "csrfmiddlewaretoken": csrf})
        assert started.status_code == 302
        theme = outline.themes[0]
        saved = browser.post(
            page_url(theme),
            {"action": "next", "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
        )
        assert saved.status_code == 302
        forged = Client(enforce_csrf_checks=True, HTTP_ORIGIN="https://evil.example")
        forged.get(link(token))
        token_from_cookie = forged.cookies["csrftoken"].value
        assert (
            forged.post(
                link(token), {"action": "start", "csrfmiddlewaretoken": token_from_cookie}
            ).status_code
            == 403
        )

    def test_behind_a_trusted_proxy_the_client_address_comes_from_its_header(self, peer, settings):
        settings.RATER_LINK_MISS_LIMIT = 2
        settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
        guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.7")
        for _ in range(2):
            guesser.get(link("A" * 43))
        assert guesser.get(link("A" * 43)).status_code == 429
        # Another person behind the same proxy is not slowed down...
        colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
        assert colleague.get(link("A" * 43)).status_code == 404
        # ...and a client that is not the proxy cannot choose its address with the header.
        direct = Client(REMOTE_ADDR="203.0.113.99", HTTP_X_FORWARDED_FOR="198.51.100.20")
        for _ in range(2):
            direct.get(link("A" * 43))
        assert direct.get(link("A" * 43)).status_code == 429
        assert colleague.get(link("A" * 43)).status_code == 404

    def test_a_missing_trailing_slash_is_added(self, client, peer):
        _, token = peer
        response = client.get(link(token).rstrip("/"))
        assert response.status_code == 302
        assert response["Location"] == link(token)


class TestClosedLinks:
    def assert_gone(self, client, token, wording):
        for response in (client.get(link(token)), client.post(link(token), {"action": "start"})):
            assert response.status_code == 410
            assert wording in response.content.decode()
            assert response["Referrer-Policy"] == "no-referrer"

    def test_revoked(self, client, assessment):
        _, token = invite(assessment, state=Invitation.State.REVOKED, revoked_at=timezone.now())
        self.assert_gone(client, token, "This link has been withdrawn")

    def test_revoked_by_the_programme_team(self, client, peer, programme_admin):
        from assessments.services.invitations import invitation_revoke

        invitation, token = peer
        invitation_revoke(invitation=invitation, by=programme_admin)
        self.assert_gone(client, token, "This link has been withdrawn")

    def test_declined(self, client, peer):
        invitation, token = peer
        invitation_decline(invitation=invitation)
        today = timezone.localdate().strftime("%-d %B %Y")
        self.assert_gone(client, token, f"You declined to give feedback on {today}")

    def test_submitted(self, client, peer, assessment, outline):
        invitation, token = peer
        draft_save(
            assessment=assessment, invitation=invitation, answers=full_answers(outline), comments={}
        )
        response_submit(assessment=assessment, invitation=invitation)
        today = timezone.localdate().strftime("%-d %B %Y")
        self.assert_gone(client, token, f"You have already submitted your feedback on {today}")

    def test_closed_early_by_the_programme_team(self, client, peer, assessment):
        _, token = peer
        programme_close(programme=assessment.programme)
        today = timezone.localdate().strftime("%-d %B %Y")
        self.assert_gone(client, token, f"This feedback closed on {today}")

    def test_closed_when_the_window_ends(self, peer, assessment, outline):
        invitation, token = peer
        programme = assessment.programme
        programme.closes_at = timezone.now() + timedelta(hours=2)  # the session outlives it
        programme.save()
        browser = started_client(token)
        theme = outline.themes[0]
        answers = full_answers(outline)
        browser.post(page_url(theme), page_post(outline, theme, answers=answers))
        closes_at = assessment.programme.closes_at
        day = timezone.localtime(closes_at).strftime("%-d %B %Y")
        with time_machine.travel(closes_at, tick=False):
            self.assert_gone(Client(), token, f"This feedback closed on {day}")
            # The open session is refused too, and the draft stays as it was.
            for response in (
                browser.get(page_url(theme)),
                browser.post(page_url(theme), page_post(outline, theme, answers={})),
                browser.post(reverse("rater:review")),
            ):
                assert response.status_code == 410
                assert f"This feedback closed on {day}" in response.content.decode()
        assert len(Draft.objects.get(invitation=invitation).answers) == 9
        assert not Response.objects.exists()

    def test_revoking_ends_an_open_session(self, peer, outline):
        invitation, token = peer
        browser = started_client(token)
        Invitation.objects.filter(pk=invitation.pk).update(state=Invitation.State.REVOKED)
        response = browser.get(page_url(outline.themes[0]))
        assert response.status_code == 410
        assert "This link has been withdrawn" in response.content.decode()

    def test_a_reissued_link_ends_sessions_opened_with_the_old_one(self, peer, outline):
        invitation, token = peer
        browser = started_client(token)
        Invitation.objects.filter(pk=invitation.pk).update(token_hash="0" * 64)
        assert browser.get(page_url(outline.themes[0])).status_code == 403


class TestForm:
    def test_start_marks_started_and_opens_the_first_page(self, peer, outline):
        invitation, token = peer
        browser = started_client(token)
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.STARTED
        assert invitation.started_at is not None
        assert browser.session[SESSION_INVITATION] == invitation.pk
        response = browser.get(reverse("rater:form"))
        assert response["Location"] == page_url(outline.themes[0])
        html = browser.get(page_url(outline.themes[0])).content.decode()
        assert "Thinking about Alex Leader: how often do you see this?" in html
        assert "Your answers are saved when you change page" in html
        assert html.count('<fieldset class="nhsuk-fieldset"') == 3  # one quality's statements
        assert html.count(">Not observed</label>") == 3
        assert "Quality 1 of 13." in html

    def test_start_cycles_the_session_key(self, client, peer):
        _, token = peer
        client.get(link(token))
        session = client.session
        session["anything"] = 1
        session.save()
        old_key = session.session_key
        client.post(link(token), {"action": "start"})
        assert client.session.session_key != old_key

    def test_every_quality_page_renders(self, peer, outline):
        _, token = peer
        browser = started_client(token)
        total = 0
        for theme, part, _quality in outline.pages:
            html = browser.get(page_url(theme, part)).content.decode()
            total += html.count('<fieldset class="nhsuk-fieldset"')
        assert total == 39

    def test_draft_resumes_on_another_device(self, peer, outline):
        invitation, token = peer
        answers = full_answers(outline)
        laptop = started_client(token)
        for theme in outline.themes[:2]:
            laptop.post(
                page_url(theme),
                page_post(outline, theme, answers=answers, comment=f"On {theme.name}"),
            )
        phone = started_client(token)  # a new session, through the same link
        resumed = phone.get(reverse("rater:form"))
        assert resumed["Location"] == page_url(outline.themes[2])
        html = phone.get(page_url(outline.themes[1])).content.decode()
        statement = outline.statements_of(outline.themes[1])[0]
        value = answers[str(statement.pk)]
        assert re.search(rf'name="s-{statement.pk}" type="radio" value="{value}" checked', html)
        last = phone.get(page_url(outline.themes[1], 3)).content.decode()  # its comment box
        assert f"On {outline.themes[1].name}</textarea>" in last
        assert Draft.objects.filter(invitation=invitation).count() == 1

    def test_without_a_session_the_form_asks_for_the_link(self, client, outline):
        for url in (
            reverse("rater:form"),
            page_url(outline.themes[0]),
            reverse("rater:review"),
            reverse("rater:decline"),
            reverse("rater:done"),
        ):
            response = client.get(url)
            assert response.status_code == 403
            assert "Open the link in your email" in response.content.decode()

    def test_a_session_only_ever_reaches_its_own_invitation(self, assessment, outline):
        mine, my_token = invite(assessment, name="Me")
        theirs, _ = invite(assessment, name="Them")
        theme = outline.themes[0]
        draft_save(
            assessment=assessment,
            invitation=theirs,
            answers={outline.statements_of(theme)[0].pk: 1},
            comments={theme.pk: "Secret"},
        )
        browser = started_client(my_token)
        html = browser.get(page_url(theme)).content.decode()
        assert "Secret" not in html
        assert " checked" not in html
        browser.post(page_url(theme), page_post(outline, theme, answers=full_answers(outline)))
        assert Draft.objects.get(invitation=theirs).answers == {
            str(outline.statements_of(theme)[0].pk): 1
        }
        assert len(Draft.objects.get(invitation=mine).answers) == 9

    def test_unknown_theme_is_not_found(self, peer):
        _, token = peer
        browser = started_client(token)
        response = browser.get("/feedback/form/no-such-theme/")
        assert response.status_code == 404
        assert browser.post("/feedback/form/no-such-theme/", {"action": "next"}).status_code == 404

    @pytest.mark.parametrize("value", ["7", "abc", "-1", "not-observed-really"])
    def test_bad_values_are_errors_and_nothing_is_saved(self, peer, outline, value):
        invitation, token = peer
        browser = started_client(token)
        theme = outline.themes[1]
        statement = outline.statements_of(theme)[2]
        response = browser.post(page_url(theme), {"action": "next", f"s-{statement.pk}": value})
        assert response.status_code == 200
        html = response.content.decode()
        assert error_summary_hrefs(html) == [f"#s-{statement.pk}-1"]
        assert f"s-{statement.pk}-1" in ids_in(html)
        assert not Draft.objects.filter(invitation=invitation).exists()

    def test_a_huge_comment_is_an_error_and_kept(self, peer, outline):
        invitation, token = peer
        browser = started_client(token)
        theme = outline.themes[0]
        text = "Thoughtful. " * 900
        response = browser.post(page_url(theme), {"action": "next", "comment": text})
        assert response.status_code == 200
        assert text + "</textarea>" in response.content.decode()
        assert not Draft.objects.filter(invitation=invitation).exists()

    def test_forged_fields_are_ignored(self, peer, outline):
        invitation, token = peer
        browser = started_client(token)
        being, delivering = outline.themes[0], outline.themes[3]
        mine = outline.statements_of(being)[0]
        forged = outline.statements_of(delivering)[0]
        response = browser.post(
            page_url(being),
            {
                "action": "next",
                f"s-{mine.pk}": "not-observed",
                f"s-{forged.pk}": "5",
                "s-0": "1",
                "comment-999": "x",
                "assessment": "1",
                "invitation": "2",
            },
        )
        assert response.status_code == 302
        draft = Draft.objects.get(invitation=invitation)
        assert draft.answers == {str(mine.pk): ""}
        assert draft.comments == {}

    def test_submit_with_missing_answers_shows_links_to_them(self, peer, outline):
        _, token = peer
        browser = started_client(token)
        answers = full_answers(outline)
        for theme in outline.themes[:3]:
            browser.post(page_url(theme), page_post(outline, theme, answers=answers))
        response = browser.post(reverse("rater:review"))
        assert response.status_code == 200
        hrefs = error_summary_hrefs(response.content.decode())
        last = outline.themes[3]
        assert hrefs == [
            f"{page_url(*outline.part_of(s))}#s-{s.pk}-1" for s in outline.statements_of(last)
        ]
        for href in hrefs:  # each link lands on the statement, on its quality's page
            target = browser.get(href.split("#")[0]).content.decode()
            assert href.split("#")[1] in ids_in(target)
        assert not Response.objects.exists()

    def test_full_journey_ends_in_one_anonymous_response(self, peer, assessment, outline):
        invitation, token = peer
        browser = started_client(token)
        statements = all_statements(outline)
        answers = full_answers(outline, not_observed={statements[1].pk, statements[22].pk})
        for theme in outline.themes:
            response = browser.post(
                page_url(theme),
                page_post(outline, theme, answers=answers, comment="Kind and clear"),
            )
            assert response.status_code == 302
        review = browser.get(reverse("rater:review")).content.decode()
        assert "You have answered 39 of 39 statements" in review
        submitted = browser.post(reverse("rater:review"))
        assert submitted["Location"] == reverse("rater:done")
        assert Envelope.objects.count() == 1  # waits for k of its group to be sealed
        envelopes_seal(programme_id=assessment.programme_id, final=True)

        response = Response.objects.get()
        assert response.assessment == assessment
        assert response.rater_group == RaterGroup.PEER
        assert Rating.objects.filter(response=response).count() == 39
        assert set(
            Rating.objects.filter(response=response, value__isnull=True).values_list(
                "statement_id", flat=True
            )
        ) == {statements[1].pk, statements[22].pk}
        assert not any(f.related_model is Invitation for f in Response._meta.get_fields())
        assert not Draft.objects.exists()
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.SUBMITTED
        assert invitation.submitted_on == timezone.localdate()
        assert invitation.started_at is None

        done = browser.get(reverse("rater:done"))
        assert done.status_code == 200
        assert "Feedback submitted" in done.content.decode()
        # A double click, or a second tab: one response, and a clear answer.
        again = browser.post(reverse("rater:review"))
        assert again.status_code == 302 and again["Location"] == reverse("rater:done")
        assert browser.get(page_url(outline.themes[0])).status_code == 410
        assert Response.objects.count() == 1 and not Envelope.objects.exists()


class TestDecline:
    def test_decline_from_the_landing_page(self, client, peer, assessment, outline):
        invitation, token = peer
        draft_save(
            assessment=assessment,
            invitation=invitation,
            answers={all_statements(outline)[0].pk: 2},
            comments={},
        )
        response = client.post(link(token), {"action": "decline"})
        assert response["Location"] == reverse("rater:decline")
        form = client.get(reverse("rater:decline"))
        assert form.status_code == 200
        assert 'name="reason"' in form.content.decode()
        declined = client.post(reverse("rater:decline"), {"reason": "I have only just met them"})
        assert declined["Location"] == reverse("rater:done")
        assert "You have declined" in client.get(reverse("rater:done")).content.decode()
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.DECLINED
        assert invitation.decline_reason == "I have only just met them"
        assert invitation.declined_at is not None
        assert not Draft.objects.exists()
        assert client.get(link(token)).status_code == 410

    def test_an_oversized_reason_is_an_error_and_kept(self, client, peer):
        invitation, token = peer
        client.post(link(token), {"action": "decline"})
        text = "b" * 10_000
        response = client.post(reverse("rater:decline"), {"reason": text})
        assert response.status_code == 200
        html = response.content.decode()
        assert error_summary_hrefs(html) == ["#reason"]
        assert text + "</textarea>" in html
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.INVITED

    def test_declining_after_the_close_is_refused(self, client, peer, assessment):
        invitation, token = peer
        client.post(link(token), {"action": "decline"})
        programme_close(programme=assessment.programme)
        response = client.post(reverse("rater:decline"), {"reason": ""})
        assert response.status_code == 410
        invitation.refresh_from_db()
        assert invitation.state == Invitation.State.INVITED


def test_programme_not_yet_open(client, framework, leader):
    from tests import factories

    programme = factories.ProgrammeFactory(
        framework=framework, opens_at=timezone.now() + timedelta(days=3)
    )
    assessment = factories.AssessmentFactory(programme=programme, leader=leader)
    invitation, token = invite(assessment)
    response = client.get(link(token))
    assert response.status_code == 403
    assert "This feedback opens on" in response.content.decode()
    assert client.post(link(token), {"action": "start"}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.INVITED
