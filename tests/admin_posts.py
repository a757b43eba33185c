"""Build the complete POST an admin page would send: its form and every inline, as rendered."""

from __future__ import annotations

import datetime

from django.db.models import Model
from django.forms import MultiWidget


def _posted(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [_posted(item) for item in value]
    if hasattr(value, "url") or hasattr(value, "read"):  # a stored file: keep it by not posting it
        return None
    return value


def _form_fields(form, prefix: str = "") -> dict:
    data = {}
    for name in form.fields:
        widget = form.fields[name].widget
        if isinstance(widget, MultiWidget):  # a date and a time (the admin's split date-time)
            for index, part in enumerate(widget.decompress(form[name].value())):
                if isinstance(part, datetime.time):
                    part = part.strftime("%H:%M:%S")
                if part is not None:
                    data[f"{form.add_prefix(name)}_{index}"] = _posted(part)
            continue
        value = _posted(form[name].value())
        if value is not None and value != []:
            data[form.add_prefix(name) if prefix is None else form.add_prefix(name)] = value
    return data


def page_data(response) -> dict:
    """Return the POST data of the admin add/change page in `response`, as a browser would send it."""
    context = response.context
    data = _form_fields(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{key}"] = management[key].value()
        for form in formset.forms:
            data.update(_form_fields(form))
    return data


def disbursement_post(project, **fields) -> dict:
    """A complete disbursement add form for `project`, as an officer would post it; `fields` override."""
    return {
        "project": project.pk,
        "paid_on": "01/07/2024",
        "amount": "12.500.000",
        "source": "ns_tinh",
        "kind": "thanh_toan",
        "voucher_number": "PC-1",
        "note": "",
        **fields,
    }
