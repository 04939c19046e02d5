"""A task's page shows the model calls that read the application: the real SDK against the
scripted local server, the console over HTTP, on both databases."""

import re

import httpx
from tests.support.openai_server import OpenAIServer, json_reply
from tests.support.review_console import sign_in

from bankdesk.api.app import create_app
from bankdesk.bootstrap import bootstrap
from bankdesk.domain.access import Role
from bankdesk.lending.facts import offline_facts
from bankdesk.settings import Settings
from bankdesk.store.unit_of_work import UnitOfWork

TEXT = (
    "Borrower: Sam Ortiz\nMonthly income: $2,000\nMonthly debt payments: $1,500\n"
    "Requested amount: $30,000"
)


async def test_the_case_file_lists_each_model_call_with_tokens_and_status(database_url) -> None:
    with OpenAIServer() as server:
        server.script(json_reply(offline_facts(TEXT).model_dump(mode="json"), input_tokens=812,
                                 output_tokens=143))  # fmt: skip
        wired = bootstrap(
            Settings(  # type: ignore[call-arg]
                database_url=database_url, llm_provider="openai",
                openai_base_url=server.base_url, llm_max_retries=0,
            )
        )  # fmt: skip
        try:
            async with UnitOfWork(wired.database.sessions, actor="test") as uow:
                intake = await uow.keys.create(role=Role.INTAKE, name="intake")
                underwriter = await uow.keys.create(role=Role.UNDERWRITER, name="Uma")
                await uow.commit()
            transport = httpx.ASGITransport(app=create_app(wired))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                decided = await http.post(
                    "/lending/intake", json={"text": TEXT},
                    headers={"Authorization": f"Bearer {intake.token}"},
                )  # fmt: skip
                await sign_in(http, underwriter.token)
                queue = await http.get("/console")
                task_id = re.search(r'href="/console/reviews/([0-9a-f]+)"', queue.text)
                assert task_id
                page = await http.get(f"/console/reviews/{task_id[1]}")
        finally:
            await wired.close()

    assert decided.json()["decision"] == "decline"
    assert page.status_code == 200
    calls = page.text.split('id="h-model"')[1].split("</section>")[0]
    assert f"{wired.settings.llm_model} <span" in calls
    assert "812 / 143" in calls
    assert re.search(r'data-label="Status">ok', calls)
