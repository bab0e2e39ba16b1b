"""What may stand as a person's name where others read it: the greeting line of an email.

A leader types their raters' names, and each name opens an email sent from our address
("Dear …,"). Anything but a name there (a link, a message, markup) would let a leader
write to colleagues in our voice. A name is letters (any alphabet), with spaces, hyphens,
apostrophes and the full stops of initials; nothing that reads as a web address.
"""

import re
import unicodedata

NAME_MAX_LENGTH = 100
NAME_PROBLEM = (
    "Enter the rater's name using letters, spaces, hyphens and apostrophes only, like "
    "Sam O'Neill-Jones"
)
GREETING_FALLBACK = "colleague"

_PUNCTUATION = set(" -'’.")
# "example.com", "nhs.uk": a full stop between two letters followed by a second letter.
_LOOKS_LIKE_ADDRESS = re.compile(r"\w\.\w{2}", re.UNICODE)


def _allowed(character: str) -> bool:
    return (
        character.isalpha()
        or character in _PUNCTUATION
        or unicodedata.category(character).startswith("M")
    )  # combining accents, as some keyboards type them


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be used as a name in a greeting; None when it can."""
    if any(not c.isprintable() for c in value.strip()):
        return NAME_PROBLEM  # a line break would start a line of the leader's choosing
    name = " ".join(value.split())
    if not name:
        return "Enter the rater's full name."
    if len(name) > NAME_MAX_LENGTH:
        return f"Enter a name of {NAME_MAX_LENGTH} characters or fewer."
    if not all(_allowed(c) for c in name) or not any(c.isalpha() for c in name):
        return NAME_PROBLEM
    if _LOOKS_LIKE_ADDRESS.search(name):
        return NAME_PROBLEM
    return None


def greeting_name(value: str) -> str:
    """The name to greet someone by: theirs when it is a name, else "colleague". For rows
    saved before names were checked, and anything that slips past a form."""
    value = value or ""
    return " ".join(value.split()) if name_problem(value) is None else GREETING_FALLBACK
