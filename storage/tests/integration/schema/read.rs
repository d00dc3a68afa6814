//! Reads a migrated database's real schema — what the database says it holds, not what the
//! migration files say — into one model both backends map onto: SQLite through its pragmas
//! (`table_info`, `index_list`, `index_info`, `foreign_key_list`), PostgreSQL through
//! `information_schema` and `pg_catalog`, in the connection's current schema.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{PgPool, SqlitePool};

/// A column's type in the vocabulary both backends map onto. The SQLite side is the declared
/// type (migrations declare every column); a type not listed here is `Unmapped`, which
/// matches nothing, so a new type has to be placed in the vocabulary before it passes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A 64-bit integer: SQLite `INTEGER`/`BIGINT`, PostgreSQL `bigint`.
    Integer,
    /// A 32-bit integer: PostgreSQL `integer`, `smallint` (SQLite has none: it would overflow
    /// where SQLite does not).
    SmallInteger,
    /// A double: SQLite `REAL`/`DOUBLE`, PostgreSQL `double precision`.
    Float,
    /// Text: SQLite `TEXT`; PostgreSQL `text`, and `jsonb` (JSON is kept as text on SQLite,
    /// which has no JSON type).
    Text,
    /// A flag: SQLite `BOOLEAN` (stored 0/1), PostgreSQL `boolean`.
    Boolean,
    /// Full-text search terms: PostgreSQL `tsvector` (SQLite keeps them in FTS5 tables).
    SearchTerms,
    /// Anything else, as the database names it.
    Unmapped(String),
}

impl Kind {
    fn of_sqlite(declared: &str) -> Self {
        match declared.to_ascii_uppercase().as_str() {
            "INTEGER" | "BIGINT" => Kind::Integer,
            "REAL" | "DOUBLE" => Kind::Float,
            "TEXT" => Kind::Text,
            "BOOLEAN" => Kind::Boolean,
            other => Kind::Unmapped(format!("sqlite {other}")),
        }
    }

    fn of_postgres(data_type: &str) -> Self {
        match data_type {
            "bigint" => Kind::Integer,
            "integer" | "smallint" => Kind::SmallInteger,
            "double precision" => Kind::Float,
            "text" | "jsonb" => Kind::Text,
            "boolean" => Kind::Boolean,
            "tsvector" => Kind::SearchTerms,
            other => Kind::Unmapped(format!("postgresql {other}")),
        }
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub kind: Kind,
    /// A primary key column counts as NOT NULL on both (SQLite reports an `INTEGER PRIMARY
    /// KEY` as nullable, though it is the row id).
    pub nullable: bool,
}

/// A foreign key: this column refers to `table.column`, and what a delete there does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub column: String,
    pub table: String,
    pub to: String,
    /// `CASCADE`, `SET NULL`, `NO ACTION`…
    pub on_delete: String,
}

/// An index made with `CREATE INDEX`: its columns in order, whether unique, and its method
/// (`btree`; `gin` on PostgreSQL for search terms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub columns: Vec<String>,
    pub unique: bool,
    pub method: &'static str,
}

/// One table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    /// The primary key's columns, in key order.
    pub primary_key: Vec<String>,
    /// The columns of each `UNIQUE` constraint (SQLite does not keep constraint names).
    pub unique: BTreeSet<Vec<String>>,
    /// Indexes made with `CREATE INDEX`, by name.
    pub indexes: BTreeMap<String, Index>,
    pub foreign_keys: BTreeSet<ForeignKey>,
}

/// A database's schema: its tables, and the FTS5 tables (SQLite) by name.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    /// SQLite's full-text tables (`CREATE VIRTUAL TABLE … USING fts5`); empty on PostgreSQL.
    pub search_tables: BTreeSet<String>,
    /// The migrations applied, from sqlx's own table (which differs by backend and is not
    /// compared as a table).
    pub migrations: Vec<i64>,
}

/// sqlx's bookkeeping table: its shape is sqlx's, different on each backend.
const SQLX_TABLE: &str = "_sqlx_migrations";

/// The schema of the SQLite database at `url`.
pub async fn sqlite(url: &str) -> Schema {
    let pool = SqlitePool::connect(url).await.unwrap();
    let mut schema = Schema::default();
    let objects: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, coalesce(sql, '') FROM sqlite_master \
         WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for (name, sql) in &objects {
        let sql = sql.to_ascii_uppercase();
        if sql.starts_with("CREATE VIRTUAL TABLE") && sql.contains("USING FTS5") {
            schema.search_tables.insert(name.clone());
        }
    }
    // FTS5 keeps each full-text table's data in shadow tables named after it.
    let shadow = |name: &str| {
        schema.search_tables.iter().any(|fts| {
            name.strip_prefix(fts.as_str())
                .is_some_and(|rest| rest.starts_with('_'))
        })
    };
    let mut tables = BTreeMap::new();
    for (name, _) in &objects {
        if name == SQLX_TABLE || schema.search_tables.contains(name) || shadow(name) {
            continue;
        }
        tables.insert(name.clone(), sqlite_table(&pool, name).await);
    }
    schema.tables = tables;
    schema.migrations = sqlx::query_scalar(&format!(
        "SELECT version FROM {SQLX_TABLE} ORDER BY version"
    ))
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    schema
}

async fn sqlite_table(pool: &SqlitePool, table: &str) -> Table {
    let mut t = Table::default();
    let columns: Vec<(String, String, i64, i64)> =
        sqlx::query_as("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)")
            .bind(table)
            .fetch_all(pool)
            .await
            .unwrap();
    let mut key: Vec<(i64, String)> = Vec::new();
    for (name, declared, not_null, pk) in columns {
        if pk > 0 {
            key.push((pk, name.clone()));
        }
        let column = Column {
            kind: Kind::of_sqlite(&declared),
            nullable: not_null == 0 && pk == 0,
        };
        t.columns.insert(name, column);
    }
    key.sort();
    t.primary_key = key.into_iter().map(|(_, name)| name).collect();

    let indexes: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list(?1)")
            .bind(table)
            .fetch_all(pool)
            .await
            .unwrap();
    for (name, unique, origin) in indexes {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
        match origin.as_str() {
            // The primary key is read from the columns above.
            "pk" => {}
            "u" => {
                t.unique.insert(columns);
            }
            _ => {
                let index = Index {
                    columns,
                    unique: unique != 0,
                    method: "btree",
                };
                t.indexes.insert(name, index);
            }
        }
    }

    let keys: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list(?1)",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap();
    for (column, table, to, on_delete) in keys {
        t.foreign_keys.insert(ForeignKey {
            column,
            table,
            to,
            on_delete,
        });
    }
    t
}

/// The schema of the PostgreSQL database at `url`, in its current schema (the test's own).
pub async fn postgres(url: &str) -> Schema {
    let pool = PgPool::connect(url).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut schema = Schema::default();
    for name in names.iter().filter(|n| *n != SQLX_TABLE) {
        schema
            .tables
            .insert(name.clone(), postgres_table(&pool, name).await);
    }
    schema.migrations = sqlx::query_scalar(&format!(
        "SELECT version FROM {SQLX_TABLE} ORDER BY version"
    ))
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    schema
}

async fn postgres_table(pool: &PgPool, table: &str) -> Table {
    let mut t = Table::default();
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap();
    for (name, data_type, nullable) in columns {
        let column = Column {
            kind: Kind::of_postgres(&data_type),
            nullable: nullable == "YES",
        };
        t.columns.insert(name, column);
    }

    // Every index on the table: its columns in key order, and whether a constraint (primary
    // key, UNIQUE) made it or a CREATE INDEX did.
    let indexes: Vec<(String, bool, bool, bool, String, Vec<String>)> = sqlx::query_as(
        "SELECT i.relname::text, x.indisprimary, x.indisunique, \
                EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid \
                        AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u')), \
                am.amname::text, \
                ARRAY(SELECT a.attname::text \
                      FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) \
                      JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum \
                      ORDER BY k.n) \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class r ON r.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = r.relnamespace \
         JOIN pg_am am ON am.oid = i.relam \
         WHERE n.nspname = current_schema() AND r.relname = $1",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap();
    for (name, primary, unique, by_constraint, method, columns) in indexes {
        if primary {
            t.primary_key = columns;
        } else if by_constraint {
            t.unique.insert(columns);
        } else {
            let method = match method.as_str() {
                "btree" => "btree",
                "gin" => "gin",
                _ => "other",
            };
            let index = Index {
                columns,
                unique,
                method,
            };
            t.indexes.insert(name, index);
        }
    }
    for column in &t.primary_key {
        if let Some(c) = t.columns.get_mut(column) {
            c.nullable = false;
        }
    }

    // Foreign keys (single-column, as every one here is): the referring column, the
    // referred table and column, and the delete rule.
    let keys: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT a.attname::text, rt.relname::text, ra.attname::text, \
                CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' \
                     WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END \
         FROM pg_constraint c \
         JOIN pg_class r ON r.oid = c.conrelid \
         JOIN pg_namespace n ON n.oid = r.relnamespace \
         JOIN pg_class rt ON rt.oid = c.confrelid \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] \
         WHERE c.contype = 'f' AND n.nspname = current_schema() AND r.relname = $1",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap();
    for (column, table, to, on_delete) in keys {
        t.foreign_keys.insert(ForeignKey {
            column,
            table,
            to,
            on_delete,
        });
    }
    t
}
