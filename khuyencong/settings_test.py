"""Settings for the test suite: the production settings with a throw-away key and plain cookies."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from .settings import *  # noqa: E402,F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Tests change settings (lag months, deadlines) over the same data: the figures cache is tested on
# its own (tests/test_oversight.py), off elsewhere.
KHUYENCONG_FIGURES_CACHE_SECONDS = 0

# The test client speaks plain HTTP and the suite does not run collectstatic: no redirect to HTTPS,
# static files by their own names (tests/test_serving.py checks the production storage on its own).
SECURE_SSL_REDIRECT = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# Tests sign users in with force_login: the second factor is asked for only where a test turns it on
# (tests/test_accounts.py).
KHUYENCONG_OTP_REQUIRED = False

# A second database stands for the read replica on PostgreSQL (its own test database, migrated like
# the primary, so a read that went there finds the replica's rows, not the primary's): off, except
# where tests/test_replica.py turns the routing on.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"NAME": f"test_{DATABASES['default']['NAME']}_replica"}}  # noqa: F405
KHUYENCONG_READ_REPLICA = False
