"""Web pages under load: gunicorn (2 sync workers, as in production) on loopback, PostgreSQL,
and the closed-loop client of ``bench.loadgen``, compared with the minimal baseline view
served by the same server in the same run.

Scenarios: the baseline view (measured first and last, averaged), an empty page in the
site's layout, the rater form page (GET, a session started by POSTing the emailed link),
saving a page of the draft (POST with the page's CSRF token and answers) and the leader's
dashboard (GET, signed in through a session made server-side).
"""

import os
import random
import re
import time
import urllib.error
import urllib.request
from importlib import import_module

from .figures import RUNS, Figure, median, repeated
from .loadgen import HttpClient, LoadResult, load_run
from .processes import Children, CpuWindow, free_port, tree_cpu_seconds

HOST = "127.0.0.1"
WORKERS = 2
CLIENTS = 4
MINIMUM = 0.15  # the rater page against the minimal view (issue 15, item 9)
FIELD = re.compile(rb'name="(s-\d+)"')


def _expect(status: int, wanted: int) -> str | None:
    return None if status == wanted else f"HTTP {status}"


def leader_session(user) -> tuple[str, str]:
    """(cookie name, session key) of a session signed in as ``user``, as a login makes it.

    Made directly in the session store, with the backend that loads users (ModelBackend),
    so no sign-in signal fires: nothing here is a real sign-in to be logged or limited.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.backends import ModelBackend
    from django.utils.module_loading import import_string

    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if issubclass(import_string(path), ModelBackend)
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return settings.SESSION_COOKIE_NAME, store.session_key


class RaterClient:
    """A rater who opened their link, pressed Start and is on one page of the form."""

    def __init__(self, port: int, token: str, theme_slug: str, rng: random.Random):
        self.http = HttpClient(HOST, port)
        self.rng = rng
        self.page = f"/feedback/form/{theme_slug}/"
        status, _, body = self.http.request("GET", f"/feedback/{token}/")
        if status != 200:
            raise RuntimeError(f"The rater link answered {status}.")
        form = {"csrfmiddlewaretoken": self.http.csrf_token(body), "action": "start"}
        status, _, _ = self.http.request("POST", f"/feedback/{token}/", form)
        if status != 302:
            raise RuntimeError(f"Starting the rater form answered {status}.")
        status, _, body = self.http.request("GET", self.page)
        if status != 200:
            raise RuntimeError(f"The rater form page answered {status}.")
        self.csrf = self.http.csrf_token(body)
        self.fields = sorted({m.decode() for m in FIELD.findall(body)})

    def get_page(self):
        status, _, _ = self.http.request("GET", self.page)
        return _expect(status, 200)

    def save_page(self):
        values = ["1", "2", "3", "4", "5", "not-observed"]
        form = {name: self.rng.choice(values) for name in self.fields}
        form.update(csrfmiddlewaretoken=self.csrf, comment="Saved by the benchmark.", action="save")
        status, _, _ = self.http.request("POST", self.page, form)
        return _expect(status, 302)


def _get(port: int, path: str, cookies: dict | None = None):
    client = HttpClient(HOST, port)
    client.cookies.update(cookies or {})

    def step():
        status, _, _ = client.request("GET", path)
        return _expect(status, 200)

    return step


def gunicorn_start(children: Children, port: int):
    server = children.start(
        "gunicorn",
        [
            "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"{HOST}:{port}",
            "--workers", str(WORKERS),
            "--worker-class", "sync",
            "--timeout", "60",
            "--log-level", "warning",
        ],
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/bench/baseline/", timeout=2) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        if not server.alive():
            break
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start:\n{server.log_tail()}")


def web_measure(
    *,
    children: Children,
    cohort,
    duration: float,
    warmup: float,
    max_requests: int,
    runs: int = RUNS,
):
    """Figures for the web pages; ``cohort`` is an open programme with invited raters.
    ``duration`` and ``warmup`` are per run of a scenario; each scenario runs ``runs`` times."""
    from accounts.models import User

    port = free_port()
    server = gunicorn_start(children, port)
    rng = random.Random(7)  # noqa: S311 (answers to fill a form)
    links = cohort.links
    if len(links) < 2 * CLIENTS:
        raise RuntimeError("The open cohort has too few invited raters for the load test.")
    theme_slug = _largest_theme_slug()
    picked = rng.sample(links, 2 * CLIENTS)
    readers = [RaterClient(port, link.token, theme_slug, rng) for link in picked[:CLIENTS]]
    writers = [RaterClient(port, link.token, theme_slug, rng) for link in picked[CLIENTS:]]
    leaders = User.objects.filter(pk__in=rng.sample(cohort.leader_ids, CLIENTS))
    assessment_of = dict(zip(cohort.leader_ids, cohort.assessment_ids, strict=True))
    dashboards = []
    for user in leaders:
        name, key = leader_session(user)
        dashboards.append(_get(port, f"/my/{assessment_of[user.pk]}/", {name: key}))

    def run(name, steps):
        window, served = CpuWindow(os.getpid()), tree_cpu_seconds(server.pid)
        result = load_run(name, steps, duration=duration, warmup=warmup, max_requests=max_requests)
        shares = window.shares(server.pid, served)
        shares["server_cpu_share_of_2_cores"] = shares.pop("watched_cpu_share_of_2_cores")
        result.cpu = shares
        return result

    # Every scenario once per round, the baseline first, ``runs`` rounds: each scenario's
    # runs are interleaved with the baseline's, so drift in the machine's load hits both.
    scenarios = {
        "baseline": lambda: [_get(port, "/bench/baseline/") for _ in range(CLIENTS)],
        "layout": lambda: [_get(port, "/bench/layout/") for _ in range(CLIENTS)],
        "rater_form_get": lambda: [c.get_page for c in readers],
        "draft_save_post": lambda: [c.save_page for c in writers],
        "leader_dashboard_get": lambda: dashboards,
    }
    rounds = {name: [] for name in scenarios}
    for _ in range(runs):
        for name, steps in scenarios.items():
            rounds[name].append(run(name, steps()))
    results = {name: _merged(name, found) for name, found in rounds.items()}
    server.stop()
    return _figures(results, theme_slug=theme_slug, server_log=server.log_tail(2000))


def _merged(name: str, runs: list[LoadResult]) -> LoadResult:
    """One scenario's runs as one result (requests, errors and latencies pooled), with the
    rate of each run kept for the min and median."""
    merged = LoadResult(name=name, clients=runs[0].clients, seconds=sum(r.seconds for r in runs))
    for r in runs:
        merged.requests += r.requests
        merged.errors += r.errors
        merged.latencies.extend(r.latencies)
        merged.error_samples.extend(r.error_samples)
    merged.cpu = {
        key: round(median([r.cpu[key] for r in runs if key in r.cpu]), 3)
        for key in runs[0].cpu
        if isinstance(runs[0].cpu[key], int | float)
    }
    merged.run_rates = [r.rate for r in runs]
    return merged


def _largest_theme_slug() -> str:
    from django.db.models import Count

    from framework.models import Framework

    framework = Framework.objects.order_by("-pk").first()
    theme = (
        framework.themes.annotate(size=Count("qualities__statements")).order_by("-size", "order")
    ).first()
    return theme.slug


def _figures(results, *, theme_slug: str, server_log: str) -> list[Figure]:
    base = results["baseline"]
    baseline_rate = median(base.run_rates)
    summaries = {name: {**r.summary(), **r.cpu} for name, r in results.items()}
    common = {"theme_page": theme_slug, "gunicorn_workers": WORKERS, "clients": CLIENTS}
    figures = [
        Figure(
            key="web.baseline",
            label="Web: minimal Django view (baseline)",
            measured=round(baseline_rate, 1),
            unit="req/s",
            target="reference",
            details={
                **common,
                "first": summaries["baseline"],
                "run_rates": [round(x, 1) for x in base.run_rates],
            },
        )
    ]
    specs = (
        ("layout", "Web: empty page in base.html", None, "reference"),
        ("rater_form_get", "Web: rater form page GET", MINIMUM, f">= {MINIMUM:g} x baseline"),
        ("draft_save_post", "Web: draft save POST", None, "0 errors"),
        ("leader_dashboard_get", "Web: leader dashboard GET", None, "0 errors"),
    )
    for name, label, minimum, target in specs:
        key = f"web.{name}"
        result = results[name]
        repeats = repeated(result.run_rates, base.run_rates, higher_is_better=True)
        share = repeats["ratio_median"]
        passed = None
        if target != "reference":
            passed = result.errors == 0 and result.requests > 0
            if minimum is not None:
                passed = passed and share is not None and share >= minimum
        details = {**common, **summaries[name], "repeated": repeats}
        if result.errors:
            details["server_log_tail"] = server_log
        figures.append(
            Figure(
                key=key,
                label=label,
                measured=round(median(result.run_rates), 1),
                unit="req/s",
                baseline=round(baseline_rate, 1),
                baseline_label="minimal view",
                ratio=share,
                target=target,
                passed=passed,
                details=details,
            )
        )
    return figures
