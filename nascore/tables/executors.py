"""Where jobs run: local worker processes (default) or a Dask distributed cluster.

Both executors have one method, ``imap``, which runs ``fn(item)`` for every item and
yields ``(item, result)`` pairs *as they finish* (not in input order), with a tqdm
progress bar and its ETA (counting ``size(item)`` units per item, e.g. networks per job). The caller stores each result as soon as it arrives, so
whatever finished before an interruption is kept.

Scheduling is left to the standard library (:class:`concurrent.futures.ProcessPoolExecutor`)
or to Dask; nothing here decides which worker runs what.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
import weakref
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from tqdm.auto import tqdm


def usable_device(text: str) -> str:
    """``text`` if it names a device this machine can run on (``cpu``, ``cuda``,
    ``cuda:N``); ``ValueError`` in one line otherwise (no CUDA in this torch build, no GPU
    visible, an index past the last GPU, or another name)."""
    import re

    import torch

    if text != "cpu" and not (isinstance(text, str) and re.fullmatch(r"cuda(:[0-9]{1,2})?", text)):
        raise ValueError(f"unknown device {text!r}; allowed: cpu, cuda, cuda:N")
    if text != "cpu":
        if not torch.cuda.is_available():
            why = "has no CUDA support" if torch.version.cuda is None else "sees no GPU"
            raise ValueError(f"--device {text}: this machine has no usable CUDA device "
                             f"(torch {torch.__version__} {why}); use --device cpu")
        index = int(text.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise ValueError(f"--device {text}: only {torch.cuda.device_count()} CUDA device(s) visible")
    return text


@contextmanager
def torch_threads(threads: int | None):
    """Run a block with ``torch.set_num_threads(threads)``, restoring the old value.

    One thread per worker process is the right default when several workers share a
    machine: small matrix products gain little from more, and oversubscription loses.
    """
    import torch

    if threads is None:
        yield
        return
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer or None, got {threads!r}")
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _bar(items, desc, size, unit, progress):
    """A tqdm bar counting ``size(item)`` units per finished item (default 1)."""
    size = size or (lambda item: 1)
    bar = tqdm(total=sum(size(item) for item in items), desc=desc, unit=unit,
               disable=not progress)
    bar.size = size
    return bar


#: How often a worker checks that its parent is still alive (seconds).
PARENT_POLL_SECONDS = 0.5


def _exit_when_orphaned(parent_pid: int, poll: float = PARENT_POLL_SECONDS):
    """Daemon thread of a worker: exit the worker at once when its parent is gone.

    A parent killed with SIGKILL (or SIGTERM, which skips Python's clean-up) cannot
    stop its workers, and a worker blocked waiting for jobs would live on holding its
    memory. Linux re-parents an orphan, so ``os.getppid()`` changing is the signal.
    """
    import os
    import threading
    import time

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, name="nascore-parent-watch", daemon=True).start()


def _init_worker(threads, parent_pid=None):
    import torch

    if parent_pid is not None:
        _exit_when_orphaned(parent_pid)
    if threads is not None:
        torch.set_num_threads(int(threads))


def _check_count(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


class LocalExecutor:
    """``jobs`` worker processes on this machine (``jobs=1``: in this process).

    Workers are started with the ``spawn`` method (a fresh interpreter: safe with
    torch's thread pools, unlike ``fork``) and use ``threads`` torch threads each.
    """

    def __init__(self, jobs: int = 1, *, threads: int | None = 1, progress: bool = True):
        _check_count("jobs", jobs)
        if threads is not None:
            _check_count("threads", threads)
        self.jobs, self.threads, self.progress = jobs, threads, progress

    def __repr__(self):
        return f"LocalExecutor(jobs={self.jobs}, threads={self.threads})"

    def imap(self, fn: Callable, items: Iterable, *, desc: str = "jobs",
             size: Callable = None, unit: str = "job") -> Iterator[tuple]:
        items = list(items)
        bar = _bar(items, desc, size, unit, self.progress)
        try:
            if self.jobs == 1:
                with torch_threads(self.threads):
                    for item in items:
                        result = fn(item)
                        bar.update(bar.size(item))
                        yield item, result
                return
            context = multiprocessing.get_context("spawn")
            pool, finished = None, False
            try:  # created inside: an interrupt while workers start or jobs are queued ends them too
                pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_worker,
                                           initargs=(self.threads, os.getpid()))
                _OPEN_POOLS.add(pool)
                pending = {pool.submit(fn, item): item for item in items}
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        item = pending.pop(future)
                        result = future.result()
                        bar.update(bar.size(item))
                        yield item, result
                finished = True
            finally:
                if pool is not None:
                    _OPEN_POOLS.discard(pool)
                    if finished:
                        pool.shutdown(wait=True)
                    else:  # interrupted (Ctrl-C, an error, the consumer stopped): stop workers now
                        _terminate(pool)
        finally:
            bar.close()


#: Seconds a worker has to exit after SIGTERM before it is killed (SIGKILL).
TERMINATE_GRACE_SECONDS = 2.0

#: Pools of :meth:`LocalExecutor.imap` calls not finished yet, ended at interpreter exit.
_OPEN_POOLS: "weakref.WeakSet[ProcessPoolExecutor]" = weakref.WeakSet()


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Cancel queued jobs and end running workers at once (a running job is abandoned;
    its result was never stored, so a resumed run computes it again).

    Workers get SIGTERM, then SIGKILL after :data:`TERMINATE_GRACE_SECONDS`; the pool's
    manager thread is then given the same time to notice, so that the interpreter's exit,
    which joins that thread, has nothing left to wait for. Calling it twice is harmless.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public handle exists
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + TERMINATE_GRACE_SECONDS
    for process in processes:
        process.join(timeout=max(deadline - time.monotonic(), 0.01))
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join(timeout=TERMINATE_GRACE_SECONDS)
    if manager is not None and manager is not threading.current_thread():
        manager.join(timeout=TERMINATE_GRACE_SECONDS)


def _end_open_pools() -> None:
    """At interpreter exit, end the workers of an ``imap`` left open (its caller stopped
    by an exception while still holding the iterator): otherwise the exit would wait for
    their running jobs, since the standard library joins a pool's threads first."""
    for pool in list(_OPEN_POOLS):
        _OPEN_POOLS.discard(pool)
        _terminate(pool)


# run before concurrent.futures' own exit hook (registered when it was imported above):
# the threading module calls these hooks last-registered first, before joining threads
getattr(threading, "_register_atexit", atexit.register)(_end_open_pools)


class DaskExecutor:
    """Jobs sent to the Dask scheduler at ``address`` (e.g. ``"tcp://10.0.0.1:8786"``).

    Every worker must be able to import ``nascore`` (same version) and read the shipped
    datasets; results come back to this process, which alone writes the store.
    """

    def __init__(self, address: str, *, progress: bool = True):
        if not isinstance(address, str) or not address:
            raise ValueError(f"scheduler address must be a non-empty string, got {address!r}")
        self.address, self.progress = address, progress

    def __repr__(self):
        return f"DaskExecutor({self.address!r})"

    def imap(self, fn: Callable, items: Iterable, *, desc: str = "jobs",
             size: Callable = None, unit: str = "job") -> Iterator[tuple]:
        try:
            from distributed import Client, as_completed
        except ImportError as error:  # pragma: no cover - depends on the install
            raise ImportError("--scheduler needs Dask: pip install 'nascore[dist]'") from error
        items = list(items)
        bar = _bar(items, desc, size, unit, self.progress)
        try:
            with Client(self.address) as client:
                futures = {client.submit(fn, item, pure=False): item for item in items}
                try:
                    for future in as_completed(list(futures)):
                        result = future.result()
                        bar.update(bar.size(futures[future]))
                        yield futures[future], result
                finally:
                    client.cancel([f for f in futures if not f.done()])
        finally:
            bar.close()


def make_executor(jobs: int = 1, scheduler: str | None = None, *, threads: int | None = 1,
                  progress: bool = True):
    """A :class:`DaskExecutor` if ``scheduler`` is given, else a :class:`LocalExecutor`."""
    if scheduler:
        return DaskExecutor(scheduler, progress=progress)
    return LocalExecutor(jobs, threads=threads, progress=progress)
