"""Running one callable from several threads at once, each with its own database connection:
how the PostgreSQL tests make claims and locks race for real."""

import threading

from django.db import connections


def race(target, count: int) -> list:
    """Start ``count`` threads that call ``target`` together (a barrier) and return what each
    returned. Each thread closes its connections when done."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
