"""How every page and email names a rater group: one table, so they cannot drift apart.

``RaterGroup``'s labels (models.py) are the short names in tables and forms; this adds how
the nomination page counts a group, how an email and the link's landing page tell a rater
what they were asked as, and how the anonymity note names the rest of their group.
"""

from dataclasses import dataclass

from .models import RaterGroup


@dataclass(frozen=True)
class GroupWording:
    one: str  # "peer": one rater of the group, as the nomination page counts them
    many: str  # "peers"
    relationship: str  # "a peer": what the rater was asked as ("… feedback, as a peer")
    others: str  # "peers": the rest of their group ("the other peers who respond")


WORDING = {
    RaterGroup.LINE_MANAGER: GroupWording(
        one="line manager",
        many="line managers",
        relationship="their line manager",
        others="line managers",
    ),
    RaterGroup.PEER: GroupWording(one="peer", many="peers", relationship="a peer", others="peers"),
    RaterGroup.DIRECT_REPORT: GroupWording(
        one="direct report",
        many="direct reports",
        relationship="someone who reports to them",
        others="people who report to them",
    ),
    RaterGroup.OTHER: GroupWording(
        one="other rater",
        many="other raters",
        relationship="a partner, community member or person who uses services",
        others="partners, community members and people who use services",
    ),
}
# A group with no wording of its own (self: never a rater with a link).
FALLBACK = GroupWording(one="rater", many="raters", relationship="a colleague", others="raters")


def group_wording(group) -> GroupWording:
    try:
        return WORDING.get(RaterGroup(group), FALLBACK)
    except ValueError:
        return FALLBACK


def group_noun(group, count: int) -> str:
    """'peer' or 'peers', as the nomination page counts a group."""
    wording = group_wording(group)
    return wording.one if count == 1 else wording.many
