"""The general-support agent answers from the help articles, or honestly hands over."""

import pytest
from tests.support.agents import run_agent

from bankdesk.banking.schemas import AgentResult, Urgency
from bankdesk.banking.support import general_support_agent
from bankdesk.bootstrap import Bankdesk


async def _ask(bankdesk: Bankdesk, message: str, customer_id: str | None = None) -> AgentResult:
    result, _case_id = await run_agent(bankdesk, general_support_agent, message, customer_id)
    return result


@pytest.mark.parametrize(
    ("question", "title", "quoted"),
    [
        (
            "How do I reset my online banking password?",
            "Resetting your password and logging in to online banking",
            'select "Forgot password?"',
        ),
        ("My card was stolen, what do I do?", "Reporting fraud or a lost or stolen card", "lock"),
        ("How much does an international wire cost?", "Fees and charges", "$45"),
    ],
)
async def test_questions_are_answered_from_the_help_articles(
    bankdesk: Bankdesk, question: str, title: str, quoted: str
) -> None:
    result = await _ask(bankdesk, question)

    assert result.agent == "general-support-agent"
    assert f'From our help article "{title}":' in result.answer
    assert quoted in result.answer
    assert result.analysis.flags == ["answered"]
    sources = result.analysis.model_dump()["sources"]
    assert sources[0]["title"] == title
    assert sources[0]["score"] > 0
    assert not result.escalation_required


async def test_an_off_topic_question_is_not_answered_but_handed_over(bankdesk: Bankdesk) -> None:
    result = await _ask(bankdesk, "Who won the football game last night?", "cust_12345")

    assert "I don't have an answer" in result.answer
    assert result.analysis.flags == ["no_answer"]
    assert result.analysis.model_dump()["sources"] == []
    assert [action.kind for action in result.actions] == ["handoff"]
    assert result.escalation_required  # a person was promised: the case must not read answered
    assert result.analysis.urgency in (Urgency.LOW, Urgency.NORMAL)
