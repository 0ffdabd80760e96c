"""Reads of the reports app, scoped to the asking user."""

from django.db.models import QuerySet

from accounts.models import User
from core.models import Job

from .services import EXPORT_JOB_KIND


def export_jobs_of(user: User) -> QuerySet[Job]:
    """A user's own export jobs: nobody else's file is reachable through a job id."""
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(kind=EXPORT_JOB_KIND, created_by=user)
