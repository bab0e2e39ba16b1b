"""Invitations with working links, and what a browser posts to the form pages."""

import re

from django.utils import timezone

from assessments import tokens
from assessments.models import Invitation, RaterGroup
from tests import factories


def invite(assessment, *, group=RaterGroup.PEER, state=Invitation.State.INVITED, **fields):
    """An invitation with a working link; returns (invitation, token)."""
    nonce = tokens.token_new_nonce()
    token = tokens.token_from_nonce(nonce)
    invitation = factories.InvitationFactory(
        assessment=assessment,
        rater_group=group,
        state=state,
        token_nonce=nonce,
        token_hash=tokens.token_hash(token),
        invited_at=timezone.now(),
        **fields,
    )
    return invitation, token


def all_statements(outline):
    return [s for theme in outline.themes for s in outline.statements_of(theme)]


def full_answers(outline, *, not_observed=()) -> dict:
    """An answer for every statement: a scale value, or Not observed for those listed."""
    values = sorted(outline.scale_values)
    return {
        str(s.pk): "" if s.pk in not_observed else values[index % len(values)]
        for index, s in enumerate(all_statements(outline))
    }


def page_post(outline, theme, *, answers=None, action="next", comment="") -> dict:
    """The POST body a browser sends for one theme page (answers as saved in drafts)."""
    data = {"action": action, "comment": comment}
    for statement in outline.statements_of(theme):
        value = (answers or {}).get(str(statement.pk))
        if value is None:
            continue
        data[f"s-{statement.pk}"] = "not-observed" if value == "" else str(value)
    return data


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def error_summary_hrefs(html: str) -> list[str]:
    summary = html.split('class="nhsuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"', summary)
