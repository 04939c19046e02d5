"""Rich renderings of decisions and policies for the terminal."""

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bankdesk.domain.application import Field
from bankdesk.domain.decision import Outcome
from bankdesk.lending.flow import LendingDecision
from bankdesk.lending.guardrails import FIELD_LABELS
from bankdesk.policy.describe import PolicyDescription, Step

OUTCOME_STYLES: dict[Outcome, str] = {
    Outcome.APPROVE: "bold green",
    Outcome.REVIEW: "bold yellow",
    Outcome.DECLINE: "bold red",
    Outcome.INCOMPLETE: "bold magenta",
}


def short_version(version: str) -> str:
    """A policy version shortened for display: the hash's first 12 hex digits."""
    return version.removeprefix("sha256:")[:12]


def outcome_text(outcome: Outcome) -> Text:
    """An outcome in its colour."""
    return Text(outcome.value, style=OUTCOME_STYLES[outcome])


def decision_panel(decision: LendingDecision) -> Panel:
    """A decision with its fields, the text each came from, reasons and next step."""
    header = Text.assemble(
        outcome_text(decision.outcome),
        "  next step: ",
        (decision.next_action.value, "bold"),
    )
    if decision.dti_rounded is not None:
        header.append(f"  dti: {decision.dti_rounded}")
    parts: list[RenderableType] = [header, _fields_table(decision)]
    if decision.reasons:
        reasons = Table("code", "reason", title="Reasons", title_justify="left", expand=True)
        for reason in decision.reasons:
            reasons.add_row(Text(reason.code), Text(reason.message))
        parts.append(reasons)
    if decision.reading is not None and decision.reading.calls:
        parts.append(_reading_text(decision))
    policy = decision.policy
    parts.append(Text(f"policy {policy.id} @ {short_version(policy.version)}", style="dim"))
    title = Text(f"Application {decision.application.loan_id}")
    if decision.loan_id_assigned:
        title.append(" (id assigned)")
    return Panel(Group(*parts), title=title, title_align="left")


def _reading_text(decision: LendingDecision) -> Text:
    reading = decision.reading
    if reading is None:
        return Text()
    calls = reading.calls
    line = Text(f"read by {reading.provider} ({reading.model}); {len(calls)} model call(s), ")
    line.append(
        f"{sum(c.tokens_in for c in calls)} tokens in, {sum(c.tokens_out for c in calls)} out"
    )
    if reading.degraded:
        line.append(f"\nDEGRADED: offline reading used alone ({reading.failure})", style="bold red")
    elif reading.failure:
        line.append(f"\nmodel failed: {reading.failure}", style="bold red")
    for name, why in reading.conflicts.items():
        line.append(f"\nconflict on {FIELD_LABELS[name]}: {why}", style="yellow")
    for failure in reading.grounding_failures:
        line.append(f"\nnot in the text: {failure}", style="yellow")
    return line


def _fields_table(decision: LendingDecision) -> Table:
    # Every piece of borrower text goes in as Text, never as markup: "[red]" stays literal.
    table = Table("field", "value", "from the text", expand=True)
    extraction = decision.extraction
    sources = decision.reading.sources if decision.reading and decision.reading.calls else {}
    for name in Field:
        value = decision.application.value(name)
        evidence = extraction.values.get(name) if extraction else None
        source = Text(" + ".join(f"“{span.text}”" for span in evidence.spans) if evidence else "")
        if evidence and evidence.note:
            source.append(f"  ({evidence.note})", style="dim")
        if name in sources:
            source.append(f"  [{sources[name]}]", style="cyan")
        if extraction and name in extraction.unsure:
            source = Text(f"left empty: {extraction.unsure[name]}", style="magenta")
        if value is None and not source:
            continue
        shown = "—" if value is None else f"{value:,}" if not isinstance(value, str) else value
        table.add_row(FIELD_LABELS[name], Text(shown), source)
    return table


def policy_panel(description: PolicyDescription) -> Group:
    """A policy's inputs and each step of its decision graph."""
    parts: list[RenderableType] = [
        Text.assemble((description.id, "bold"), f"  {description.version}"),
        Text(description.path, style="dim"),
    ]
    inputs = Table("input", "type", "required", "constraints", "description", title="Inputs",
                   title_justify="left")  # fmt: skip
    for item in description.inputs:
        inputs.add_row(item.name, item.type, "yes" if item.required else "", item.constraints,
                       item.description)  # fmt: skip
    parts.append(inputs)
    for step in description.steps:
        parts.append(_step_table(step) if step.rules or step.expressions else
                     Text(f"{step.kind} {step.name}", style="dim"))  # fmt: skip
    return Group(*parts)


def _step_table(step: Step) -> Table:
    title = f"{step.name} ({step.kind})"
    if step.hit_policy:
        title = f"{step.name} ({step.kind}, hit policy {step.hit_policy})"
    if step.rules:
        first = step.rules[0]
        table = Table("rule", *first.conditions, *first.outputs, title=title, title_justify="left")
        for rule in step.rules:
            cells = [cell or "—" for cell in rule.conditions.values()]
            table.add_row(rule.id, *cells, *rule.outputs.values())
        return table
    table = Table("key", "expression", title=title, title_justify="left")
    for key, expression in step.expressions.items():
        table.add_row(key, expression)
    return table
