"""Signing in to the review console over HTTP, as its sign-in form does."""

import re

import httpx

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token a console page's forms carry."""
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found[1]


async def sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """Load the sign-in form and send it with the key; the client keeps the cookie."""
    form = await client.get("/console/sign-in")
    return await client.post(
        "/console/sign-in", data={"key": key, "csrf": csrf_of(form), "after": "/console"}
    )
