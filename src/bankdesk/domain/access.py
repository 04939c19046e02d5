"""Who may do what: API key roles and the permissions each grants."""

from enum import StrEnum


class Role(StrEnum):
    """The role an API key carries."""

    INTAKE = "intake"
    UNDERWRITER = "underwriter"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Permission(StrEnum):
    """Something an API caller may be allowed to do."""

    SUBMIT_APPLICATIONS = "submit applications"
    READ_APPLICATIONS = "read applications"
    READ_AUDIT_TRAIL = "read the audit trail"
    SUBMIT_MESSAGES = "submit customer messages"
    READ_CASES = "read banking cases"
    REVIEW = "work the review queue"


GRANTS: dict[Role, frozenset[Permission]] = {
    # A channel submits messages but may not read cases back: a case holds the customer's
    # message as received and the agents' internal findings, for bank staff only.
    Role.INTAKE: frozenset(
        {Permission.SUBMIT_APPLICATIONS, Permission.READ_APPLICATIONS, Permission.SUBMIT_MESSAGES}
    ),
    Role.UNDERWRITER: frozenset(
        {Permission.READ_APPLICATIONS, Permission.READ_CASES, Permission.REVIEW}
    ),
    Role.AUDITOR: frozenset(
        {Permission.READ_APPLICATIONS, Permission.READ_AUDIT_TRAIL, Permission.READ_CASES}
    ),
    Role.ADMIN: frozenset(Permission),
}


def allows(role: Role, permission: Permission) -> bool:
    """Whether a role grants a permission."""
    return permission in GRANTS[role]
