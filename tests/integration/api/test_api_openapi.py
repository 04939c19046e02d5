"""The OpenAPI document a client generator reads: every lending path, its auth and its errors."""

import asyncio

import httpx
import pytest

from bankdesk.api.app import create_app

READ = {"200", "401", "403", "422"}
SUBMIT = {"401", "403", "409", "422"}


@pytest.fixture(scope="module")
def openapi(app):
    """The served OpenAPI document (building it touches no database)."""

    async def fetch():
        transport = httpx.ASGITransport(app=create_app(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://bankdesk.test") as http:
            return await http.get("/openapi.json")

    response = asyncio.run(fetch())
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    ("method", "path", "documented"),
    [
        pytest.param("post", "/lending/apply", SUBMIT | {"200"}, id="apply"),
        pytest.param("post", "/lending/intake", SUBMIT | {"201", "202"}, id="intake"),
        pytest.param("post", "/lending/decide", SUBMIT | {"201", "202"}, id="decide"),
        pytest.param("get", "/lending/applicants/{applicant_id}/history", READ, id="history"),
        pytest.param("get", "/lending/applicants/{applicant_id}/evaluation", READ,
                     id="evaluation"),
        pytest.param("get", "/lending/applications/{application_id}", READ | {"404"},
                     id="record"),
        pytest.param("get", "/lending/applications/{application_id}/explanation",
                     READ | {"404"}, id="explanation"),
        pytest.param("get", "/lending/applications/{application_id}/audit", READ | {"404"},
                     id="audit"),
    ],
)  # fmt: skip
def test_each_lending_operation_documents_bearer_auth_and_its_errors(
    openapi, method, path, documented
):
    operation = openapi["paths"][path][method]

    assert operation["security"] == [{"HTTPBearer": []}]
    assert documented <= set(operation["responses"])


def test_the_document_describes_every_lending_path_and_the_bearer_scheme(openapi):
    lending = {path for path in openapi["paths"] if path.startswith("/lending/")}

    assert len(lending) == 8
    assert openapi["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key from `bankdesk keys create`.",
    }
    for path in ("/health/live", "/health/ready", "/metrics"):
        assert "security" not in openapi["paths"][path]["get"]
