"""a position remembers which of its two texts the coordinator has edited

Revision ID: 0013
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_ky_edited', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('text_ru_edited', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('position', schema=None) as batch_op:
        batch_op.drop_column('text_ru_edited')
        batch_op.drop_column('text_ky_edited')
