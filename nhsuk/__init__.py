"""The NHS.UK crispy-forms template pack, as a small app of its own (see apps.py)."""
