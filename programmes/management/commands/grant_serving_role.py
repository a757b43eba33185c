"""manage.py grant_serving_role ROLE: the database role the app is served as, owning nothing.

Run it as the tables' owner after `migrate` (the README's production section): it grants ROLE
reading and writing rows through the guards of `programmes.audit` and nothing else (no ALTER,
TRUNCATE or TRIGGER; UPDATE and DELETE refused on the audit trail also by privilege), and makes the
tables of later migrations usable by it. With `--create` it creates the role (LOGIN; the password
from KHUYENCONG_SERVING_PASSWORD when set). Refused for a role that could lift the guards.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from programmes import audit


class Command(BaseCommand):
    help = "Grant a role that owns nothing what the app needs to serve (PostgreSQL; run as the owner)."

    def add_arguments(self, parser):
        parser.add_argument("role")
        parser.add_argument("--create", action="store_true", help="create the role if it does not exist")

    def handle(self, *args, role, create, **options):
        try:
            with transaction.atomic():
                statements = audit.serving_role_grant(
                    role, create=create, password=os.environ.get("KHUYENCONG_SERVING_PASSWORD") or None
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 2:
            for statement in statements:
                self.stdout.write(statement)
        self.stdout.write(f"{role} may now serve the app: rows through the guards, no DDL, the audit trail read-only.")
