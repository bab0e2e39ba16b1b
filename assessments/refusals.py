"""What a rater's link says when it no longer (or not yet) opens the form."""

from .services.responses import AnswersRefused

# heading, message; {on} is the day it happened, {leader} the leader's name.
REFUSAL_PAGES = {
    AnswersRefused.SUBMITTED: (
        "You have already submitted your feedback on {on}",
        "Thank you. Your feedback for {leader} cannot be changed now.",
    ),
    AnswersRefused.DECLINED: (
        "You declined to give feedback on {on}",
        "You do not need to do anything else.",
    ),
    AnswersRefused.REVOKED: (
        "This link has been withdrawn",
        "The programme team no longer needs your feedback through this link.",
    ),
    AnswersRefused.CLOSED: (
        "This feedback closed on {on}",
        "Feedback can no longer be given or changed.",
    ),
    AnswersRefused.NOT_YET_OPEN: (
        "This feedback opens on {on}",
        "Come back to this link then.",
    ),
}


def refusal_wording(reason: str, *, on: str, leader: str) -> tuple[str, str] | None:
    """(heading, message) for the page, or None when the link should look unknown."""
    if reason not in REFUSAL_PAGES:
        return None
    heading, message = REFUSAL_PAGES[reason]
    return heading.format(on=on), message.format(leader=leader)
