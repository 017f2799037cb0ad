"""Cases whose arrival was booked over capacity because the calendar was full two years ahead.

Revision ID: 0005_arrival_overbooked
Revises: 0004_overview_indexes
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_arrival_overbooked"
down_revision: str | Sequence[str] | None = "0004_overview_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the flag; every existing case was booked within capacity."""
    op.add_column(
        "cases",
        sa.Column("arrival_overbooked", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    """Drop the flag."""
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("arrival_overbooked")
