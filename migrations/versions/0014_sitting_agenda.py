"""a committee sitting lists further consultations on its agenda

Revision ID: 0014
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('committee_sitting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_ids', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('committee_sitting', schema=None) as batch_op:
        batch_op.drop_column('agenda_ids')
