"""End to end: theme reports for a slice of the programme, rendered by one Celery worker with
two processes (``celery -A config worker -c 2``) over real Redis, into the database.

Timed from the request (``reports_generate`` for every assessment of the slice, enqueued
after one commit) to the last report marked ready. Parallel efficiency is the measured
rate over the ideal one, two processes each rendering one report per single-render time
(measured in the same run, in one process). Whatever the task adds to the render itself
(claiming the row, writing the file, the broker) therefore counts against efficiency.
"""

import os
import statistics
import time
import uuid
from collections import defaultdict
from pathlib import Path

from .figures import Figure
from .processes import Children, CpuWindow

TARGET = 0.8
MEMORY_TOLERANCE = 0.10
PROCESSES = 2
POLL_SECONDS = 0.25


def queue_purge(redis_url: str, queue: str) -> int:
    """Delete the benchmark queue's messages (its keys only) from Redis."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=3)
    keys = [queue.encode(), *client.scan_iter(match=f"{queue}\x06\x16*")]
    return client.delete(*keys) if keys else 0


def worker_start(children: Children, queue: str, rss_log: Path):
    worker = children.start(
        "celery_worker",
        [
            "-m", "celery", "-A", "config", "worker",
            "-Q", queue,
            "-c", str(PROCESSES),
            "--pool", "prefork",
            "-n", f"bench-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "INFO",
        ],
        BENCH_RSS_LOG=rss_log,
    )  # fmt: skip
    if not worker.wait_for_log(" ready.", timeout=60):
        raise RuntimeError(f"The Celery worker did not start:\n{worker.log_tail()}")
    return worker


def e2e_measure(
    *,
    children: Children,
    cohort,
    leaders: int,
    single_render_s: float,
    single_render_cpu_s: float | None = None,
    redis_url,
    queue,
    timeout,
) -> list[Figure]:
    """The pipeline's figure and the worker processes' memory figure."""
    from django.db import transaction
    from django.db.models import Count, Max
    from django.utils import timezone

    from assessments.models import Assessment
    from reports.models import ThemeReport
    from reports.services import reports_generate

    queue_purge(redis_url, queue)
    rss_log = children.log_dir / "worker_rss.log"
    worker = worker_start(children, queue, rss_log)
    ids = cohort.assessment_ids[:leaders]
    assessments = list(Assessment.objects.select_related("programme__framework").filter(pk__in=ids))
    started_at = timezone.now()
    started = time.monotonic()
    window = CpuWindow(os.getpid())
    with transaction.atomic():
        for assessment in assessments:
            reports_generate(assessment=assessment)
    enqueued_s = time.monotonic() - started
    reports = ThemeReport.objects.filter(assessment_id__in=ids)
    total = reports.count()
    # Three times the ideal duration, within the run's cap: a busy machine still ends.
    timeout = min(timeout, max(60.0, 3 * total * single_render_s / PROCESSES))
    deadline = started + timeout
    done = {}
    while time.monotonic() < deadline:
        done = dict(reports.values_list("status").annotate(n=Count("id")).order_by())
        if done.get("ready", 0) + done.get("failed", 0) >= total:
            break
        if not worker.alive():
            raise RuntimeError(f"The Celery worker died:\n{worker.log_tail()}")
        time.sleep(POLL_SECONDS)
    shares = window.shares()
    finished_at = reports.filter(status="ready").aggregate(last=Max("updated_at"))["last"]
    worker.stop(grace=10)
    series = _worker_series(rss_log)
    queue_purge(redis_url, queue)
    ready, failed = done.get("ready", 0), done.get("failed", 0)
    seconds = (finished_at - started_at).total_seconds() if finished_at else None
    rate = ready / seconds if seconds else None
    ideal = PROCESSES / single_render_s if single_render_s else None
    efficiency = rate / ideal if rate and ideal else None
    timed_out = ready + failed < total
    error = ""
    if not ready:
        error = f"No report was ready after {timeout:.0f} s."
    elif failed:
        error = f"{failed} of {total} reports failed."
    pipeline = Figure(
        key="e2e.parallel",
        label=(
            f"End to end: {ready} of {total} theme PDFs (timed out)"
            if timed_out
            else f"End to end: {total} theme PDFs by {PROCESSES} worker processes"
        ),
        measured=round(rate, 3) if rate else None,
        unit="PDF/s",
        baseline=round(ideal, 3) if ideal else None,
        baseline_label=f"{PROCESSES} / single render",
        ratio=efficiency,
        target=f">= {TARGET:g} efficiency",
        passed=not error and efficiency is not None and efficiency >= TARGET,
        details={
            "leaders": len(ids),
            "reports": total,
            "ready": ready,
            "failed": failed,
            "seconds": round(seconds, 3) if seconds else None,
            "timed_out": timed_out,
            "timeout_s": round(timeout, 1),
            "enqueue_seconds": round(enqueued_s, 3),
            "single_render_s": round(single_render_s, 4) if single_render_s else None,
            "worker_processes": PROCESSES,
            "queue": queue,
            **_cpu_accounting(
                series=series,
                seconds=seconds,
                rate=rate,
                single_render_cpu_s=single_render_cpu_s,
            ),
            **shares,
        },
        error=error,
    )
    return [pipeline, memory_figure(series)]


def _worker_series(rss_log: Path) -> dict[int, list[tuple[float, float]]]:
    """Per worker process: (RSS MiB, CPU seconds so far) after each of its tasks."""
    series = defaultdict(list)
    if rss_log.exists():
        for line in rss_log.read_text().splitlines():
            pid, kib, cpu = line.split()
            series[int(pid)].append((int(kib) / 1024, float(cpu)))
    return series


def _cpu_accounting(*, series, seconds, rate, single_render_cpu_s) -> dict:
    """Did the workers get the CPU they needed? Their CPU time against the wall time, and
    the CPU a render took in them against a render alone (the task's own overhead)."""
    renders = sum(len(s) for s in series.values())
    cpu = sum(s[-1][1] for s in series.values() if s)
    result = {}
    if not (renders and seconds):
        return result
    result["worker_cpu_share_of_their_cores"] = round(cpu / (seconds * PROCESSES), 3)
    result["worker_cpu_s_per_render"] = round(cpu / renders, 4)
    if single_render_cpu_s and rate:
        # Render work done per second over CPU the workers got per second: 1.0 means every
        # CPU second they were given went into rendering as fast as a single process does.
        result["single_render_cpu_s"] = round(single_render_cpu_s, 4)
        result["efficiency_per_cpu_obtained"] = round(
            rate * single_render_cpu_s / (cpu / seconds), 3
        )
    return result


def memory_figure(series: dict) -> Figure:
    """Memory of each worker process over its consecutive renders: the mean resident set
    size of its last renders against its first (50 each, fewer in a short run)."""
    if not series:
        raise RuntimeError("The worker processes recorded no memory readings.")
    children = {}
    for pid, readings in series.items():
        rss = [mib for mib, _ in readings]
        window = max(1, min(50, len(rss) // 4))
        first, last = statistics.mean(rss[:window]), statistics.mean(rss[-window:])
        children[pid] = {
            "renders": len(rss),
            "window": window,
            "first_mib": round(first, 1),
            "last_mib": round(last, 1),
            "growth": round(last / first, 4),
            "min_mib": round(min(rss), 1),
            "peak_mib": round(max(rss), 1),
            "every_tenth_mib": [round(x, 1) for x in rss[::10]],
        }
    worst = max(children.values(), key=lambda c: abs(c["growth"] - 1))
    growth = worst["growth"]
    renders = min(c["renders"] for c in children.values())
    return Figure(
        key="pdf.memory",
        label=f"PDF: worker process RSS over {renders}+ consecutive renders",
        measured=worst["last_mib"],
        unit="MiB",
        baseline=worst["first_mib"],
        baseline_label=f"its first {worst['window']} renders",
        ratio=growth,
        target=f"last {worst['window']} within {MEMORY_TOLERANCE:.0%} of first",
        passed=abs(growth - 1) <= MEMORY_TOLERANCE,
        details={
            "processes": children,
            "peak_rss_mib": max(c["peak_mib"] for c in children.values()),
        },
    )
