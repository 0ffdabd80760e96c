"""Publishing Celery tasks after commit, tolerant of a broker that is down.

Correctness never depends on the broker: the state a task works on is durable
in the database (a dirty flag, a job row, an unsent reminder) and a periodic
sweep picks up whatever a lost message left behind.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Publish ``task(*args)`` once the current transaction commits; a broker error is logged, not raised."""

    def publish():
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 - the durable state is in the database, the sweep retries
            logger.exception("Could not enqueue %s%r", task.name, args)

    transaction.on_commit(publish)
