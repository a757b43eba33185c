"""schemathesis runs the API against its own OpenAPI schema: no 500, no response that breaks the schema (issue 18).

The schema is read from the running application (/api/v1/schema/) and every operation is called
with generated parameters, in process (WSGI), as a Ministry reviewer and as a province's officer.
Every check runs but one: a request valid by the schema may still be refused with a documented
400, because the period's rules (the first day before the last, at most a year) are not what an
OpenAPI schema can say.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_connection():
    """Keep the test's database connection between the requests, as Django's test client does (the WSGI
    handler would close it at the end of each request, and the test's transaction with it)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["ministry_reviewer", "thanhhoa_officer"])
def token(request, thanhhoa_2024):
    return Token.objects.create(user=request.getfixturevalue(request.param)).key


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_to_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, excluded_checks=[positive_data_acceptance])


def test_the_schema_names_every_endpoint():
    paths = set(schema.raw_schema["paths"])
    assert {"/api/v1/status/", "/api/v1/completeness/", "/api/v1/provinces/{code}/projects/"} <= paths
