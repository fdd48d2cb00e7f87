"""people search: an index on exact given names, for nickname and typo look-ups

Revision ID: 0006_people_search
Revises: 0002_people

The trigram index cannot find a short family name with two letters swapped ("Smtih"), and the
phonetic key of a misspelling often differs too. Search then anchors on the given name (or one of
its nicknames, looked up exactly) and compares family names by edit distance; this index serves
that look-up and carries the family name so the distance is computed from the index alone.
"""

from alembic import op

revision = "0006_people_search"
down_revision = "0002_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_person_names_given_family_norm", "person_names", ["given_name_norm", "family_name_norm"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_person_names_given_family_norm", table_name="person_names")
