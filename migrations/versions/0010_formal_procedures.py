"""Formal procedures: approval requests from state bodies, their log, the decree days of the calendar,
expert conclusions and committee sittings.

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-01 14:01:01.110293
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_calendar_day_created_by_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_day')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_day_day'))
    )
    op.create_table('approval_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('awaiting', 'answered', 'reacted', 'conciliation', 'appealed', 'appeal_decided', 'adopted_without', name='approvalstatus', native_enum=False, length=24), nullable=False),
    sa.Column('body_kind', sa.Enum('ministry', 'cabinet', 'committee', 'deputy', 'other', name='statebodykind', native_enum=False, length=16), nullable=False),
    sa.Column('body_name', sa.String(length=300), nullable=False),
    sa.Column('incoming_number', sa.String(length=64), nullable=False),
    sa.Column('incoming_date', sa.Date(), nullable=False),
    sa.Column('term_days', sa.Integer(), nullable=False),
    sa.Column('term_unit', sa.Enum('calendar', 'working', name='termunit', native_enum=False, length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('heads_due_on', sa.Date(), nullable=False),
    sa.Column('margin_days', sa.Integer(), nullable=False),
    sa.Column('letter_language', sa.String(length=5), nullable=False),
    sa.Column('addressee', sa.String(length=300), nullable=True),
    sa.Column('outgoing_number', sa.String(length=64), nullable=True),
    sa.Column('outgoing_date', sa.Date(), nullable=True),
    sa.Column('decision', sa.Enum('approved', 'remarks', 'not_approved', name='approvaldecision', native_enum=False, length=16), nullable=True),
    sa.Column('remark_keys', sa.JSON(), nullable=False),
    sa.Column('remarks_text', sa.Text(), nullable=True),
    sa.Column('letter_generated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('alerts_sent', sa.JSON(), nullable=False),
    sa.Column('remarks_accepted', sa.Enum('all', 'some', 'none', name='remarksaccepted', native_enum=False, length=8), nullable=True),
    sa.Column('conciliation_on', sa.Date(), nullable=True),
    sa.Column('conciliation_result', sa.Enum('agreed', 'partly', 'not_agreed', name='conciliationresult', native_enum=False, length=16), nullable=True),
    sa.Column('conciliation_protocol', sa.Boolean(), nullable=False),
    sa.Column('appeal_to', sa.String(length=300), nullable=True),
    sa.Column('appeal_on', sa.Date(), nullable=True),
    sa.Column('appeal_result', sa.Enum('upheld', 'dismissed', name='appealresult', native_enum=False, length=16), nullable=True),
    sa.Column('adopted_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_approval_request_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_approval_request_created_by_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_request')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_approval_request_consultation_id'))
    )
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_request_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_status'), ['status'], unique=False)

    op.create_table('procedure_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_procedure_event_actor_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_procedure_event_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_event'))
    )
    with op.batch_alter_table('procedure_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_event_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('expert_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('asked', 'submitted', name='expertstatus', native_enum=False, length=16), nullable=False),
    sa.Column('step', sa.String(length=24), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('verdict', sa.Enum('positive', 'remarks', 'negative', name='expertverdict', native_enum=False, length=16), nullable=True),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['asked_by_id'], ['app_user.id'], name=op.f('fk_expert_assignment_asked_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_expert_assignment_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_expert_assignment_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_assignment')),
    sa.UniqueConstraint('consultation_id', 'user_id', name=op.f('uq_expert_assignment_consultation_id'))
    )
    with op.batch_alter_table('expert_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_assignment_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('committee_sitting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'recorded', name='sittingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('committee', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('reading', sa.Enum('first', 'second', 'third', 'other', name='reading', native_enum=False, length=16), nullable=False),
    sa.Column('speaker_ids', sa.JSON(), nullable=False),
    sa.Column('briefing_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('minutes', sa.Enum('yes', 'partly', 'no', name='minutesentry', native_enum=False, length=8), nullable=True),
    sa.Column('minutes_number', sa.String(length=64), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_committee_sitting_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_committee_sitting_created_by_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_sitting'))
    )
    with op.batch_alter_table('committee_sitting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_sitting_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_sitting_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_sitting_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('committee_sitting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_sitting_status'))
        batch_op.drop_index(batch_op.f('ix_committee_sitting_starts_at'))
        batch_op.drop_index(batch_op.f('ix_committee_sitting_consultation_id'))

    op.drop_table('committee_sitting')
    with op.batch_alter_table('expert_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_assignment_consultation_id'))

    op.drop_table('expert_assignment')
    with op.batch_alter_table('procedure_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_event_consultation_id'))

    op.drop_table('procedure_event')
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_request_status'))
        batch_op.drop_index(batch_op.f('ix_approval_request_due_on'))

    op.drop_table('approval_request')
    op.drop_table('calendar_day')
