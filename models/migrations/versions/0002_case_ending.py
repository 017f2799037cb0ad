"""Case ending: why and when a case was withdrawn or closed, and what reopening restores.

Revision ID: 0002_case_ending
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_case_ending"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the case's status reason, date, author, note, new municipality and run number."""
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("status_reason", sa.String(), nullable=True))
        batch.add_column(
            sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("status_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("status_note", sa.String(), nullable=True))
        batch.add_column(sa.Column("new_municipality_code", sa.String(), nullable=True))
        batch.add_column(
            sa.Column("reception_number", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("steps") as batch:
        batch.add_column(sa.Column("ended_from", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop the columns again."""
    with op.batch_alter_table("steps") as batch:
        batch.drop_column("ended_from")
    with op.batch_alter_table("cases") as batch:
        for name in (
            "reception_number",
            "new_municipality_code",
            "status_note",
            "status_by",
            "status_changed_at",
            "status_reason",
        ):
            batch.drop_column(name)
