"""Amounts are typed and shown as officials write them: 300.000.000 đồng."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from programmes.forms import MoneyField, MoneyInput
from programmes.models import Disbursement
from tests.admin_posts import disbursement_post
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["300.000.000", "300000000", " 300.000.000 ", "300 000 000"])
def test_it_accepts_grouped_and_plain_amounts(typed):
    with translation.override("vi"):
        assert MoneyField().clean(typed) == 300_000_000


def test_it_refuses_decimals_in_the_users_language():
    with translation.override("vi"):
        with pytest.raises(ValidationError) as exc_info:
            MoneyField().clean("1,5")
        assert exc_info.value.messages == [
            "Nhập số đồng nguyên, không có phần thập phân (dấu chấm ngăn cách hàng nghìn: 1.234.567)."
        ]


def test_english_users_type_commas():
    with translation.override("en"):
        assert MoneyField().clean("300,000,000") == 300_000_000


def test_the_widget_shows_the_amount_grouped():
    with translation.override("vi"):
        assert MoneyInput().format_value(1_234_567) == "1.234.567"


def test_a_grouped_amount_posted_to_the_admin_is_saved(client, thanhhoa_officer):
    project = ProjectFactory()
    client.force_login(thanhhoa_officer)
    response = client.post(
        reverse("admin:programmes_disbursement_add"), disbursement_post(project, amount="12.500.000")
    )
    assert response.status_code == 302
    assert Disbursement.objects.get().amount == 12_500_000
