"""Background recomputation of the score tables: thin tasks on ids, safe to run twice.

``acks_late`` with ``reject_on_worker_lost``: a worker killed mid-recompute rolls
its transaction back and the message is delivered again; and since the dirty
flag is cleared only in the recompute's own transaction, the periodic
``recompute_dirty`` finishes the work even if the message itself is lost.
"""

from celery import shared_task

from . import compute


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recompute_cluster(period_id: int, cluster_id: int) -> bool:
    return compute.cluster_recompute(period_id=period_id, cluster_id=cluster_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recompute_period(period_id: int) -> bool:
    return compute.period_recompute(period_id=period_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recompute_dirty() -> int:
    return compute.dirty_recompute()
