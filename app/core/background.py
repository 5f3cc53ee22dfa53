"""Background loops of a worker process (webhook delivery, the heartbeat): daemon threads that keep going."""

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger("vneid.background")


class Periodic:
    """Runs `work` every `interval` seconds in a daemon thread until stopped; a failing round is logged, not fatal."""

    def __init__(self, name: str, interval: float, work: Callable[[], object]) -> None:
        self._interval, self._work = interval, work
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            try:
                self._work()
            except Exception:  # keep going whatever one round did wrong
                logger.exception("%s: round failed", self._thread.name)
            if self._stop.wait(self._interval):
                return
