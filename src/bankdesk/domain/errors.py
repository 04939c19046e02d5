"""Domain errors: one place at the edge maps them to exit codes and HTTP statuses."""


class BankdeskError(Exception):
    """Base class for errors a user can act on."""


class PolicyNotFound(BankdeskError):
    """No policy with the requested id is installed."""

    def __init__(self, policy_id: str, available: list[str]) -> None:
        self.policy_id = policy_id
        self.available = available
        names = ", ".join(available) or "none"
        super().__init__(f"no policy named {policy_id!r}; available: {names}")


class InvalidPolicy(BankdeskError):
    """A policy file is not a usable JDM decision graph."""


class PolicyInputRejected(BankdeskError):
    """The policy's input schema refused the values it was given."""

    def __init__(self, policy_id: str, detail: str) -> None:
        self.policy_id = policy_id
        self.detail = detail
        super().__init__(f"policy {policy_id!r} rejected its input: {detail}")


class InvalidEvent(BankdeskError):
    """A structured decision event is malformed (bad JSON, wrong types, missing fields)."""


class TextTooLong(BankdeskError):
    """A borrower message longer than any real one: refused rather than processed."""

    def __init__(self, length: int, limit: int) -> None:
        self.length = length
        self.limit = limit
        super().__init__(f"the text is {length:,} characters; the limit is {limit:,}")


class InvalidSettings(BankdeskError):
    """A BANKDESK_* setting has a value bankdesk cannot run with."""


class PolicyNotApplicable(BankdeskError):
    """The chosen policy needs inputs a loan application does not have."""

    def __init__(self, policy_id: str, needs: list[str]) -> None:
        self.policy_id = policy_id
        self.needs = needs
        super().__init__(
            f"policy {policy_id!r} does not decide loan applications: it needs " + ", ".join(needs)
        )


class UnknownCustomer(BankdeskError):
    """A message names a customer id the bank does not have."""

    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(
            f"no customer with id {customer_id!r}; send the id of an existing customer, or no "
            "customer_id for an unidentified contact"
        )


class CaseNotFound(BankdeskError):
    """No case has the requested id."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(f"no case with id {case_id!r}")


class ReviewNotFound(BankdeskError):
    """No review task has the requested id."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        super().__init__(f"no review task with id {task_id!r}")


class ReviewConflict(BankdeskError):
    """The task cannot be claimed or decided by this reviewer now (held by someone else,
    not claimed first, already resolved, or the reviewer's own decision to confirm)."""


class SignInRefused(BankdeskError):
    """The key given to the review console is not valid, revoked, or may not review."""
