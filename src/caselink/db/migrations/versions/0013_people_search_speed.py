"""people search speed: a vocabulary of name spellings, and a family-then-given name index

Revision ID: 0013_people_search_speed
Revises: 0006_people_search

With a million people, a common family name has ten thousand or more rows; matching the typed
name against every row (trigram index, then a given-name filter on each heap row) took hundreds
of milliseconds. The tolerant part of a search (typos, sounds-like, edit distance) now runs over
``person_name_terms``, the distinct folded spellings (a few hundred to a few hundred thousand
rows, however many people), and people are then fetched by exact (family, given) pairs from the
btree added here, visiting only rows that are real candidates.

Every writer of ``person_names`` (the app, imports, bulk COPY, merges) keeps the vocabulary
complete through statement-level triggers; a spelling no longer used is left behind, harmlessly
(it finds nobody).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_people_search_speed"
down_revision = "0006_people_search"
branch_labels = None
depends_on = None

COLLECT_TERMS = """
CREATE FUNCTION person_name_terms_collect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In a fixed order, so two transactions adding the same new spellings cannot deadlock.
    INSERT INTO person_name_terms (kind, term)
    SELECT kind, term FROM (
        SELECT 'family' AS kind, family_name_norm AS term FROM new_names WHERE family_name_norm <> ''
        UNION
        SELECT 'given', given_name_norm FROM new_names WHERE given_name_norm <> ''
    ) spellings
    ORDER BY kind, term
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "person_name_terms",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("phonetic", sa.Text(), sa.Computed("dmetaphone(term)", persisted=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "term", name=op.f("pk_person_name_terms")),
    )
    op.create_index("ix_person_name_terms_kind_phonetic", "person_name_terms", ["kind", "phonetic"], unique=False)
    op.create_index(
        "ix_person_name_terms_family_trgm",
        "person_name_terms",
        ["term"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"term": "gin_trgm_ops"},
        postgresql_where=sa.text("kind = 'family'"),
    )
    op.create_index(
        "ix_person_name_terms_given_trgm",
        "person_name_terms",
        ["term"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"term": "gin_trgm_ops"},
        postgresql_where=sa.text("kind = 'given'"),
    )
    # person_id included: once the visibility map is set (autovacuum), routes read the index alone.
    op.create_index(
        "ix_person_names_family_given_norm",
        "person_names",
        ["family_name_norm", "given_name_norm"],
        unique=False,
        postgresql_include=["person_id"],
    )
    op.execute(
        "INSERT INTO person_name_terms (kind, term) "
        "SELECT DISTINCT 'family', family_name_norm FROM person_names WHERE family_name_norm <> '' "
        "UNION SELECT DISTINCT 'given', given_name_norm FROM person_names WHERE given_name_norm <> ''"
    )
    op.execute(COLLECT_TERMS)
    # Transition tables allow one event per trigger, hence two triggers.
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER person_names_collect_terms_{event.lower()} AFTER {event} ON person_names "
            "REFERENCING NEW TABLE AS new_names FOR EACH STATEMENT EXECUTE FUNCTION person_name_terms_collect()"
        )
    op.execute("ANALYZE person_name_terms")


def downgrade() -> None:
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER person_names_collect_terms_{event} ON person_names")
    op.execute("DROP FUNCTION person_name_terms_collect()")
    op.drop_index("ix_person_names_family_given_norm", table_name="person_names")
    op.drop_table("person_name_terms")
