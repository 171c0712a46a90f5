"""Positions: the association's position, the grouped proposals' fate, and article keys on amendments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:34:54.932488
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.answers import article_key


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('position',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('text_ky', sa.Text(), nullable=False),
    sa.Column('text_ru', sa.Text(), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.Column('addressee', sa.String(length=300), nullable=True),
    sa.Column('submitted_on', sa.DateTime(timezone=True), nullable=True),
    sa.Column('act_fate', sa.Enum('adopted', 'amended', 'rejected', 'pending', 'withdrawn', name='actfate', native_enum=False, length=16), nullable=True),
    sa.Column('no_agreement_route', sa.Enum('none', 'protocol', 'appeal', name='noagreementroute', native_enum=False, length=16), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('outcome_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['app_user.id'], name=op.f('fk_position_adopted_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_position_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_position_consultation_id'))
    )
    op.create_table('proposal_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('article_key', sa.String(length=200), nullable=False),
    sa.Column('government_position', sa.Text(), nullable=True),
    sa.Column('recommendation', sa.Text(), nullable=True),
    sa.Column('decision', sa.Enum('accepted', 'partly', 'rejected', name='proposaldecision', native_enum=False, length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_proposal_group_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_group')),
    sa.UniqueConstraint('consultation_id', 'article_key', name=op.f('uq_proposal_group_consultation_id'))
    )
    with op.batch_alter_table('proposal_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_group_consultation_id'), ['consultation_id'], unique=False)

    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('article_key', sa.String(length=200), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_amendment_article_key'), ['article_key'], unique=False)

    # Amendments written before this revision get their key from their article reference.
    connection = op.get_bind()
    amendment = sa.table('amendment', sa.column('id', sa.Integer), sa.column('article', sa.String), sa.column('article_key', sa.String))
    for row in connection.execute(sa.select(amendment.c.id, amendment.c.article)).all():
        connection.execute(amendment.update().where(amendment.c.id == row.id).values(article_key=article_key(row.article)))



def downgrade() -> None:
    with op.batch_alter_table('amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_article_key'))
        batch_op.drop_column('article_key')

    with op.batch_alter_table('proposal_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_group_consultation_id'))

    op.drop_table('proposal_group')
    op.drop_table('position')
