"""Reversed URLs remembered per process, for the template ``{% url %}`` tag and hot views.

Reversing a URL name walks the resolver's patterns and rebuilds the path every time; the
site's layout reverses seven on every page and the rater's form three more (a tenth of a
rater page's CPU, issue 15 item 9). The answer depends only on the name, its arguments, the
current namespace, the URLconf and the script prefix, so it is remembered under all five,
for arguments that are plain strings and integers (anything else, a model instance whose
``str()`` may change, is reversed afresh each time). Nothing else changes: a name that does
not reverse raises ``NoReverseMatch`` as before, and is not remembered.

``config.url_cache`` is listed in ``TEMPLATES["OPTIONS"]["builtins"]``, so its ``url`` tag
replaces Django's in every template without a ``{% load %}``; it is Django's own ``URLNode``
with only the call to ``reverse`` changed.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

_PLAIN = (str, int)


@lru_cache(maxsize=2048)
def _reversed(viewname, args, kwargs, current_app, urlconf, prefix) -> str:
    # ``prefix`` is in the key only: reverse() reads the same one, as the caller's.
    return reverse(
        viewname, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


def _plain(values) -> bool:
    return all(type(value) in _PLAIN for value in values)


def reverse_cached(viewname: str, args=(), kwargs=None, current_app=None) -> str:
    """As ``django.urls.reverse(viewname, args=args, kwargs=kwargs, current_app=...)``."""
    kwargs = kwargs or {}
    if not (isinstance(viewname, str) and _plain(args) and _plain(kwargs.values())):
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return _reversed(
        viewname,
        tuple(args),
        tuple(sorted(kwargs.items())),
        current_app,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )


def _forget(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reversed.cache_clear()


setting_changed.connect(_forget)


register = template.Library()


class CachedURLNode(URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = reverse_cached(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    """Django's ``{% url %}`` (same syntax, same result), reversing through the cache."""
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
