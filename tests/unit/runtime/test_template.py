"""The SAM template in deploy/aws: it lints clean, its handlers import, it deploys exactly the
catalog's functions with the catalog's limits plus the HTTP API, every function can read its
two secrets, and only the router and the API may invoke functions, each named by its ARN.

cfn-lint is a dev dependency: without it this module fails to import rather than skip.
"""

import fnmatch
import importlib
from pathlib import Path

import cfnlint.api
import pytest
from cfnlint.decode import decode_str

from bankdesk.banking.agents import AGENTS
from bankdesk.runtime.catalog import CATALOG
from bankdesk.runtime.executor import LENDING_DECISION, ROUTER
from bankdesk.runtime.secrets import SECRETS

TEMPLATE = Path(__file__).resolve().parents[3] / "deploy" / "aws" / "template.yaml"
SERVERLESS_FUNCTION = "AWS::Serverless::Function"
PREFIX = "${FunctionPrefix}"
API = "api"  # the template's name for the HTTP API's function, beside the catalog's
API_HANDLER = "bankdesk.runtime.handlers.api"
API_GATEWAY_LIMIT_SECONDS = 30
# Managed policies, and a SAM policy template whose ARN ends in a wildcard, that grant invoke.
INVOKING_POLICIES = ("LambdaInvokePolicy", "AWSLambdaRole", "AWSLambda_FullAccess", "Administrator")


@pytest.fixture(scope="module")
def template():
    parsed, problems = decode_str(TEMPLATE.read_text())
    assert not problems, [str(problem) for problem in problems]
    return parsed


@pytest.fixture(scope="module")
def functions(template):
    """The template's functions by seed name (the API's as `api`): logical id and properties
    as written, without the Globals."""
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != SERVERLESS_FUNCTION:
            continue
        properties = resource["Properties"]
        if properties["Handler"] == API_HANDLER:
            name = API
        else:
            deployed = properties["FunctionName"]["Fn::Sub"]
            assert deployed.startswith(PREFIX), f"{logical_id}: the name must start with the prefix"
            name = deployed.removeprefix(PREFIX)
        assert name not in found, f"two functions are called {name}"
        found[name] = (logical_id, properties)
    return found


def environment(template, properties):
    """A function's environment variables: the Globals' with its own over them."""
    shared = template["Globals"]["Function"]["Environment"]["Variables"]
    own = properties.get("Environment", {}).get("Variables", {})
    return {**shared, **own}


def statements(node):
    """Every IAM statement (a mapping with an Action) anywhere under node, also inside Fn::If."""
    if isinstance(node, dict):
        if "Action" in node:
            yield node
        else:
            for value in node.values():
                yield from statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from statements(item)


def as_list(value):
    return value if isinstance(value, list) else [value]


def grants_invoke(statement):
    actions = [action.lower() for action in as_list(statement["Action"])]
    return any(fnmatch.fnmatch("lambda:invokefunction", action) for action in actions)


def names_an_invoking_policy(node):
    """Whether a Policies entry is a managed policy or SAM policy template that may invoke."""
    text = str(node)
    return any(marker in text for marker in INVOKING_POLICIES)


def invoke_targets(properties):
    """The resources a function's own policies let it invoke."""
    targets = []
    for statement in statements(properties.get("Policies", [])):
        if grants_invoke(statement):
            targets.extend(as_list(statement["Resource"]))
    return targets


def test_template_passes_cfn_lint():
    matches = cfnlint.api.lint_file(TEMPLATE)

    assert [str(match) for match in matches] == []


def test_every_handler_imports_and_is_callable(functions):
    for name, (logical_id, properties) in functions.items():
        module_name, attribute = properties["Handler"].rsplit(".", 1)
        module = importlib.import_module(module_name)

        assert callable(getattr(module, attribute, None)), f"{logical_id} ({name})"


def test_the_functions_are_the_catalogs_and_the_api(functions):
    assert set(functions) == {*CATALOG, API}


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_each_function_has_the_catalogs_handler_and_limits(functions, name):
    spec = CATALOG[name]
    _, properties = functions[name]

    assert properties["Handler"] == spec.handler
    assert spec.timeout_seconds == int(spec.timeout_seconds), "Lambda takes whole seconds"
    assert properties["Timeout"] == int(spec.timeout_seconds)
    assert properties["MemorySize"] == spec.memory_mb
    assert properties.get("ReservedConcurrentExecutions") == spec.reserved_concurrency
    own = properties.get("Environment", {}).get("Variables", {})
    assert spec.environment.items() <= own.items()


def test_the_api_function_serves_every_route_within_api_gateways_limit(template, functions):
    _, properties = functions[API]
    events = list(properties["Events"].values())

    assert properties["Timeout"] < API_GATEWAY_LIMIT_SECONDS
    assert len(events) == 1
    event = events[0]["Properties"]
    assert events[0]["Type"] == "HttpApi"
    assert (event["Path"], event["Method"]) in {("$default", "ANY"), ("/{proxy+}", "ANY")}
    api = template["Resources"][event["ApiId"]["Ref"]]
    assert api["Type"] == "AWS::Serverless::HttpApi"
    importlib.import_module("mangum")  # the handler imports it on its first request


def test_only_the_router_and_the_api_fan_out(template, functions):
    executors = {
        name: environment(template, properties).get("BANKDESK_EXECUTOR", "local")
        for name, (_, properties) in functions.items()
    }

    assert {name for name, executor in executors.items() if executor == "lambda"} == {ROUTER, API}
    assert set(executors.values()) == {"local", "lambda"}


def test_only_the_router_and_the_api_may_invoke_functions(template, functions):
    invokers = {name for name, (_, properties) in functions.items() if invoke_targets(properties)}

    assert invokers == {ROUTER, API}
    for logical_id, properties in functions.values():
        assert not any(names_an_invoking_policy(policy) for policy in properties["Policies"]), (
            f"{logical_id} has a policy that invokes by wildcard"
        )
    others = {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] != SERVERLESS_FUNCTION
    }
    for logical_id, resource in others.items():
        assert not any(grants_invoke(s) for s in statements(resource.get("Properties", {}))), (
            f"{logical_id} grants lambda:InvokeFunction outside the router and the API"
        )


def test_invoke_permissions_name_each_function_by_its_arn(functions):
    logical_ids = {name: logical_id for name, (logical_id, _) in functions.items()}
    wanted = {
        ROUTER: set(AGENTS),
        API: {*AGENTS, LENDING_DECISION},
    }

    for invoker, names in wanted.items():
        targets = invoke_targets(functions[invoker][1])
        assert not [target for target in targets if "*" in str(target)], invoker
        assert all(isinstance(target, dict) and "Fn::GetAtt" in target for target in targets)
        assert sorted(target["Fn::GetAtt"] for target in targets) == sorted(
            [logical_ids[name], "Arn"] for name in names
        ), invoker


def test_every_function_reads_exactly_its_two_secrets(template, functions):
    readers = []
    for logical_id, resource in template["Resources"].items():
        granted = list(statements(resource.get("Properties", {})))
        if any(
            "secretsmanager:" in str(s["Action"]) or "ssm:" in str(s["Action"]) for s in granted
        ):
            readers.append(logical_id)
    assert len(readers) == 1, f"one policy reads the secrets, not {readers}"
    policy = template["Resources"][readers[0]]
    actions = {action for s in statements(policy["Properties"]) for action in as_list(s["Action"])}
    resources = [str(s["Resource"]) for s in statements(policy["Properties"])]

    assert actions == {"secretsmanager:GetSecretValue", "ssm:GetParameter"}
    assert not [resource for resource in resources if "*" in resource]
    for name, (logical_id, properties) in functions.items():
        assert {"Ref": readers[0]} in properties["Policies"], f"{logical_id} cannot read secrets"
        assert set(SECRETS) <= set(environment(template, properties)), name
