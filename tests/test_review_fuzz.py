"""The review API fuzzed from its own OpenAPI schema (schemathesis): no
request, however odd, gets a 500 (a bug) — every answer is a JSON message."""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from align.review.app import create_app  # noqa: E402
from align.review.service import open_review  # noqa: E402

from review_fixtures import template_db  # noqa: E402,F401 - fixtures

pytestmark = pytest.mark.slow
HOST = {"host": "127.0.0.1:8765"}  # the app answers to localhost only




class Current:
    """An ASGI app that passes each request to the app of the test running
    now (the schema is read once, from an app with no project behind it)."""

    app = create_app(None)

    async def __call__(self, scope, receive, send):
        await Current.app(scope, receive, send)


schema = schemathesis.openapi.from_asgi("/api/openapi.json", Current(), headers=HOST)


@pytest.fixture(autouse=True, scope="module")
def served(tmp_path_factory, template_db):
    import shutil

    db = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite"
    shutil.copy(template_db, db)
    review = open_review(db)
    Current.app = create_app(review)
    yield
    review.store.close()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_request_gets_a_server_error(case):
    from schemathesis.checks import not_a_server_error

    response = case.call(headers=HOST)
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, response.text
    assert response.headers["content-type"][0].startswith("application/json")
    if response.status_code >= 400:
        assert response.json()["message"]
