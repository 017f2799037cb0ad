"""Case ending: why and when a case was withdrawn or closed, and what reopening restores.

Revision ID: 0003_case_ending
Revises: 0002_takeover
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_case_ending"
down_revision: str | Sequence[str] | None = "0002_takeover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the case's status reason, date, author, note, new municipality and run number.

    Plain ADD/DROP COLUMN (SQLite 3.35+ has both): no table rebuild, so stored cases and the
    foreign keys pointing at them are never touched.
    """
    op.add_column("cases", sa.Column("status_reason", sa.String(), nullable=True))
    op.add_column("cases", sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("cases", sa.Column("status_by", sa.String(), nullable=True))
    op.add_column("cases", sa.Column("status_note", sa.String(), nullable=True))
    op.add_column("cases", sa.Column("new_municipality_code", sa.String(), nullable=True))
    op.add_column(
        "cases", sa.Column("reception_number", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column("steps", sa.Column("ended_from", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop the columns again."""
    op.drop_column("steps", "ended_from")
    for name in (
        "reception_number",
        "new_municipality_code",
        "status_note",
        "status_by",
        "status_changed_at",
        "status_reason",
    ):
        op.drop_column("cases", name)
