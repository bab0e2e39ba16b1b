"""A small closed-loop HTTP load generator: threads, http.client, per-request timing.

Each thread plays one client: it sends a request, waits for the whole response, records
the time and sends the next, until the deadline or the request budget is reached. Cookies
are kept per client. gunicorn's sync workers close the connection after each response;
http.client then reconnects on the next request, as a browser behind a proxy would.
"""

import http.client
import itertools
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .figures import percentile

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class HttpClient:
    """One client: a connection to the server and its cookies."""

    def __init__(self, host: str, port: int, timeout: float = 15.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        """(status, headers, body). Follows no redirects."""
        headers = {"Host": f"{self.host}:{self.port}"}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # start afresh on the next request
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheaders(), data

    def csrf_token(self, body: bytes) -> str:
        match = CSRF_INPUT.search(body)
        if not match:
            raise RuntimeError("No CSRF token in the page.")
        return match.group(1).decode()

    def close(self):
        self.connection.close()


@dataclass
class LoadResult:
    name: str
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    cpu: dict = field(default_factory=dict)  # filled in by the caller

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        ms = [x * 1000 for x in self.latencies]
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 3),
            "requests": self.requests,
            "requests_per_s": round(self.rate, 1),
            "p50_ms": _round(percentile(ms, 0.50)),
            "p95_ms": _round(percentile(ms, 0.95)),
            "max_ms": _round(max(ms) if ms else None),
            "errors": self.errors,
            "error_samples": self.error_samples[:5],
        }


def _round(value):
    return None if value is None else round(value, 2)


def load_run(
    name: str,
    steps: list[Callable[[], str | None]],
    *,
    duration: float,
    warmup: float,
    max_requests: int,
) -> LoadResult:
    """Run each step function in a thread of its own, in a loop, for ``warmup + duration``
    seconds (or until ``max_requests`` measured requests). A step sends one request and
    returns None when the answer was the expected one, else a short description of it.

    Only requests started after the warm-up are counted; throughput is the requests
    started in the measured window divided by its length.
    """
    started = time.monotonic()
    measure_from = started + warmup
    deadline = measure_from + duration
    budget = itertools.count()
    lock = threading.Lock()
    result = LoadResult(name=name, clients=len(steps), seconds=0.0)
    window_end = [measure_from]

    def worker(step):
        latencies, errors, samples = [], 0, []
        while True:
            begin = time.monotonic()
            if begin >= deadline or (begin >= measure_from and next(budget) >= max_requests):
                break
            try:
                problem = step()
            except Exception as error:  # a refused connection, a timeout: an error, not a crash
                problem = f"{type(error).__name__}: {error}"[:200]
            end = time.monotonic()
            if begin < measure_from:
                continue
            latencies.append(end - begin)
            if problem:
                errors += 1
                samples.append(problem)
        with lock:
            result.latencies.extend(latencies)
            result.requests += len(latencies)
            result.errors += errors
            result.error_samples.extend(samples[:3])
            window_end[0] = max(window_end[0], min(time.monotonic(), deadline))

    threads = [threading.Thread(target=worker, args=(step,), daemon=True) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + duration + 60)
    result.seconds = max(1e-9, window_end[0] - measure_from)
    return result
