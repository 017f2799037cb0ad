"""Indexes for the overview: legal steps by due date, and open steps by department.

Revision ID: 0004_overview_indexes
Revises: 0003_case_ending
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_overview_indexes"
down_revision: str | Sequence[str] | None = "0003_case_ending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_WHERE = sa.text("status IN ('open', 'planned')")


def upgrade() -> None:
    """Covering indexes, so the compliance and queue views read no table rows."""
    op.create_index(
        "ix_steps_legal_due",
        "steps",
        ["legal", "due", "key", "responsible", "status", "done_at"],
        unique=False,
    )
    op.create_index(
        "ix_steps_queue",
        "steps",
        ["responsible", "due", "case_id", "position", "person_id"],
        unique=False,
        sqlite_where=QUEUE_WHERE,
        postgresql_where=QUEUE_WHERE,
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_steps_queue", table_name="steps")
    op.drop_index("ix_steps_legal_due", table_name="steps")
