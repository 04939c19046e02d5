"""Finding policy files, versioning them by content, and overriding them from a directory."""

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from bankdesk.bootstrap import bootstrap, build_policy_engine
from bankdesk.domain.decision import Outcome
from bankdesk.domain.errors import InvalidPolicy, InvalidSettings, PolicyNotFound
from bankdesk.policy.engine import PolicyEngine
from bankdesk.policy.registry import PACKAGED_POLICY_DIR, discover, read_policy
from bankdesk.settings import Settings

SEED_DTI = PACKAGED_POLICY_DIR / "seed-dti.json"
SEED_RISK = PACKAGED_POLICY_DIR / "seed-risk-score.json"
INCOME_5500 = {
    "income": Decimal("5500"),
    "monthly_debt": Decimal("1000"),
    "requested_amount": Decimal("20000"),
}


def engine_with(policy_dir: Path) -> PolicyEngine:
    return build_policy_engine(Settings(_env_file=None, policy_dir=policy_dir))  # type: ignore[call-arg]


def sha256_version(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_packaged_directory_holds_the_seed_policies():
    found = discover([PACKAGED_POLICY_DIR])

    assert {"seed-dti", "seed-risk-score"} <= set(found)


@pytest.mark.parametrize("path", [SEED_DTI, SEED_RISK], ids=lambda path: path.stem)
def test_version_is_the_sha256_of_the_file_bytes(path):
    policy = discover([PACKAGED_POLICY_DIR])[path.stem]

    assert policy.version == sha256_version(path)
    assert policy.ref.id == path.stem


def test_changing_one_byte_changes_the_version_and_keeps_the_id(tmp_path):
    same_dir, edited_dir = tmp_path / "same", tmp_path / "edited"
    same_dir.mkdir()
    edited_dir.mkdir()
    content = SEED_DTI.read_bytes()
    assert b'"x": 50,' in content
    (same_dir / "seed-dti.json").write_bytes(content)
    # Move a node one pixel in the editor: the rules do not change, the version does.
    (edited_dir / "seed-dti.json").write_bytes(content.replace(b'"x": 50,', b'"x": 51,', 1))

    original = read_policy(SEED_DTI)
    same = read_policy(same_dir / "seed-dti.json")
    edited = read_policy(edited_dir / "seed-dti.json")

    assert same.version == original.version
    assert edited.version != original.version
    assert edited.id == original.id == "seed-dti"


def test_extra_directory_adds_a_policy(tmp_path):
    (tmp_path / "house-score.json").write_bytes(SEED_RISK.read_bytes())

    engine = engine_with(tmp_path)
    result = engine.evaluate(
        "house-score",
        {
            "applicant_id": "APP-001",
            "amount": Decimal(5000),
            "income": Decimal(90000),
            "employment_years": 6,
        },
    )

    assert {"house-score", "seed-dti", "seed-risk-score"} <= set(engine.ids())
    assert result.policy.id == "house-score"
    assert result.outcome is Outcome.APPROVE


def test_extra_directory_overrides_a_packaged_policy_by_id(tmp_path, policies):
    text = SEED_DTI.read_text()
    assert text.count("5000") == 2  # the approval income band and the approve rule
    override = tmp_path / "seed-dti.json"
    override.write_text(text.replace("5000", "6000"))

    engine = engine_with(tmp_path)
    before = policies.evaluate("seed-dti", INCOME_5500)
    after = engine.evaluate("seed-dti", INCOME_5500)

    assert before.outcome is Outcome.APPROVE
    assert after.outcome is Outcome.REVIEW
    assert [reason.code for reason in after.reasons] == ["INCOME_BELOW_APPROVAL_MINIMUM"]
    assert after.policy.version == sha256_version(override) != before.policy.version
    assert engine.get("seed-risk-score").version == policies.get("seed-risk-score").version


def test_bootstrap_decides_with_the_overriding_policy(tmp_path):
    (tmp_path / "seed-dti.json").write_text(SEED_DTI.read_text().replace("5000", "6000"))
    settings = Settings(_env_file=None, policy_dir=tmp_path)  # type: ignore[call-arg]

    decision = bootstrap(settings).lending.decide_text(
        "Loan ID: LN-5500\nBorrower: Maya Chen\nMonthly income: $5500\n"
        "Monthly debt payments: $1000\nRequested amount: $20000\n"
    )

    assert decision.outcome is Outcome.REVIEW
    assert decision.policy.version == sha256_version(tmp_path / "seed-dti.json")


def graph(*nodes: dict) -> str:
    return json.dumps({"contentType": "application/vnd.gorules.decision", "nodes": list(nodes)})


INPUT_WITH_SCHEMA = {"id": "in", "name": "in", "type": "inputNode", "content": {"schema": "{}"}}
OUTPUT = {"id": "out", "name": "out", "type": "outputNode"}


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        pytest.param("{not json", "not a readable JSON file", id="not-json"),
        pytest.param(b"\xff\xfe{}", "not a readable JSON file", id="not-utf8"),
        pytest.param("[]", "no 'nodes' list", id="json-array"),
        pytest.param('{"edges": []}', "no 'nodes' list", id="json-without-nodes"),
        pytest.param(graph(OUTPUT), "exactly one input node, found 0", id="no-input-node"),
        pytest.param(
            graph(INPUT_WITH_SCHEMA, {**INPUT_WITH_SCHEMA, "id": "in2"}, OUTPUT),
            "exactly one input node, found 2",
            id="two-input-nodes",
        ),
        pytest.param(
            graph({"id": "in", "name": "in", "type": "inputNode"}, OUTPUT),
            "input node has no JSON schema",
            id="input-node-without-schema",
        ),
        pytest.param(
            graph({**INPUT_WITH_SCHEMA, "content": {"schema": ""}}, OUTPUT),
            "input node has no JSON schema",
            id="input-node-empty-schema",
        ),
        pytest.param(
            json.dumps({"contentType": "text/plain", "nodes": [INPUT_WITH_SCHEMA]}),
            "contentType is 'text/plain'",
            id="wrong-content-type",
        ),
        pytest.param(json.dumps({"nodes": ["request"]}), "node", id="nodes-not-objects"),
    ],
)
def test_invalid_policy_file_is_refused_with_a_clear_message(tmp_path, content, complaint):
    path = tmp_path / "broken.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)

    with pytest.raises(InvalidPolicy) as refused:
        engine_with(tmp_path)

    assert str(path) in str(refused.value)
    assert complaint in str(refused.value)


def test_graph_zen_cannot_load_is_refused_with_its_cause_not_a_backtrace(tmp_path):
    (tmp_path / "broken.json").write_text(graph(INPUT_WITH_SCHEMA, {"id": "x", "type": "?"}))

    with pytest.raises(InvalidPolicy) as refused:
        engine_with(tmp_path)

    message = str(refused.value)
    assert "broken.json" in message
    assert "missing field `name`" in message
    assert "backtrace" not in message.lower()


def test_missing_policy_directory_is_refused(tmp_path):
    missing = tmp_path / "no-such-dir"

    with pytest.raises(InvalidPolicy, match="does not exist") as refused:
        engine_with(missing)

    assert str(missing) in str(refused.value)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda engine: engine.get("nope"), id="get"),
        pytest.param(lambda engine: engine.evaluate("nope", INCOME_5500), id="evaluate"),
    ],
)
def test_unknown_policy_id_lists_the_available_ones(policies, call):
    with pytest.raises(PolicyNotFound) as not_found:
        call(policies)

    message = str(not_found.value)
    assert "'nope'" in message
    assert "seed-dti" in message
    assert "seed-risk-score" in message
    assert not_found.value.available == policies.ids()


def test_bootstrap_with_unknown_lending_policy_fails_at_start_up():
    settings = Settings(_env_file=None, lending_policy="nope")  # type: ignore[call-arg]

    with pytest.raises(InvalidSettings, match="BANKDESK_LENDING_POLICY is 'nope'"):
        bootstrap(settings)
