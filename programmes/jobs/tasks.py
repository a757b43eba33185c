"""The one task the queue runs: a job, by its id (the row says what to do)."""

from django_tasks import task

from . import services


@task()
def run_job(job_id: str) -> None:
    services.job_run(job_id)
