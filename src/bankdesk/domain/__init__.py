"""Pure domain types and rules: no framework, database or network imports."""
