//! The two migration sets describe the same schema: same tables, columns, kinds, nullability
//! and named constraints. The only allowed differences are how full-text search is kept
//! (SQLite's FTS5 tables, PostgreSQL's `terms` columns).

use std::collections::BTreeMap;

type Columns = BTreeMap<String, (String, bool)>;

fn kind(sql_type: &str) -> &'static str {
    match sql_type {
        "INTEGER" | "BIGINT" | "BIGSERIAL" => "integer",
        "REAL" | "DOUBLE" => "float",
        "TEXT" | "JSONB" => "text",
        "TSVECTOR" => "tsvector",
        other => panic!("unknown column type {other}"),
    }
}

/// Tables → columns (kind, nullable) and the named constraints, from a migration file.
fn parse(sql: &str) -> (BTreeMap<String, Columns>, Vec<String>) {
    let mut tables = BTreeMap::new();
    let mut constraints = Vec::new();
    let mut current: Option<(String, Columns)> = None;
    for line in sql.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
            let name = rest.split_whitespace().next().unwrap().to_owned();
            current = Some((name, Columns::new()));
        } else if line.starts_with(");") {
            if let Some((name, cols)) = current.take() {
                tables.insert(name, cols);
            }
        } else if let Some((_, cols)) = current.as_mut() {
            if let Some(rest) = line.strip_prefix("CONSTRAINT ") {
                constraints.push(rest.split_whitespace().next().unwrap().to_owned());
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(column), Some(sql_type)) = (words.next(), words.next()) else {
                continue;
            };
            let upper = line.to_ascii_uppercase();
            let nullable = !(upper.contains("NOT NULL") || upper.contains("PRIMARY KEY"));
            cols.insert(
                column.to_owned(),
                (kind(sql_type.trim_end_matches(',')).to_owned(), nullable),
            );
        }
    }
    (tables, constraints)
}

/// The B-tree indexes a migration creates, whitespace normalised (full-text indexes differ by
/// design: FTS5 on SQLite, GIN on PostgreSQL).
fn plain_indexes(sql: &str) -> std::collections::BTreeSet<String> {
    let code: Vec<&str> = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect();
    code.join(" ")
        .split(';')
        .map(|statement| statement.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| s.starts_with("CREATE INDEX") && !s.contains("USING"))
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_describe_the_same_schema() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations");
    let files = |kind: &str| {
        let mut names: Vec<_> = std::fs::read_dir(format!("{root}/{kind}"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        files("sqlite"),
        files("postgres"),
        "one migration per step on each"
    );
    for name in files("sqlite") {
        let (lite, lite_constraints) =
            parse(&std::fs::read_to_string(format!("{root}/sqlite/{name}")).unwrap());
        let (mut pg, pg_constraints) =
            parse(&std::fs::read_to_string(format!("{root}/postgres/{name}")).unwrap());
        for columns in pg.values_mut() {
            if let Some((kind, _)) = columns.remove("terms") {
                assert_eq!(kind, "tsvector", "{name}: terms is the search column");
            }
        }
        let (lite_text, pg_text) = (
            std::fs::read_to_string(format!("{root}/sqlite/{name}")).unwrap(),
            std::fs::read_to_string(format!("{root}/postgres/{name}")).unwrap(),
        );
        assert_eq!(
            plain_indexes(&lite_text),
            plain_indexes(&pg_text),
            "{name}: indexes differ"
        );
        assert!(
            !lite.is_empty() || !plain_indexes(&lite_text).is_empty(),
            "{name}: no tables or indexes parsed"
        );
        assert_eq!(lite, pg, "{name}: tables and columns differ");
        assert_eq!(
            lite_constraints, pg_constraints,
            "{name}: constraints differ"
        );
    }
}
