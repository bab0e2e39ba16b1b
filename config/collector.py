"""Python's cycle collector held off while a burst of short-lived objects is made.

Building a chunk of aggregation reports or laying out a PDF makes hundreds of thousands of
objects that live until the burst is over. Each time enough pile up, the collector walks
every tracked object in the process (the burst's included) and, for the aggregation, finds
nothing: that was 40 % of aggregating 1,000 assessments and about a fifth of rendering a
leader's PDFs. Reference counting frees objects as usual meanwhile; only cyclic garbage
(WeasyPrint's boxes point at their parents) waits until the end, where one pass over the
young objects frees it (``collect_young``).

The collector is process-wide. It is restored as it was on the way out; a second thread
entering meanwhile only finds it off already, and if it leaves first, it does not turn it
back on. Code that runs between bursts (a generator's caller) runs with it as it was.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_held(*, collect_young: bool = False) -> Iterator[None]:
    """The collector off inside the block; afterwards on again if it was, and with
    ``collect_young`` the young generation (everything made inside) collected once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            if collect_young:
                gc.collect(0)
