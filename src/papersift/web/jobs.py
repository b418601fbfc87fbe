"""Background jobs (a digest, an import by author id): long work never runs inside a request.

A small thread pool owned by the app; each job reports progress that the pages poll.
"""

from __future__ import annotations

import itertools
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..errors import PapersiftError


@dataclass
class Job:
    id: int
    kind: str
    profile: str
    state: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "profile": self.profile,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "message": self.message,
            "result": self.result,
        }


class Progress:
    """What a job's function is handed to report how far it got."""

    def __init__(self, job: Job, lock: threading.Lock) -> None:
        self._job = job
        self._lock = lock

    def __call__(self, done: int | None = None, total: int | None = None, message: str | None = None) -> None:
        with self._lock:
            if done is not None:
                self._job.done = done
            if total is not None:
                self._job.total = total
            if message is not None:
                self._job.message = message


class JobRunner:
    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="papersift-job")
        self._jobs: dict[int, Job] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def submit(self, kind: str, profile: str, work: Callable[[Progress], dict[str, Any] | None]) -> Job:
        job = Job(next(self._ids), kind, profile, message="waiting to start")
        with self._lock:
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Progress], dict[str, Any] | None]) -> None:
        with self._lock:
            job.state, job.message = "running", "started"
        try:
            result = work(Progress(job, self._lock)) or {}
        except PapersiftError as exc:
            with self._lock:
                job.state, job.message = "failed", str(exc)
            return
        except Exception as exc:  # a bug: keep the server alive, show it on the page
            traceback.print_exc()
            with self._lock:
                job.state, job.message = "failed", f"internal error: {type(exc).__name__}"
            return
        with self._lock:
            job.state, job.result = "done", result
            if not job.message or job.message == "started":
                job.message = "done"

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def active(self, profile: str) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if j.profile == profile and j.state in ("queued", "running")]

    def wait_all(self, timeout: float = 30.0) -> None:
        """Block until every submitted job finished (tests and shutdown)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if all(j.state in ("done", "failed") for j in self._jobs.values()):
                    return
            time.sleep(0.02)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
