"""application cards sent to staff are remembered, to edit them once someone decides

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'application_copy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('applicant_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('chat_id', sa.BigInteger(), nullable=False),
        sa.Column('message_id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ['applicant_id'], ['app_user.id'],
            name=op.f('fk_application_copy_applicant_id_app_user'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['staff_id'], ['app_user.id'], name=op.f('fk_application_copy_staff_id_app_user'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application_copy')),
    )
    with op.batch_alter_table('application_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_copy_applicant_id'), ['applicant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('application_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_copy_applicant_id'))
    op.drop_table('application_copy')
