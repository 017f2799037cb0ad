"""Takeover by legal basis (IL § 4): decision date, legal basis, takeover basis; takeover may be unknown.

Existing rows keep their dates; `takeover_basis` stays NULL until `koereplan migrate-takeover`
recomputes their takeover under the law's rules.

Revision ID: 0002_takeover
Revises: 0001
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002_takeover"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


@contextmanager
def _rebuilding_cases() -> Iterator[Any]:
    """SQLite rebuilds `cases` for the nullable change: foreign keys off meanwhile.

    Dropping the old table with foreign keys on fails on every stored case's members, steps
    and notices, though the rebuilt table keeps the same ids. The pragma only takes effect
    outside a transaction, which is where pysqlite is until the first row is written.
    """
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        with op.batch_alter_table("cases") as batch:
            yield batch
    finally:
        if sqlite:
            op.execute("PRAGMA foreign_keys=ON")


def upgrade() -> None:
    """Add the columns; the takeover date becomes nullable (waiting for CPR registration)."""
    with _rebuilding_cases() as batch:
        batch.add_column(sa.Column("decision_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("legal_basis", sa.String(), nullable=True))
        batch.add_column(sa.Column("takeover_basis", sa.String(), nullable=True))
        batch.alter_column("takeover_date", existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    """Drop the columns; a takeover still unknown falls back to the arrival date."""
    op.execute("UPDATE cases SET takeover_date = arrival_date WHERE takeover_date IS NULL")
    with _rebuilding_cases() as batch:
        batch.alter_column("takeover_date", existing_type=sa.Date(), nullable=False)
        batch.drop_column("takeover_basis")
        batch.drop_column("legal_basis")
        batch.drop_column("decision_date")
