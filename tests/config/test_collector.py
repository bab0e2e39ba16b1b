"""The cycle collector held off during a burst of objects, and put back as it was."""

import gc
import weakref

import pytest

from config.collector import cycle_collection_held, set_aside_returned


class _Node:
    pass


def _cycle():
    node = _Node()
    node.me = node  # a reference cycle: only the cycle collector frees it
    return weakref.ref(node)


@pytest.fixture
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_it_is_off_inside_and_on_again_after(collector_on):
    with cycle_collection_held():
        inside = gc.isenabled()

    assert inside is False
    assert gc.isenabled()


def test_it_stays_off_when_it_was_off_before(collector_on):
    gc.disable()
    with cycle_collection_held(collect_young=True):
        pass

    assert not gc.isenabled()


def test_cyclic_garbage_made_inside_waits_and_is_freed_on_the_way_out(collector_on):
    with cycle_collection_held(collect_young=True):
        dead = _cycle()
        burst = [_Node() for _ in range(50 * gc.get_threshold()[0])]  # many collections' worth
        alive_inside = dead() is not None
        del burst

    assert alive_inside
    assert dead() is None


def test_it_is_put_back_when_the_block_raises(collector_on):
    with pytest.raises(ValueError), cycle_collection_held():
        raise ValueError("boom")

    assert gc.isenabled()


def test_the_last_of_overlapping_holders_puts_it_back(collector_on):
    first, second = cycle_collection_held(), cycle_collection_held()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first leaves while the second still holds it
    still_held = not gc.isenabled()
    second.__exit__(None, None, None)

    assert still_held
    assert gc.isenabled()


def test_set_aside_objects_are_out_of_the_collectors_sight_until_returned(collector_on):
    with cycle_collection_held(set_aside=True):
        dead = _cycle()
    gc.collect()
    waited = dead() is not None
    set_aside_returned()
    gc.collect()

    assert waited
    assert dead() is None
    assert gc.get_freeze_count() == 0
