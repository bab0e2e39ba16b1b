from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Framework
from .selectors import framework_current, framework_with_contents


def framework_detail(request, slug=None, version=None):
    """The public framework page: themes → qualities → statements, and the rating scale."""
    if slug is None:
        framework = framework_current()
        if framework is None:
            raise Http404("No framework has been loaded yet.")
    else:
        framework = get_object_or_404(Framework, slug=slug, version=version)
    framework = framework_with_contents(framework=framework)
    themes = list(framework.themes.all())
    counts = {
        "themes": len(themes),
        "qualities": sum(len(t.qualities.all()) for t in themes),
        "statements": sum(len(q.statements.all()) for t in themes for q in t.qualities.all()),
    }
    return render(
        request,
        "framework/detail.html",
        {"framework": framework, "themes": themes, "counts": counts},
    )
