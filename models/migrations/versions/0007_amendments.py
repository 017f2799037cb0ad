"""Amendments and documents: when a case was last amended, and the documents notices announce.

Revision ID: 0007_amendments
Revises: 0006_outbox_per_address
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_amendments"
down_revision: str | Sequence[str] | None = "0006_outbox_per_address"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the case's amendment times and the documents table."""
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("amended_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("amendment_issued_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.String(), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("path", sa.String(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mismatch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("missing_reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_documents_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("case_id", "filename", name=op.f("uq_documents_case_id_filename")),
    )
    with op.batch_alter_table("documents") as batch:
        batch.create_index(batch.f("ix_documents_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    """Drop the documents table and the amendment times."""
    with op.batch_alter_table("documents") as batch:
        batch.drop_index(batch.f("ix_documents_case_id"))
    op.drop_table("documents")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("amendment_issued_at")
        batch.drop_column("amended_at")
