"""Delete background-job results past their time (KHUYENCONG_JOB_RESULT_HOURS).

The worker sweeps before each job; run this from cron where jobs are rare, e.g. hourly:
    manage.py expire_jobs
"""

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from programmes.jobs.models import Job
from programmes.jobs.services import jobs_expire, result_lifetime


class Command(BaseCommand):
    help = "Delete expired background-job results and the rows of jobs finished long ago."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted.")

    def handle(self, *args, **opts):
        now = timezone.now()
        if opts["dry_run"]:
            old = Q(state__in=Job.FINISHED, finished_at__lte=now - result_lifetime())
            count = Job.objects.filter(Q(expires_at__lte=now) | old).count()
            self.stdout.write(f"Would delete {count} jobs.")
            return
        count = jobs_expire(now=now)
        if opts["verbosity"]:
            self.stdout.write(f"Deleted {count} jobs.")
