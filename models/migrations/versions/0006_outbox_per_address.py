"""Outbox per address: `delivered_to`, `delivery_key`; asylum-centre URLs become references.

`extra_urls` held the whole SMTP URL, password included, for every moving notice. Every
row (sent ones too, so the password leaves the database) gets `asylcenter-mail:<to>`
instead; the dispatcher builds the URL from KOEREPLAN_ASYLUM_MAIL_URL when it sends.
Rows already sent count as delivered everywhere; the key is filled in at the next send.

Revision ID: 0006_outbox_per_address
Revises: 0005_arrival_overbooked
"""

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from alembic import op

revision: str = '0006_outbox_per_address'
down_revision: str | Sequence[str] | None = '0005_arrival_overbooked'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASYLUM_MAIL_REF = "asylcenter-mail:"


def reference(url: str) -> str:
    """`mailto://user:pw@host?...&to=a@b` -> `asylcenter-mail:a@b`; anything else unchanged."""
    parts = urlsplit(url)
    if parts.scheme not in {"mailto", "mailtos"}:
        return url
    to = [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k == "to"]
    return ASYLUM_MAIL_REF + to[-1] if to else url


def upgrade() -> None:
    """Add the per-address columns, then replace stored SMTP URLs by references."""
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('delivered_to', sa.JSON(), nullable=False, server_default='[]')
        )
        batch_op.add_column(sa.Column('delivery_key', sa.String(), nullable=True))
    outbox = sa.table(
        'outbox', sa.column('id', sa.Integer), sa.column('extra_urls', sa.JSON)
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.extra_urls)).all()
    for row_id, urls in rows:
        refs = [reference(url) for url in urls or []]
        if refs != (urls or []):
            connection.execute(
                outbox.update().where(outbox.c.id == row_id).values(extra_urls=refs)
            )


def downgrade() -> None:
    """Drop the per-address columns (references stay: the old code cannot send them)."""
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('delivery_key')
        batch_op.drop_column('delivered_to')
