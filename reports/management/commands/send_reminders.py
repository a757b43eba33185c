"""E-mail each province's managers what is due: periodic reports due soon or overdue, and a weekly digest
of the đề án that newly lag. For cron, twice a day is fine: nobody is told the same thing twice.

    manage.py send_reminders [--dry-run] [--today YYYY-MM-DD]

Recipients are the active users of each province of today with the manager's role and an e-mail
address. Django's e-mail settings send the mail (EMAIL_BACKEND; the console backend by default,
which prints them). Each message sent is recorded (`reports.Reminder`): a report reminder once per
report, period and kind; a digest at most once a week, naming each đề án once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from programmes.access import Role
from programmes.models import Province, UserProfile
from reports import reminders
from reports.models import Reminder

DIGEST_EVERY = datetime.timedelta(days=7)
DIGEST_LIMIT = 50


class Command(BaseCommand):
    help = "E-mail province managers the reports due or overdue and the newly lagging projects (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be sent; send and record nothing.")
        parser.add_argument("--today", help="The day to judge as (YYYY-MM-DD; default: today).")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"Not a date (YYYY-MM-DD): {options['today']}") from exc
        self.dry_run = options["dry_run"]
        self.sent = 0
        provinces = list(Province.objects.current_units().order_by("code"))
        managers: dict[int, list] = {}
        for profile in UserProfile.objects.filter(
            role=Role.PROVINCE_MANAGER, province__in=provinces, user__is_active=True
        ).select_related("user"):
            if profile.user.email:
                managers.setdefault(profile.province_id, []).append(profile.user)
        for item in reminders.report_items(provinces, day):
            for user in managers.get(item.province_id, []):
                self.tell(user, item.kind, item.key, item.province_id, item.text, item.url)
        for province in provinces:
            people = managers.get(province.pk, [])
            if people:
                self.digest(province, people, day)
        verb = "Would send" if self.dry_run else "Sent"
        self.stdout.write(f"{verb} {self.sent} reminder(s) for {day:%d/%m/%Y}.")

    def tell(self, user, kind: str, key: str, province_id: int, text: str, url: str) -> bool:
        if Reminder.objects.filter(kind=kind, key=key, user=user).exists():
            return False
        if self.dry_run:
            self.stdout.write(f"{user.email}: {text}")
            self.sent += 1
            return True
        try:
            with transaction.atomic():
                Reminder.objects.create(kind=kind, key=key, user=user, current_province_id=province_id)
                send_mail(
                    subject=f"[Khuyến công] {text.splitlines()[0][:120]}",
                    message=f"{text}\n\n{settings.KHUYENCONG_SITE_URL.rstrip('/')}{url}\n",
                    from_email=None,
                    recipient_list=[user.email],
                )
        except IntegrityError:
            return False  # another run told them at the same moment
        self.sent += 1
        return True

    def digest(self, province: Province, people, day: datetime.date) -> None:
        """Once a week: the đề án of the province newly lagging (each named once to each manager)."""
        week = f"{day.isocalendar().year}-W{day.isocalendar().week:02d}-{province.pk}"
        lagging = list(reminders.lagging_projects(province, day).only("pk", "code", "name")[: DIGEST_LIMIT * 4])
        for user in people:
            if Reminder.objects.filter(kind=Reminder.Kind.DIGEST, key=week, user=user).exists():
                continue
            told = set(
                Reminder.objects.filter(
                    kind=Reminder.Kind.LAGGING, user=user, key__in=[f"{p.pk}" for p in lagging]
                ).values_list("key", flat=True)
            )
            new = [project for project in lagging if f"{project.pk}" not in told][:DIGEST_LIMIT]
            if not new:
                continue
            lines = "\n".join(f"- {project.code} – {project.name}" for project in new)
            item = reminders.lagging_item(province, day, len(new))
            text = f"{item.text}\n{lines}"
            if self.tell(user, Reminder.Kind.DIGEST, week, province.pk, text, item.url) and not self.dry_run:
                Reminder.objects.bulk_create(
                    [Reminder(kind=Reminder.Kind.LAGGING, key=f"{p.pk}", user=user, current_province_id=province.pk)
                     for p in new],
                    ignore_conflicts=True,
                )  # fmt: skip
