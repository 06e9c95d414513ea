"""cydradd: a Welsh public body's HR and payroll extracts -> its statutory equality report, in Welsh and English."""

import os
from typing import Any

__version__ = "0.1.0"

# polars allocates through its own jemalloc, which by default hands freed pages back to the kernel
# within moments; the next column then faults fresh zeroed pages in again. On 1M employees that was
# 8 s of kernel time in a 17 s run. Keeping freed pages for 5 s (it is read when polars loads, so it
# is set before anything imports polars) cut it to 5 s, for ~0.5 GB more peak memory (bench: 2.4 GB,
# within the 3 GB goal). A value already in the environment wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:5000,muzzy_decay_ms:5000")


def usable_cores() -> int:
    """The cores this process may run on (a container or ``taskset`` may allow fewer than the
    machine has, which is all ``os.cpu_count`` sees)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def stop_workers(pool: Any, wait: float = 10.0) -> None:
    """Stop a process pool's workers now (SIGTERM to each, then up to ``wait`` seconds for them to go),
    not after the work they are doing: ``shutdown`` cancels only work not started, and a language
    being drawn went on writing into the run's staging folder for up to 17 s after the run had said
    it stopped and released the outputs lock (a whole PDF was left there, and a second run could
    start beside it)."""
    import time

    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + wait
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))


def exit_with_parent(interval: float = 1.0) -> None:
    """In a worker process: leave as soon as the process that started it is gone.

    A worker of a run killed by SIGKILL (a scheduler's timeout, the OOM killer) was re-parented and
    waited for work forever, still holding its memory: eight killed runs left 27 such processes and
    about 5 GiB. A daemon thread checks the parent every ``interval`` seconds."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
