//! SQLite and PostgreSQL, each migrated from nothing, hold the same schema: the same tables,
//! columns, column types (in a shared vocabulary, `read::Kind`), nullability, primary keys,
//! UNIQUE constraints, indexes (name, columns, uniqueness) and foreign keys — read from the
//! databases themselves, so a migration that says one thing and does another, or an
//! `ALTER TABLE` on one backend only, is caught.
//!
//! The allowed differences, each checked rather than skipped:
//! - full-text search terms live in an FTS5 table on SQLite and in a `terms` column (NOT NULL,
//!   with a GIN index) on PostgreSQL, for exactly the tables in [`SEARCH_TERMS`];
//! - sqlx's `_sqlx_migrations` table has sqlx's shape on each backend: only the versions it
//!   lists are compared;
//! - SQLite's own tables (`sqlite_*`) and FTS5's shadow tables have no counterpart.

mod read;

use std::collections::BTreeSet;

use read::{Kind, Schema};

use super::backends;

/// Each searchable table and the SQLite FTS5 table that holds its terms; on PostgreSQL its
/// terms are the column [`TERMS_COLUMN`].
const SEARCH_TERMS: &[(&str, &str)] = &[("posts", "posts_fts"), ("daily_news", "news_fts")];

/// PostgreSQL's search-terms column in each searchable table.
const TERMS_COLUMN: &str = "terms";

/// What differs between the two schemas, one line each; empty when they are the same.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    if sqlite.migrations != postgres.migrations {
        out.push(format!(
            "migrations applied: {:?} on SQLite, {:?} on PostgreSQL",
            sqlite.migrations, postgres.migrations
        ));
    }

    // Where the search terms live: taken out of both sides once found where documented.
    let mut postgres = postgres.clone();
    let expected_fts: BTreeSet<String> = SEARCH_TERMS.iter().map(|(_, f)| f.to_string()).collect();
    one_sided(
        "full-text table ",
        &expected_fts,
        &sqlite.search_tables,
        "in SEARCH_TERMS",
        "on SQLite",
        &mut out,
    );
    for (table, _) in SEARCH_TERMS {
        let Some(t) = postgres.tables.get_mut(*table) else {
            continue; // reported with the tables below
        };
        match t.columns.remove(TERMS_COLUMN) {
            Some(c) if c.kind == Kind::SearchTerms && !c.nullable => {}
            other => out.push(format!(
                "{table}.{TERMS_COLUMN} on PostgreSQL: {other:?}, not NOT NULL search terms"
            )),
        }
        let gin: Vec<String> = t
            .indexes
            .iter()
            .filter(|(_, i)| i.method == "gin" && i.columns == [TERMS_COLUMN])
            .map(|(name, _)| name.clone())
            .collect();
        if gin.is_empty() {
            out.push(format!(
                "{table}.{TERMS_COLUMN} on PostgreSQL: no GIN index"
            ));
        }
        for name in gin {
            t.indexes.remove(&name);
        }
    }

    let names = |s: &Schema| s.tables.keys().cloned().collect::<BTreeSet<_>>();
    one_sided(
        "table ",
        &names(sqlite),
        &names(&postgres),
        "on SQLite",
        "on PostgreSQL",
        &mut out,
    );
    for (name, lite) in &sqlite.tables {
        let Some(pg) = postgres.tables.get(name) else {
            continue;
        };
        let column_names = |t: &read::Table| t.columns.keys().cloned().collect::<BTreeSet<_>>();
        one_sided(
            &format!("column {name}."),
            &column_names(lite),
            &column_names(pg),
            "on SQLite",
            "on PostgreSQL",
            &mut out,
        );
        for (column, l) in &lite.columns {
            let Some(p) = pg.columns.get(column) else {
                continue;
            };
            if l.kind != p.kind {
                out.push(format!(
                    "{name}.{column}: {:?} on SQLite, {:?} on PostgreSQL",
                    l.kind, p.kind
                ));
            }
            if l.nullable != p.nullable {
                let says = |nullable: bool| if nullable { "nullable" } else { "NOT NULL" };
                out.push(format!(
                    "{name}.{column}: {} on SQLite, {} on PostgreSQL",
                    says(l.nullable),
                    says(p.nullable)
                ));
            }
        }
        if lite.primary_key != pg.primary_key {
            out.push(format!(
                "{name}: primary key {:?} on SQLite, {:?} on PostgreSQL",
                lite.primary_key, pg.primary_key
            ));
        }
        one_sided(
            &format!("{name}: UNIQUE "),
            &lite.unique,
            &pg.unique,
            "on SQLite",
            "on PostgreSQL",
            &mut out,
        );
        let index_names = |t: &read::Table| t.indexes.keys().cloned().collect::<BTreeSet<_>>();
        one_sided(
            &format!("{name}: index "),
            &index_names(lite),
            &index_names(pg),
            "on SQLite",
            "on PostgreSQL",
            &mut out,
        );
        for (index, l) in &lite.indexes {
            if let Some(p) = pg.indexes.get(index) {
                if l != p {
                    out.push(format!(
                        "{name}: index {index} is {l:?} on SQLite, {p:?} on PostgreSQL"
                    ));
                }
            }
        }
        one_sided(
            &format!("{name}: foreign key "),
            &lite.foreign_keys,
            &pg.foreign_keys,
            "on SQLite",
            "on PostgreSQL",
            &mut out,
        );
    }
    out
}

/// How a schema item is named in a difference.
trait Named {
    fn named(&self) -> String;
}

impl Named for String {
    fn named(&self) -> String {
        self.clone()
    }
}

/// A column list: `(a, b)`.
impl Named for Vec<String> {
    fn named(&self) -> String {
        format!("({})", self.join(", "))
    }
}

impl Named for read::ForeignKey {
    fn named(&self) -> String {
        format!(
            "{} → {}.{} on delete {}",
            self.column, self.table, self.to, self.on_delete
        )
    }
}

/// Reports what only one of two sets holds, as "{what}{item} only {where}".
fn one_sided<T: Ord + Named>(
    what: &str,
    a: &BTreeSet<T>,
    b: &BTreeSet<T>,
    a_is: &str,
    b_is: &str,
    out: &mut Vec<String>,
) {
    for item in a.difference(b) {
        out.push(format!("{what}{} only {a_is}", item.named()));
    }
    for item in b.difference(a) {
        out.push(format!("{what}{} only {b_is}", item.named()));
    }
}

/// The migration files of one backend, by name.
fn migration_files(backend: &str) -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations");
    let mut names: Vec<_> = std::fs::read_dir(format!("{root}/{backend}"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A read that found next to nothing would compare equal to another: each schema must have
/// every migration applied, tables with columns and primary keys, indexes and foreign keys.
fn assert_read_whole(backend: &str, schema: &Schema) {
    assert_eq!(
        schema.migrations.len(),
        migration_files(backend).len(),
        "{backend}: migrations applied"
    );
    assert!(schema.tables.len() >= 5, "{backend}: {schema:#?}");
    for (name, table) in &schema.tables {
        assert!(
            !table.columns.is_empty() && !table.primary_key.is_empty(),
            "{backend}: {name} read without columns or key: {table:#?}"
        );
    }
    let all = |count: fn(&read::Table) -> usize| schema.tables.values().map(count).sum::<usize>();
    assert!(all(|t| t.indexes.len()) > 0, "{backend}: no indexes read");
    assert!(all(|t| t.unique.len()) > 0, "{backend}: no UNIQUE read");
    assert!(
        all(|t| t.foreign_keys.len()) > 0,
        "{backend}: no foreign keys read"
    );
}

#[test]
fn each_backend_has_the_same_migration_steps() {
    assert_eq!(
        migration_files("sqlite"),
        migration_files("postgres"),
        "one migration per step on each"
    );
}

#[needs::postgres]
#[tokio::test]
async fn both_backends_migrate_to_the_same_schema() {
    let (lite, pg) = (backends::sqlite().await, backends::postgres().await);
    let (lite, pg) = (read::sqlite(&lite.url).await, read::postgres(&pg.url).await);
    assert_read_whole("sqlite", &lite);
    assert_read_whole("postgres", &pg);
    assert_eq!(differences(&lite, &pg), Vec::<String>::new());
}

#[needs::postgres]
#[tokio::test]
async fn a_change_made_on_one_backend_only_is_caught() {
    let (lite, pg) = (backends::sqlite().await, backends::postgres().await);
    let on_sqlite = sqlx::SqlitePool::connect(&lite.url).await.unwrap();
    sqlx::query("ALTER TABLE posts ADD COLUMN mood TEXT")
        .execute(&on_sqlite)
        .await
        .unwrap();
    on_sqlite.close().await;
    let on_postgres = sqlx::PgPool::connect(&pg.url).await.unwrap();
    for change in [
        "ALTER TABLE analyses ALTER COLUMN error SET NOT NULL",
        "ALTER TABLE service_meta ALTER COLUMN updated_at TYPE integer",
        "CREATE INDEX idx_posts_author ON posts (author_id)",
    ] {
        sqlx::query(change).execute(&on_postgres).await.unwrap();
    }
    on_postgres.close().await;

    let mut found = differences(
        &read::sqlite(&lite.url).await,
        &read::postgres(&pg.url).await,
    );
    found.sort();
    assert_eq!(
        found,
        [
            "analyses.error: nullable on SQLite, NOT NULL on PostgreSQL",
            "column posts.mood only on SQLite",
            "posts: index idx_posts_author only on PostgreSQL",
            "service_meta.updated_at: Integer on SQLite, SmallInteger on PostgreSQL",
        ]
    );
}
