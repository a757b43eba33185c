"""Strings our catalogue must carry although no Python code of ours uses them.

django-simple-history ships no Vietnamese catalogue, Django's own lacks a few recent admin
strings, and the project templates in templates/ sit outside the app that `make messages` scans.
Marked here so they are extracted; Django merges the catalogues of all apps at run time.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

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
    # templates/admin/pagination.html and search_form.html (bounded counts, programmes.lists).
    gettext_noop("more than %(limit)s %(name)s"),
    gettext_noop("more than %(limit)s results"),
    gettext_noop("Clear search and filters"),
    gettext_noop(
        "Only the first rows are paged: narrow the list with a filter or a search, or reverse the sort, "
        "to reach the others."
    ),
    # Django admin (5.x) strings missing from its Vietnamese catalogue.
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Error:"),
    # Django's Vietnamese wording that reads wrong here: "Thêm vào" is "add to", "Bởi tỉnh" is "by
    # (the agent) province", and "Hoạt động" is the word of "nội dung hoạt động".
    gettext_noop("Add"),
    gettext_noop("Add %(name)s"),
    gettext_noop(" By %(filter_title)s "),
    gettext_noop("Action:"),
    gettext_noop("Run the selected action"),
    gettext_noop("Recent actions"),
    gettext_noop("My actions"),
    # templates/admin/base_site.html and templates/simple_history/object_history_list.html
    gettext_noop("Language"),
    # templates/error_page.html and the 400, 403, 404 and 500 pages
    gettext_noop("Back to the start page"),
    gettext_noop("Error"),
    gettext_noop("Bad request"),
    gettext_noop(
        "The request could not be understood: it holds characters or values the application does not accept. "
        "Nothing was changed."
    ),
    gettext_noop("Access denied"),
    gettext_noop(
        "You do not have permission to do this. Nothing was changed. If you think you should, ask your administrator."
    ),
    gettext_noop("Page not found"),
    gettext_noop("The page or record does not exist, or it belongs to another province."),
    gettext_noop("The form has expired"),
    gettext_noop(
        "The page was open too long, or the browser did not send this site's cookie, so the form was not "
        "accepted. Nothing was changed. Go back, reload the page and send it again; if this happens again, "
        "allow cookies for this site in the browser."
    ),
    gettext_noop("Something went wrong"),
    gettext_noop(
        "The application met an error and nothing was changed. The error has been recorded; please try again later."
    ),
]
# Django admin's error note above a form: its Vietnamese catalogue has the two forms as separate
# messages, but the template asks for one plural message.
FORM_ERRORS_NOTE = ngettext_lazy("Please correct the error below.", "Please correct the errors below.", "count")
HISTORY_COUNT = ngettext_lazy("%(counter)s change", "%(counter)s changes", "counter")
