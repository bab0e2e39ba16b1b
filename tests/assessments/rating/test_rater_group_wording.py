"""A rater is told the same thing, in the same words, about the group they were asked as:
in the invitation email, the reminder and on the link's landing page."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from accounts.emails import email_render
from assessments.models import RaterGroup

from .builders import invite

EMAIL_AS = re.compile(r"feedback, as (.+?), for ")
PAGE_AS = re.compile(r"You were asked as (.+?)\. ")


def _landing(client, token) -> str:
    page = client.get(reverse("rater:link", args=[token])).content.decode()
    return html_lib.unescape(" ".join(page.split()))


@pytest.mark.parametrize("group", RaterGroup.nominable())
def test_the_email_and_the_landing_page_name_the_group_alike(client, assessment, group):
    invitation, token = invite(assessment, group=group)
    context = {"invitation_id": invitation.pk}
    invitation_email = email_render(kind="rater_invitation", context=context)
    reminder = email_render(kind="rater_reminder", context=context)
    said = {
        EMAIL_AS.search(" ".join(text.split())).group(1)
        for text in (invitation_email.text, reminder.text)
    }
    assert len(said) == 1
    (relationship,) = said
    page = _landing(client, token)
    assert PAGE_AS.search(page).group(1) == relationship


def test_every_rater_group_is_named_differently(client, assessment):
    names = set()
    for group in RaterGroup.nominable():
        _, token = invite(assessment, group=group)
        names.add(PAGE_AS.search(_landing(client, token)).group(1))
    assert len(names) == len(RaterGroup.nominable())
