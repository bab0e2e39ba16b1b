"""Python's cycle collector held off while a burst of short-lived objects is made.

Building a chunk of aggregation reports or laying out a PDF makes hundreds of thousands of
objects that live until the burst is over. Each time enough pile up, the collector walks
every tracked object in the process (the burst's included) and, for the aggregation, finds
nothing: that was 40 % of aggregating 1,000 assessments and about a fifth of rendering a
leader's PDFs. Reference counting frees objects as usual meanwhile; only cyclic garbage
(WeasyPrint's boxes point at their parents) waits until the end, where one pass over the
young objects frees it (``collect_young``).

Turning it back on costs one more walk over everything made meanwhile, at the next
allocation: for the aggregation, 85 ms a chunk, a sixth of the whole. Objects handed to a
caller who drops them soon need no walk at all: with ``set_aside`` the last holder moves
what is alive out of the collector's sight (``gc.freeze``) instead; reference counting
still frees them, and ``set_aside_returned`` (``gc.unfreeze``) puts the survivors back
with the oldest objects once the caller is done. Nothing else in this project freezes.

The collector is process-wide, so holders are counted: the first to enter turns it off,
the last to leave puts it back as the first found it. Other threads' code may run while
it is held (the aggregation's prefetch thread holds it while it reads the next chunk);
that only delays their cyclic garbage.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def cycle_collection_held(
    *, collect_young: bool = False, set_aside: bool = False
) -> Iterator[None]:
    """The collector off inside the block; when the last holder leaves, on again if it
    was, and with ``collect_young`` the young generation (everything made meanwhile)
    collected once, or with ``set_aside`` every object alive moved out of its sight until
    ``set_aside_returned``."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            restore = _holders == 0 and _was_enabled
            if restore:
                if set_aside:
                    gc.freeze()
                gc.enable()
        if restore and collect_young:
            gc.collect(0)


def set_aside_returned() -> None:
    """What ``cycle_collection_held(set_aside=True)`` moved out of the collector's sight,
    back in it (with the oldest generation), where cyclic garbage among it is found again."""
    gc.unfreeze()
