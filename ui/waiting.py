"""What a page shows while part of it is still being worked out in the background.

A cached function whose work went to a background process (:mod:`ui.background`)
raises :class:`ui.background.Pending`. The page's frame (``app.py``), or a page
section wrapped in :func:`section`, catches it and shows :func:`panel` in place
of what could not be drawn yet: what is being worked out, for how many words,
for how long so far and how many analyses are ahead of it. The panel is a
fragment that checks again every :data:`POLL_S` seconds (a short run that reads
one dict) and reruns the whole page once the work is done, so the visitor sees
the result appear without doing anything.
"""

from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

from . import background, timing

POLL_S = 1.5


def describe(job: background.Job, ahead: int) -> str:
    """The panel's sentence, e.g. "Still working out the topics of your 174,021 words: 4 s so far."."""
    queue = (f" It is waiting for {ahead} other analys{'is' if ahead == 1 else 'es'} on this server to finish."
             if ahead else "")
    return (f"Still working out {job.what} of your {job.words:,} words: {job.elapsed():.0f} s so far.{queue} "
            "This part of the page appears by itself when it is ready; the other pages can be used meanwhile.")


@st.fragment(run_every=POLL_S)
def _poll(key: tuple) -> None:
    jobs = background.pending_for([key])
    if not jobs:
        st.rerun(scope="app")
    job = jobs[0]
    st.info(describe(job, background.queued_before(job)), icon=":material/hourglass_top:")


def panel(pending: background.Pending) -> None:
    """In place of the part of the page that waits for ``pending``'s job."""
    timing.mark_waiting()
    _poll(pending.job.key)


@contextmanager
def section():
    """Draw a page section that may wait for background work: while it waits, :func:`panel`
    stands in for it and the page goes on with the next section."""
    try:
        yield
    except background.Pending as pending:
        panel(pending)
