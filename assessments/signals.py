"""Signals other apps listen to, so that assessments never imports them."""

from django.dispatch import Signal

# Sealing wrote some Responses again with new ids (``mapping``: old id -> new id), in the
# same transaction: whoever keeps Response ids (report versions) follows them.
responses_resealed = Signal()

# load_demo built the closed demo cohort (``assessment``: its first leader's, released;
# ``facilitator``): apps above assessments add their own demo data for that leader.
demo_leader_released = Signal()
# Each app erases and purges its own data (as pretix's data shredders do): assessments sends,
# in the transaction doing the work, and every app that keeps rows about an assessment
# answers for its own. Receivers are connected in their AppConfig.ready().

# The leader of ``assessments`` is being erased; the assessments are deleted once every
# receiver has run. A receiver deletes its own rows and files (files after commit) and
# returns a dict of counts, merged into what the erasure reports and audits.
leader_erasing = Signal()

# ``programme``'s raw data is being purged at the end of its retention period (``now``).
programme_purging = Signal()

# ``programme`` has just been closed (``by``: the admin who closed it early, or None), its
# answers sealed, in the same transaction: reports ask for the leaders' PDFs and release an
# on-close programme.
programme_closed = Signal()
