"""How the kgen command starts: cyclic garbage collection waits until start-up is over.

Starting, kgen builds objects that live until it exits (its modules and those of its
dependencies, the knowledge tables, the parsed profile and plan) and makes almost no cyclic
garbage. CPython's collector still runs every few hundred allocations, and each older-generation
pass walks every object built so far: about a tenth of a cold ``kgen render``, spent proving that
start-up's objects are still alive. The console entry point (kgen/__main__.py) therefore postpones collection, and
work that grows with its input (a fleet of profiles, a long list to validate) resumes it before
the second item: objects built so far are frozen (kept out of every later pass, and shared
copy-on-write with forked workers, as the ``gc.freeze`` documentation advises) and collection
runs as usual from there on. A library caller of kgen keeps its own collector settings: only
this entry point postpones, and resuming is a no-op unless it did.
"""

from __future__ import annotations

import gc


class _Collection:
    """Whether this module postponed collection (and so may resume it)."""

    postponed = False


def postpone_collection() -> None:
    """Stop cyclic collection until resume_collection (only if it is running now)."""
    if gc.isenabled():
        gc.disable()
        _Collection.postponed = True


def resume_collection() -> None:
    """Collect again; what exists now is frozen out of later passes. No-op unless postponed here."""
    if _Collection.postponed:
        gc.freeze()
        gc.enable()
        _Collection.postponed = False
