"""Secrets for a Lambda function, read at its cold start from Secrets Manager or SSM.

The deployment template gives a function the *name* of a secret (BANKDESK_DATABASE_URL_SECRET,
OPENAI_API_KEY_SECRET), never its value, so the value is in neither the template nor the
function's configuration. A name starting with `/`, or an `arn:…:ssm:` ARN, is an SSM
SecureString parameter; anything else is a Secrets Manager secret id or ARN.
"""

from collections.abc import Callable, MutableMapping

SECRETS = {
    "BANKDESK_DATABASE_URL_SECRET": "BANKDESK_DATABASE_URL",
    "OPENAI_API_KEY_SECRET": "OPENAI_API_KEY",
}
Fetch = Callable[[str], str]


def load_secrets(environ: MutableMapping[str, str], fetch: Fetch | None = None) -> None:
    """Put each named secret's value in the variable it stands for, unless that is set."""
    wanted = {
        target: environ[source]
        for source, target in SECRETS.items()
        if environ.get(source) and not environ.get(target)
    }
    for target, name in wanted.items():
        environ[target] = (fetch or fetch_from_aws)(name)


def is_parameter(name: str) -> bool:
    """Whether a secret's name is an SSM parameter (else a Secrets Manager secret)."""
    return name.startswith("/") or (name.startswith("arn:") and ":ssm:" in name)


def fetch_from_aws(name: str) -> str:
    """The secret's value, from SSM or Secrets Manager (with the function's own role)."""
    import boto3  # only a function configured with secret names needs the SDK here

    if is_parameter(name):
        answer = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
        return str(answer["Parameter"]["Value"])
    return str(boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])
