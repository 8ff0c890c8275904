"""disaster tools: events and support requests, contact verifications, capacity reports

Revision ID: 0005_disaster_tools
Revises: 0004_trusted_documents
Create Date: 2026-12-01 12:41:58.640060

Reviewed by hand: autogenerate output. Four new tables (issue 11 items 9, 10, 13), so
no data moves. The downgrade drops them with their rows: the activation log, the calls
of the yearly contact check and the capacity reports are lost (dump them first with
``kyodo dump`` when they matter).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0005_disaster_tools'
down_revision: Union[str, Sequence[str], None] = '0004_trusted_documents'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('disaster_event',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sa.Enum('EARTHQUAKE', 'TSUNAMI', 'FLOOD', 'STORM', 'SNOWSTORM', 'VOLCANO', 'FIRE', 'OTHER', 'EXERCISE', name='disasterkind', native_enum=False, length=32), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('districts', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disaster_event')),
    sa.UniqueConstraint('external_id', name=op.f('uq_disaster_event_external_id'))
    )
    with op.batch_alter_table('disaster_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disaster_event_started_on'), ['started_on'], unique=False)

    op.create_table('capacity_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_capacity_report_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_report')),
    sa.UniqueConstraint('external_id', name=op.f('uq_capacity_report_external_id'))
    )
    with op.batch_alter_table('capacity_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_report_partner_id'), ['partner_id'], unique=False)

    op.create_table('contact_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('verified_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.Enum('REACHED', 'NO_ANSWER', 'CHANGED', name='verificationoutcome', native_enum=False, length=32), nullable=False),
    sa.Column('verified_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_contact_verification_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_verification')),
    sa.UniqueConstraint('external_id', name=op.f('uq_contact_verification_external_id'))
    )
    with op.batch_alter_table('contact_verification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_verification_partner_id'), ['partner_id'], unique=False)

    op.create_table('support_request',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('STAFF_DISPATCH', 'SUPPLIES', 'TRANSPORT', 'MEDICAL_AID', 'PUBLIC_INFORMATION', 'EVACUATION_SHELTER', 'LIFELINE_RESTORATION', 'OTHER', name='supportcategory', native_enum=False, length=32), nullable=False),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('status', sa.Enum('REQUESTED', 'ANSWERED', 'DELIVERED', 'CLOSED', 'CANCELLED', name='supportrequeststatus', native_enum=False, length=32), nullable=False),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Enum('ACCEPTED', 'DECLINED', 'NO_ANSWER', name='supportanswer', native_enum=False, length=32), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('answer_note', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('delivery_note', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_support_request_agreement_id_agreement')),
    sa.ForeignKeyConstraint(['event_id'], ['disaster_event.id'], name=op.f('fk_support_request_event_id_disaster_event')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_support_request_partner_id_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_request')),
    sa.UniqueConstraint('external_id', name=op.f('uq_support_request_external_id'))
    )
    with op.batch_alter_table('support_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_request_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_request_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_request_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_request_status'), ['status'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('support_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_request_status'))
        batch_op.drop_index(batch_op.f('ix_support_request_partner_id'))
        batch_op.drop_index(batch_op.f('ix_support_request_event_id'))
        batch_op.drop_index(batch_op.f('ix_support_request_agreement_id'))

    op.drop_table('support_request')
    with op.batch_alter_table('contact_verification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_verification_partner_id'))

    op.drop_table('contact_verification')
    with op.batch_alter_table('capacity_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacity_report_partner_id'))

    op.drop_table('capacity_report')
    with op.batch_alter_table('disaster_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disaster_event_started_on'))

    op.drop_table('disaster_event')
