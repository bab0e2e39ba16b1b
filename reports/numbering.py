"""The one numbering of a framework, used by the leader's report (web page and PDF) and by
every cohort export: theme 2, its first quality 2.1, that quality's third statement 2.1.3.

A number always has one part per level, so "1.1" is a quality wherever it is printed and a
statement is always three parts. The theme's part is its order in the framework version;
the quality's and the statement's are their places within their theme and quality.
"""


def theme_number(theme) -> str:
    return str(theme.order)


def quality_number(theme, place: int) -> str:
    """``place``: the quality's place in its theme, from 1."""
    return f"{theme_number(theme)}.{place}"


def statement_number(quality_number_: str, place: int) -> str:
    """``place``: the statement's place in its quality, from 1."""
    return f"{quality_number_}.{place}"
