"""Settings for the test suite: the production settings with a throw-away key and plain cookies."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from .settings import *  # noqa: E402,F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Tests change settings (lag months, deadlines) over the same data: the figures cache is tested on
# its own (tests/test_oversight.py), off elsewhere.
KHUYENCONG_FIGURES_CACHE_SECONDS = 0
