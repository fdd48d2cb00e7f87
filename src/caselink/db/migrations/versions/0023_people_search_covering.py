"""people search: covering indexes for the given-name route and for loading candidates' names

Revision ID: 0023_people_search_covering
Revises: 0013_people_search_speed

A one-word search also looks the word up as a given name (``given_name_norm = :word LIMIT 150``).
Without person_id in ``ix_person_names_given_family_norm`` PostgreSQL builds a bitmap of every row
with that given name (10,000 and more for a common one at 1,000,000 people) and visits the table;
with it, the route reads 150 index entries and stops.

Search then loads the names of up to 200 people (``WHERE person_id = :id ORDER BY id``): with
``ix_person_names_person_id`` on (person_id, id) holding the names, that is an index-only read in
order, with no visit to the table and no sort per person (see docs/decisions/0020, update 2).
"""

from alembic import op

revision = "0023_people_search_covering"
down_revision = "0013_people_search_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_person_names_given_family_norm", table_name="person_names")
    op.create_index(
        "ix_person_names_given_family_norm",
        "person_names",
        ["given_name_norm", "family_name_norm"],
        unique=False,
        postgresql_include=["person_id"],
    )

    op.drop_index("ix_person_names_person_id", table_name="person_names")
    op.create_index(
        "ix_person_names_person_id",
        "person_names",
        ["person_id", "id"],
        unique=False,
        postgresql_include=["given_name", "family_name", "name_type"],
    )


def downgrade() -> None:
    op.drop_index("ix_person_names_person_id", table_name="person_names")
    op.create_index("ix_person_names_person_id", "person_names", ["person_id"], unique=False)
    op.drop_index("ix_person_names_given_family_norm", table_name="person_names")
    op.create_index(
        "ix_person_names_given_family_norm", "person_names", ["given_name_norm", "family_name_norm"], unique=False
    )
