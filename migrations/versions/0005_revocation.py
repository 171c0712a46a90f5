"""Revocation: where an admin's rights came from (ADMIN_IDS or the command line).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'admin_source',
                sa.Enum('settings', 'command_line', name='adminsource', native_enum=False, length=20),
                nullable=True,
            )
        )
    # Existing admins: the latest grant in the audit log says where their rights came from.
    op.execute(
        """
        UPDATE app_user SET admin_source = CASE (
            SELECT action FROM audit_log
            WHERE object_type = 'user' AND object_id = app_user.id
              AND action IN ('user.admin_from_settings', 'user.admin_from_command_line')
            ORDER BY id DESC LIMIT 1
        )
            WHEN 'user.admin_from_settings' THEN 'settings'
            WHEN 'user.admin_from_command_line' THEN 'command_line'
        END
        WHERE role = 'admin'
        """
    )


def downgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('admin_source')
