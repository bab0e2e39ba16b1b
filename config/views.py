from django.shortcuts import render

from framework.selectors import framework_current


def home(request):
    """Explains the product and sends each kind of visitor where they need to go."""
    return render(request, "home.html", {"framework": framework_current()})
