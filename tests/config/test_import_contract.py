"""The apps' imports point one way (docs/architecture.md), checked as `make lint` does."""

from importlinter.cli import lint_imports


def test_no_app_imports_an_app_above_it():
    assert lint_imports(no_cache=True, no_logo=True) == 0
