"""Takeover by legal basis (IL § 4): decision date, legal basis, takeover basis; takeover may be unknown.

Existing rows keep their dates; `takeover_basis` stays NULL until `koereplan migrate-takeover`
recomputes their takeover under the law's rules.

Revision ID: 0002_takeover
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_takeover"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the columns; the takeover date becomes nullable (waiting for CPR registration)."""
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("decision_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("legal_basis", sa.String(), nullable=True))
        batch.add_column(sa.Column("takeover_basis", sa.String(), nullable=True))
        batch.alter_column("takeover_date", existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    """Drop the columns; a takeover still unknown falls back to the arrival date."""
    op.execute("UPDATE cases SET takeover_date = arrival_date WHERE takeover_date IS NULL")
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("takeover_date", existing_type=sa.Date(), nullable=False)
        batch.drop_column("takeover_basis")
        batch.drop_column("legal_basis")
        batch.drop_column("decision_date")
