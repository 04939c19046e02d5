"""Every specialist agent by the name the seeds give it."""

from collections.abc import Mapping

from bankdesk.banking.accounts import account_summary_agent
from bankdesk.banking.compliance import compliance_review_agent
from bankdesk.banking.context import Agent
from bankdesk.banking.disputes import customer_service_agent
from bankdesk.banking.fraud import fraud_check_agent
from bankdesk.banking.loans import loan_assistant_agent
from bankdesk.banking.support import general_support_agent

AGENTS: Mapping[str, Agent] = {
    "fraud-check-agent": fraud_check_agent,
    "customer-service-agent": customer_service_agent,
    "loan-assistant-agent": loan_assistant_agent,
    "account-summary-agent": account_summary_agent,
    "general-support-agent": general_support_agent,
    "compliance-review-agent": compliance_review_agent,
}
