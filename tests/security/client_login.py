"""The authentication backend the test settings use in place of django-axes' own.

Django's test ``Client.login()`` calls ``authenticate()`` without a request, which
``AxesStandaloneBackend`` refuses. This subclass lets that one call through and is otherwise
django-axes unchanged: every sign-in through a page (which always has a request) is checked
for lockout exactly as in production (tests/security/test_login_lockout.py).
"""

from axes.backends import AxesStandaloneBackend


class AxesBackendForTestClient(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
