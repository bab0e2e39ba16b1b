"""{% url %} and view code reversing through the per-process cache (config/url_cache.py):
the same URLs as Django's reverse, recomputed when anything they depend on changes."""

import pytest
from django.template import Context, Template, TemplateSyntaxError, engines
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from config.url_cache import CachedURLNode, reverse_cached
from framework.models import Theme


def _render(source: str, context: dict | None = None, request=None) -> str:
    return engines["django"].from_string(source).render(context or {}, request)


def test_the_sites_url_tag_is_the_cached_one():
    template = engines["django"].from_string("{% url 'home' %}").template
    assert isinstance(template.nodelist[0], CachedURLNode)


@pytest.mark.parametrize(
    ("source", "name", "args"),
    [
        ("{% url 'home' %}", "home", []),
        ("{% url 'rater:review' %}", "rater:review", []),
        ("{% url 'rater:page' slug %}", "rater:page", ["working-together"]),
        ("{% url 'rater:page_part' slug 2 %}", "rater:page_part", ["working-together", 2]),
        ("{% url 'rater:page_part' theme_slug=slug part=3 %}", "rater:page_part", None),
    ],
)
def test_the_tag_gives_what_django_reverse_gives(source, name, args):
    context = {"slug": "working-together"}
    expected = (
        reverse(name, args=args)
        if args is not None
        else reverse(name, kwargs={"theme_slug": "working-together", "part": 3})
    )
    for _ in range(2):  # computed, then remembered
        assert _render(source, context) == expected


def test_as_var_and_a_name_that_does_not_reverse_behave_as_djangos():
    assert _render("{% url 'no-such-name' as found %}[{{ found }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        _render("{% url 'no-such-name' %}")
    with pytest.raises(NoReverseMatch):  # not remembered as a success either
        _render("{% url 'no-such-name' %}")
    with pytest.raises(TemplateSyntaxError):
        _render("{% url %}")


def test_the_script_prefix_is_part_of_the_answer():
    first = reverse_cached("rater:review")
    set_script_prefix("/lpc/")
    try:
        assert reverse_cached("rater:review") == "/lpc" + first == reverse("rater:review")
    finally:
        set_script_prefix("/")
    assert reverse_cached("rater:review") == first


def test_another_urlconf_gives_its_own_urls():
    assert reverse_cached("home") == "/"
    with override_settings(ROOT_URLCONF="bench.urls"):
        assert reverse_cached("bench_baseline") == "/bench/baseline/"
    with pytest.raises(NoReverseMatch):
        reverse_cached("bench_baseline")


def test_the_current_namespace_reaches_reverse():
    request = RequestFactory().get("/")
    request.current_app = "rater"
    assert _render("{% url 'rater:review' %}", request=request) == reverse("rater:review")


def test_arguments_other_than_strings_and_integers_are_not_remembered():
    theme = Theme(name="First")  # reversed through str(theme), which can change
    assert reverse_cached("rater:page", args=[theme]) == "/feedback/form/First/"
    theme.name = "Second"
    assert reverse_cached("rater:page", args=[theme]) == "/feedback/form/Second/"


def test_djangos_template_engine_without_the_builtin_still_works():
    assert Template("{% url 'home' %}").render(Context()) == "/"
