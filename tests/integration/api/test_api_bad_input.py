"""Bad input gets a clear 4xx naming the problem, stores nothing, and never a 500."""

import pytest
from tests.support.seeds import SEED_EVENT, SEED_TEXT

APPLY = {"applicant_id": "cust_1001", "amount": 5000, "income": 90000, "employment_years": 6}
JSON = {"Content-Type": "application/json"}


def changed(payload, **changes):
    return {**payload, **changes}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/lending/intake", b'{"text": "I need a loan', id="intake-truncated"),
        pytest.param(
            "/lending/apply", b'{"applicant_id": "cust_1001",}', id="apply-trailing-comma"
        ),
    ],
)
async def test_invalid_json_is_422_with_a_message(
    client, intake_headers, count_applications, path, body
):
    response = await client.post(path, content=body, headers={**intake_headers, **JSON})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["msg"]) == ("json_invalid", "JSON decode error")
    assert await count_applications() == 0


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        pytest.param("/lending/apply", changed(APPLY, income="abc"), "income",
                     id="apply-income-abc"),
        pytest.param("/lending/apply", changed(APPLY, employment_years=2.5), "employment_years",
                     id="apply-employment-years-2.5"),
        pytest.param("/lending/apply", changed(APPLY, applicant_id="ab"), "applicant_id",
                     id="apply-applicant-id-too-short"),
        pytest.param("/lending/apply", changed(APPLY, amount=0), "amount", id="apply-amount-0"),
        pytest.param("/lending/apply", changed(APPLY, amount=-1), "amount",
                     id="apply-amount-minus-1"),
        pytest.param("/lending/decide", changed(SEED_EVENT, income=True), "income",
                     id="decide-income-boolean"),
        pytest.param("/lending/intake", {"text": ""}, "text", id="intake-empty-text"),
    ],
)  # fmt: skip
async def test_wrong_values_are_422_naming_the_field(
    client, intake_headers, count_applications, path, payload, field
):
    response = await client.post(path, json=payload, headers=intake_headers)

    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [error["loc"] for error in errors] == [["body", field]]
    assert errors[0]["msg"]
    assert await count_applications() == 0


async def test_text_over_the_limit_is_422_before_anything_is_stored(
    client, intake_headers, count_applications
):
    response = await client.post(
        "/lending/intake", json={"text": "x" * 20_001}, headers=intake_headers
    )

    assert response.status_code == 422
    assert "20,001 characters; the limit is 20,000" in response.json()["detail"]
    assert await count_applications() == 0


async def test_text_of_exactly_the_limit_is_accepted(client, intake_headers):
    text = (SEED_TEXT + " " * 20_000)[:20_000]

    response = await client.post("/lending/intake", json={"text": text}, headers=intake_headers)

    assert (response.status_code, response.json()["decision"]) == (201, "approve")


async def test_a_body_declared_too_large_is_413(client, intake_headers, count_applications):
    body = b'{"text": "' + b"x" * (256 * 1024) + b'"}'

    response = await client.post("/lending/intake", content=body, headers=intake_headers)

    assert response.status_code == 413
    assert response.json() == {"detail": "request body is larger than 262144 bytes"}
    assert await count_applications() == 0


async def test_a_streamed_body_that_grows_too_large_is_413(
    client, intake_headers, count_applications
):
    async def chunks():
        yield b'{"text": "'
        for _ in range(40):
            yield b"x" * 8192
        yield b'"}'

    response = await client.post(
        "/lending/intake", content=chunks(), headers={**intake_headers, **JSON}
    )

    assert "Content-Length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == {"detail": "request body is larger than 262144 bytes"}
    assert await count_applications() == 0


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param("🏠💶 👩🏽‍💻 ملاحظة: أحتاج القرض \u202eRTL\u202c, Café Ørsted, e\u0301 \ufeff",
                     id="emoji-rtl-accents"),
        pytest.param("<script>alert('approve me')</script><b>&amp;</b> \"q\" \\ back",
                     id="html-and-script"),
        pytest.param("\r\nWindows line\r\n\ttabbed\u2028line separator", id="crlf-tabs-separators"),
    ],
)  # fmt: skip
async def test_unusual_text_is_stored_exactly_and_returned_as_json(client, intake_headers, extra):
    text = SEED_TEXT + extra

    created = await client.post("/lending/intake", json={"text": text}, headers=intake_headers)
    record = await client.get(
        f"/lending/applications/{created.json()['application_id']}", headers=intake_headers
    )

    assert (created.status_code, created.json()["decision"]) == (201, "approve")
    assert record.headers["Content-Type"] == "application/json"
    assert record.json()["raw_request"] == text


async def test_a_nul_character_is_stored_exactly_or_refused_never_a_500(client, intake_headers):
    text = SEED_TEXT + "Note: nul\x00here"

    created = await client.post("/lending/intake", json={"text": text}, headers=intake_headers)

    assert created.status_code in (201, 422)
    if created.status_code == 201:
        record = await client.get(
            f"/lending/applications/{created.json()['application_id']}", headers=intake_headers
        )
        assert record.json()["raw_request"] == text


async def test_a_nul_character_in_a_structured_event_is_never_a_500(client, intake_headers):
    payload = changed(SEED_EVENT, borrower_name="Maya\x00Chen")

    response = await client.post("/lending/decide", json=payload, headers=intake_headers)

    assert response.status_code in (201, 422)


async def test_a_lone_surrogate_is_422_naming_the_field(client, intake_headers, count_applications):
    # Valid JSON, but "\ud800" is no Unicode character.
    body = b'{"text": "Borrower: Maya Chen \\ud800"}'

    response = await client.post(
        "/lending/intake", content=body, headers={**intake_headers, **JSON}
    )

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "text"]]
    assert await count_applications() == 0


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        pytest.param("/lending/applications/abc%00def", "application_id", id="application-id"),
        pytest.param("/lending/applicants/abc%00def/history", "applicant_id", id="applicant-id"),
    ],
)
async def test_a_control_character_in_an_id_is_422_naming_it(
    client, admin_headers, path, parameter
):
    response = await client.get(path, headers=admin_headers)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["path", parameter]]


async def test_an_extreme_income_to_amount_ratio_is_scored_or_refused_never_a_500(
    client, intake_headers
):
    payload = changed(APPLY, amount="0.01", income="9999999999999999.99")

    response = await client.post("/lending/apply", json=payload, headers=intake_headers)

    assert response.status_code in (200, 422)
