"""A function's secrets are looked up by the names its configuration gives, once, and never
over a value that is set already."""

import pytest

from bankdesk.runtime.secrets import is_parameter, load_secrets

SECRETS = {
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:bankdesk/db-AbCdEf": "postgresql+asyncpg://u:p@db/bank",
    "/bankdesk/prod/openai-key": "sk-test",
}


def test_named_secrets_fill_the_variables_they_stand_for() -> None:
    environ = {
        "BANKDESK_DATABASE_URL_SECRET": next(iter(SECRETS)),
        "OPENAI_API_KEY_SECRET": "/bankdesk/prod/openai-key",
    }

    load_secrets(environ, SECRETS.__getitem__)

    assert environ["BANKDESK_DATABASE_URL"] == "postgresql+asyncpg://u:p@db/bank"
    assert environ["OPENAI_API_KEY"] == "sk-test"


def test_a_value_already_set_is_kept_and_nothing_is_fetched() -> None:
    environ = {"BANKDESK_DATABASE_URL_SECRET": "db", "BANKDESK_DATABASE_URL": "sqlite:///x"}

    def fetch(name: str) -> str:
        raise AssertionError(f"fetched {name}")

    load_secrets(environ, fetch)

    assert environ["BANKDESK_DATABASE_URL"] == "sqlite:///x"


@pytest.mark.parametrize(
    ("name", "parameter"),
    [
        ("/bankdesk/prod/db-url", True),
        ("arn:aws:ssm:us-east-1:123456789012:parameter/bankdesk/db-url", True),
        ("arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/db", True),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", False),
        ("bankdesk/db", False),
    ],
)
def test_ssm_parameters_and_secrets_manager_secrets_are_told_apart(name, parameter) -> None:
    assert is_parameter(name) is parameter
