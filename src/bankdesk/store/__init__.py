"""The system of record: SQLAlchemy models, the unit of work, repositories, the audit chain."""
