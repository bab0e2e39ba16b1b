"""Child processes the benchmark starts (gunicorn, Celery workers, the PDF worker).

Each runs in a session of its own, so stopping it stops its children too; only processes
started here are ever signalled, by their own process group id.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(**extra) -> dict:
    """The environment children run with: the benchmark's settings, database and broker."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["PYTHONPATH"] = str(BASE_DIR)
    env.update({key: str(value) for key, value in extra.items()})
    return env


class Child:
    """One started process and its log file."""

    def __init__(self, name: str, command: list[str], log_path: Path, env: dict):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_for_log(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_tail(200_000):
                return True
            if not self.alive():
                return False
            time.sleep(0.1)
        return False

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL what is left after ``grace`` seconds."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # stray children of a stopped parent
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self._log.close()


class Children:
    """Every child started in a run, stopped at the end whatever happened."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[Child] = []

    def start(self, name: str, args: list[str], **env) -> Child:
        command = [sys.executable, *args]
        child = Child(name, command, self.log_dir / f"{name}.log", child_env(**env))
        self.started.append(child)
        return child

    def stop_all(self) -> None:
        for child in reversed(self.started):
            child.stop(grace=5)
        self.started = []


def rss_kib(pid: int | str = "self") -> int:
    """Resident set size of a process, in KiB (Linux /proc)."""
    return _status_field(pid, "VmRSS")


def peak_rss_kib(pid: int | str = "self") -> int:
    """Peak resident set size (high-water mark) of a process, in KiB."""
    return _status_field(pid, "VmHWM")


def _status_field(pid, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine since boot, in clock ticks (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def _process_table() -> tuple[dict[int, int], dict[int, float]]:
    """(parent of each pid, CPU seconds used by each pid) from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, used = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (name)"
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return parents, used


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants."""
    parents, used = _process_table()
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += used.get(pid, 0.0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def database_backend_pids() -> list[int]:
    """PostgreSQL server processes serving the benchmark's database (on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [row[0] for row in cursor.fetchall()]


class CpuWindow:
    """CPU use over a stretch of time: the whole machine's, the benchmark's process tree's,
    the PostgreSQL backends serving its database, and what is left: other work."""

    def __init__(self, root: int):
        self.root = root
        self.started = time.monotonic()
        self.busy, self.total = cpu_busy_jiffies()
        self.tree = tree_cpu_seconds(root)
        _, used = _process_table()
        self.backends = {pid: used.get(pid, 0.0) for pid in database_backend_pids()}

    def shares(self, watched: int | None = None, watched_before: float = 0.0) -> dict:
        """Shares of the machine's CPUs; and the watched tree's share of 2 cores when one
        is given (with its CPU seconds when the window opened)."""
        busy, total = cpu_busy_jiffies()
        seconds = max(1e-9, time.monotonic() - self.started)
        cpus = os.cpu_count() or 1
        _, used = _process_table()
        database = sum(
            used.get(pid, 0.0) - self.backends.get(pid, 0.0) for pid in database_backend_pids()
        )
        busy_share = (busy - self.busy) / max(1, total - self.total)
        tree_share = (tree_cpu_seconds(self.root) - self.tree) / (seconds * cpus)
        database_share = max(0.0, database) / (seconds * cpus)
        result = {
            "machine_cpu_busy_share": round(busy_share, 3),
            "benchmark_processes_cpu_share": round(tree_share, 3),
            "benchmark_database_cpu_share": round(database_share, 3),
            "other_work_cpu_share": round(max(0.0, busy_share - tree_share - database_share), 3),
        }
        if watched is not None:
            spent = tree_cpu_seconds(watched) - watched_before
            result["watched_cpu_share_of_2_cores"] = round(spent / (seconds * 2), 3)
        return result
