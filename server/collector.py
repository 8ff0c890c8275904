"""How a kyodo process runs Python's cyclic garbage collector.

CPython collects its youngest generation every 700 net allocations of container
objects and the whole heap after ten collections of the middle one. A kyodo process
holds a large heap that never goes away (the schema, SQLAlchemy's mappers and compiled
statements, the compiled read plans: some 170,000 objects once serving), and its heavy
requests allocate in bursts that stay alive to the end (a disaster lookup decodes some
300 KB of JSON into rows; an import holds 10,000 validated partners). With the defaults,
those bursts promote their objects into the old generations and the collector then
walks the whole heap again and again while nothing there is garbage: measured on the
10,000-partner database, 40 % of ``kyodo import partners`` re-run (14 full collections of
some 340 ms) and 10–15 % of a disaster lookup.

:func:`tune_collector` does what long-running Python services commonly do instead
(``gc.freeze``, larger thresholds): once a process has started, what it holds is moved
out of the collector's sight (``gc.freeze``: those objects are never examined again,
still freed by reference counting as usual), and the youngest generation is collected
every 50,000 allocations instead of 700. Cyclic garbage still goes, a little later: at
most about 50,000 young containers of it wait for their collection (a few MB). The one
cost: an object alive at the freeze that later becomes garbage in a reference cycle is
never collected (say, a plan of a trusted document compiled at start-up and evicted
later); that is bounded by what the process held once, at start-up. Measured on the
10,000-partner database after ``peer.sh --big``: 148.5 MB resident, as before.
``KYODO_GC_TUNING=false`` keeps Python's defaults.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 10)
"""``gc.set_threshold``: allocations before a young collection, young collections before
a middle one, middle ones before a full one (full ones also wait, as always, until
the old generation has grown by a quarter)."""


def tune_collector(enabled: bool = True) -> bool:
    """Freeze what the process holds now and collect less often (see the module);
    called once the process is ready to work: a server worker after its start-up, a
    command once its engine is open. Returns whether anything changed."""
    if not enabled:
        return False
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    return True
