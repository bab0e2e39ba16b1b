"""Signals other apps listen to, so that assessments never imports them."""

from django.dispatch import Signal

# Sealing wrote some Responses again with new ids (``mapping``: old id -> new id), in the
# same transaction: whoever keeps Response ids (report versions) follows them.
responses_resealed = Signal()

# load_demo built the closed demo cohort (``assessment``: its first leader's, released;
# ``facilitator``): apps above assessments add their own demo data for that leader.
demo_leader_released = Signal()
