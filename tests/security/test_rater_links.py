"""Attacks on the emailed rater links: guessing, telling a wrong link from a malformed one,
scanners that fetch links, and the token leaking into logs, the database or later pages.

(tests/assessments/rating/test_rater_views.py covers the links' everyday behaviour.)
"""

import logging
import random
import re
import secrets
import string
from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from assessments import tokens
from assessments.models import (
    Draft,
    Envelope,
    Invitation,
    RaterGroup,
    Rating,
    Response,
    ThemeComment,
)
from assessments.services.invitations import invitation_revoke
from assessments.services.nominations import invitation_nominate, invitations_send
from assessments.services.rating_form import rating_outline
from assessments.services.responses import draft_save
from assessments.services.sealing import envelopes_seal
from tests.assessments.rating.builders import all_statements, full_answers, invite, page_post

RATERS = [
    ("Morgan Manager", "morgan.manager@example.nhs.uk", RaterGroup.LINE_MANAGER),
    ("Priya Peer", "priya.peer@example.nhs.uk", RaterGroup.PEER),
    ("Sam Peer", "sam.peer@example.nhs.uk", RaterGroup.PEER),
    ("Kai Peer", "kai.peer@example.nhs.uk", RaterGroup.PEER),
    ("Dee Report", "dee.report@example.nhs.uk", RaterGroup.DIRECT_REPORT),
]
LINK_IN_EMAIL = re.compile(r"/feedback/([A-Za-z0-9_-]{43})/")


def link(token: str) -> str:
    return f"/feedback/{quote(token, safe='')}/"


@pytest.fixture
def emailed_links(assessment, settings, django_capture_on_commit_callbacks):
    """The leader nominates five raters and sends the invitations: email → token."""
    settings.SITE_URL = "https://lpc360.example.nhs.uk"
    for name, email, group in RATERS:
        invitation_nominate(
            assessment=assessment, name=name, email=email, rater_group=group, by=assessment.leader
        )
    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(assessment=assessment, by=assessment.leader)
    links = {message.to[0]: LINK_IN_EMAIL.search(message.body)[1] for message in mail.outbox}
    assert len(links) == len(RATERS)
    return links


def junk(rng: random.Random) -> str:
    """Anything at all where a token goes: any length, punctuation, spaces, non-ASCII."""
    alphabet = string.printable + "éüßøł漢字🙂\u200b\u202e"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))


def test_two_thousand_guessed_links_open_nothing(client, emailed_links, settings):
    # 2,000 guesses, not 10,000 (the same assertion: 256-bit tokens make any count of random
    # guesses a formality; every near miss of a real link is still tried): ~5x faster.
    # The limiter would answer 429 after 20 misses; lift it to measure the lookup itself.
    settings.RATER_LINK_MISS_LIMIT = 10**6
    real = set(emailed_links.values())
    rng = random.Random(360)
    one_real = sorted(real)[0]
    near_misses = [one_real[:i] + ("A" if one_real[i] != "A" else "B") + one_real[i + 1 :]
                   for i in range(43)]  # fmt: skip
    guesses = (
        [secrets.token_urlsafe(32) for _ in range(1000)]
        + [junk(rng) for _ in range(1000 - len(near_misses))]
        + near_misses
    )
    assert len(guesses) == 2_000 and not real & set(guesses)
    not_found = client.get(link("A" * 43))
    assert not_found.status_code == 404

    hits = []
    for guess in guesses:
        response = client.get(link(guess))
        if response.status_code != 404 or response.content != not_found.content:
            hits.append((guess, response.status_code))
    assert hits == []
    assert not Invitation.objects.exclude(state=Invitation.State.INVITED).exists()
    assert Session.objects.count() == 0
    # …while every real link still opens.
    for token in real:
        assert client.get(link(token)).status_code == 200


HEADERS_COMPARED = [
    "Content-Type",
    "Content-Length",
    "Cache-Control",
    "Referrer-Policy",
    "Content-Security-Policy",
    "X-Frame-Options",
    "Vary",
    "Retry-After",
    "Set-Cookie",
]


def _seen(response) -> tuple:
    headers = {name: response.headers.get(name) for name in HEADERS_COMPARED}
    return response.status_code, response.content, headers, sorted(response.cookies)


@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_an_unknown_link_and_a_malformed_one_get_the_very_same_answer(method, emailed_links):
    real = next(iter(emailed_links.values()))
    unknown = secrets.token_urlsafe(32)
    answers = {}
    for label, token in [
        ("unknown", unknown),
        ("a real one with a letter changed", real[:-1] + ("x" if real[-1] != "x" else "y")),
        ("too short", real[:42]),
        ("too long", real + "A"),
        ("not base64", "!" * 43),
        ("empty-ish", "-"),
        ("percent-encoded junk", "%00%ff"),
    ]:
        answers[label] = _seen(getattr(Client(), method)(link(token)))
    reference = answers.pop("unknown")
    assert reference[0] == 404
    assert {label: seen == reference for label, seen in answers.items()} == dict.fromkeys(
        answers, True
    )


def test_a_withdrawn_link_says_so_without_confirming_anything_else(emailed_links, assessment):
    email, token = next(iter(emailed_links.items()))
    invitation = assessment.invitations.get(email=email)
    invitation_revoke(invitation=invitation, by=assessment.leader)
    response = Client().get(link(token))
    assert response.status_code == 410
    html = response.content.decode()
    assert invitation.name not in html and email not in html and token not in html


@pytest.mark.parametrize("limit", [1, 7])
def test_guessing_is_stopped_at_the_configured_limit_and_released_after_the_window(
    limit, emailed_links, settings
):
    settings.RATER_LINK_MISS_LIMIT = limit
    settings.RATER_LINK_MISS_WINDOW_SECONDS = 600
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        misses = [secrets.token_urlsafe(32) if n % 2 else f"junk{n}" for n in range(limit)]
        assert [guesser.get(link(t)).status_code for t in misses] == [404] * limit
        limited = guesser.get(link(secrets.token_urlsafe(32)))
        assert limited.status_code == 429
        assert limited["Retry-After"] == "600"
        assert 'class="nhsuk-header' in limited.content.decode()
        clock.shift(timedelta(seconds=601))
        assert guesser.get(link(secrets.token_urlsafe(32))).status_code == 404


def test_twenty_wrong_links_from_one_address_never_stop_a_real_link_from_it_or_elsewhere(
    emailed_links,
):
    """A trust behind one address: a colleague's typos must not cost anyone their link."""
    first, second = list(emailed_links.values())[:2]
    same_address = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(20):
        assert same_address.get(link(secrets.token_urlsafe(32))).status_code == 404
    assert same_address.get(link(secrets.token_urlsafe(32))).status_code == 429
    assert same_address.get(link(first)).status_code == 200
    started = same_address.post(link(first), {"action": "start"})
    assert started.status_code == 302
    assert Client(REMOTE_ADDR="198.51.100.4").get(link(second)).status_code == 200


def _state(invitation) -> tuple:
    return (
        Invitation.objects.filter(pk=invitation.pk).values().get(),
        list(Draft.objects.order_by("pk").values()),
        Response.objects.count(),
        Rating.objects.count(),
        ThemeComment.objects.count(),
        Session.objects.count(),
    )


@pytest.mark.parametrize("state", [Invitation.State.INVITED, Invitation.State.STARTED])
def test_fetching_a_link_five_times_with_get_and_head_changes_nothing(state, assessment, framework):
    invitation, token = invite(assessment, state=state)
    if state == Invitation.State.STARTED:
        statement = all_statements(rating_outline(framework=framework))[0]
        draft_save(
            assessment=assessment, invitation=invitation, answers={statement.pk: 4}, comments={}
        )
    before = _state(invitation)
    scanner = Client()
    for _ in range(5):
        assert scanner.get(link(token)).status_code == 200
        head = scanner.head(link(token))
        assert head.status_code == 200 and head.content == b""
    assert _state(invitation) == before
    assert scanner.cookies.get("sessionid") is None


def _all_text_in_the_database() -> str:
    """Every value of every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value).decode("latin-1")
                    chunks.append(str(value))
    return "\n".join(chunks)


class Journey:
    """A browser that records every response after its first POST to the link."""

    def __init__(self, token):
        self.token = token
        self.client = Client()
        self.after_start = []

    def get(self, url):
        response = self.client.get(url)
        self.after_start.append((url, response))
        return response

    def post(self, url, data):
        response = self.client.post(url, data)
        self.after_start.append((url, response))
        return response


def _rate_everything(journey, outline):
    answers = full_answers(outline)
    url = journey.get("/feedback/form/")["Location"]
    for theme, _part, _quality in outline.pages:  # one page per quality
        journey.get(url)
        url = journey.post(url, page_post(outline, theme, answers=answers, comment="Kind."))
        url = url["Location"]
    assert url == "/feedback/form/review/"
    journey.get(url)
    done = journey.post(url, {})
    assert done["Location"] == "/feedback/done/"
    journey.get("/feedback/done/")


def test_the_token_is_in_no_log_no_table_and_no_page_after_start(
    emailed_links, assessment, framework, caplog
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # every SQL statement and its parameters logged
    outline = rating_outline(framework=framework)
    tokens_by_email = dict(emailed_links)
    try:
        # A rater opens the link, starts, rates every theme, submits.
        submitter = Journey(tokens_by_email.pop("priya.peer@example.nhs.uk"))
        assert submitter.client.get(link(submitter.token)).status_code == 200
        submitter.post(link(submitter.token), {"action": "start"})
        _rate_everything(submitter, outline)
        # Another declines.
        decliner = Journey(tokens_by_email.pop("sam.peer@example.nhs.uk"))
        decliner.client.get(link(decliner.token))
        decliner.post(link(decliner.token), {"action": "decline"})
        decliner.get("/feedback/decline/")
        decliner.post("/feedback/decline/", {"reason": "I have only just met them."})
        decliner.get("/feedback/done/")
        # The paths Django itself logs: a withdrawn link (410), a form posted without its
        # CSRF token (403), a wrong link while rate-limited (429), and a real link opened
        # from that same address (200: the limit never refuses a real link).
        withdrawn = tokens_by_email.pop("kai.peer@example.nhs.uk")
        invitation_revoke(
            invitation=Invitation.objects.get(email="kai.peer@example.nhs.uk"),
            by=assessment.leader,
        )
        assert Client().get(link(withdrawn)).status_code == 410
        forged = tokens_by_email.pop("dee.report@example.nhs.uk")
        assert Client(enforce_csrf_checks=True).post(link(forged)).status_code == 403
        waiting = tokens_by_email.pop("morgan.manager@example.nhs.uk")
        guesser = Client(REMOTE_ADDR="198.51.100.4")
        for n in range(20):
            guesser.get(link(f"guess{n}"))
        assert guesser.get(link("guess-again")).status_code == 429
        assert guesser.get(link(waiting)).status_code == 200
    finally:
        connection.force_debug_cursor = False

    assert Envelope.objects.count() == 1  # sealed later, with at least k of its group
    envelopes_seal(programme_id=Envelope.objects.get().assessment.programme_id, final=True)
    assert Response.objects.count() == 1
    every_token = [submitter.token, decliner.token, withdrawn, forged, waiting]

    logged = caplog.text + "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "SELECT" in logged and "[redacted]" in logged  # the capture did see both
    assert [t for t in every_token if t in logged] == []

    database = _all_text_in_the_database()
    assert tokens.token_hash(waiting) in database  # the dump does read the invitations
    assert [t for t in every_token if t in database] == []

    for journey in (submitter, decliner):
        assert len(journey.after_start) >= 4
        for index, (url, response) in enumerate(journey.after_start):
            assert index == 0 or journey.token not in url  # only Start is posted to the link
            assert journey.token not in response.get("Location", ""), url
            assert journey.token.encode() not in response.content, url
            assert response["Referrer-Policy"] == "no-referrer", url


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "config.cache.RedisCache",  # as the site runs it
        # A port nothing listens on: every cache call fails at once.
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_with_the_cache_down_links_open_and_wrong_ones_still_get_404(
    emailed_links, settings, caplog
):
    settings.CACHES = UNREACHABLE_REDIS
    real = next(iter(emailed_links.values()))
    rater = Client(REMOTE_ADDR="203.0.113.9")
    with caplog.at_level(logging.WARNING, logger="config.throttle"):
        assert rater.get(link(secrets.token_urlsafe(32))).status_code == 404
        assert rater.get(link(real)).status_code == 200
        assert rater.post(link(real), {"action": "start"}).status_code == 302
    assert "the cache is unreachable" in caplog.text
