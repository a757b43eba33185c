"""Strings of django-simple-history, which ships no Vietnamese catalogue.

Marked here so that `make messages` extracts them into our catalogue; Django merges the
catalogues of all apps, so these translations apply to simple-history's admin pages.
"""

from django.utils.translation import gettext_noop

VENDOR_STRINGS = [
    gettext_noop("Object"),
    gettext_noop("Date/time"),
    gettext_noop("Comment"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Changes"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("None"),
    gettext_noop("History"),
    gettext_noop("Change history: %s"),
    gettext_noop("View history: %s"),
    gettext_noop("View %s"),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Choose a date from the list below to revert to a previous version of this object."),
]
