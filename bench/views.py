"""Baseline pages: what the server does for a request before any page of ours does work."""

from django.http import HttpResponse
from django.template import engines

_LAYOUT = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Baseline{% endblock %}'
    "{% block content %}<h1>Baseline</h1>{% endblock %}"
)


def baseline(request):
    """The minimal Django view: every middleware, no template, no query."""
    return HttpResponse(b"ok", content_type="text/plain")


def layout(request):
    """An empty page in the site's layout: what base.html costs on its own."""
    return HttpResponse(_LAYOUT.render({}, request))
