//! The databases each test runs against. A test meant for both backends is an
//! `async fn(Backend)` named in [`on_each_backend!`], which makes it two tests, `…::sqlite` and
//! `…::postgresql`; the second is reported ignored, with the reason, without `DATABASE_URL`.

use std::time::Duration;

use storage::{Database, PoolSettings};

use super::backend_urls;

/// One database under test; a PostgreSQL schema is dropped when this goes.
pub struct Backend {
    pub name: &'static str,
    pub db: Database,
    /// For tests that reach the database from outside the handle.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some((admin, schema)) = self.schema.take() {
            // A fresh runtime: Drop may run outside (or at the end of) the test's own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
                        let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                            .execute(&pool)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

pub fn settings() -> PoolSettings {
    PoolSettings {
        max_connections: 4,
        acquire_timeout: Duration::from_secs(3),
        ..PoolSettings::default()
    }
}

/// A migrated SQLite database in a temporary directory.
pub async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("data/bettafish.db").display()
    );
    let db = Database::open(&url, &settings()).await.unwrap();
    db.migrate().await.unwrap();
    Backend {
        name: "sqlite",
        db,
        url,
        _dir: Some(dir),
        schema: None,
    }
}

/// A fresh schema in the PostgreSQL at `DATABASE_URL`, migrated. Only for tests marked
/// `#[needs::postgres]`: without the URL this panics, saying so.
pub async fn postgres() -> Backend {
    let b = postgres_unmigrated().await;
    b.db.migrate().await.unwrap();
    b
}

/// A fresh, empty schema in the PostgreSQL at `DATABASE_URL` (for tests of the migrations).
pub async fn postgres_unmigrated() -> Backend {
    let admin = backend_urls::database_url();
    let schema = format!("bf_test_{}_{}", std::process::id(), fastrand_suffix());
    let pool = sqlx::PgPool::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let sep = if admin.contains('?') { '&' } else { '?' };
    let url = format!("{admin}{sep}options[search_path]={schema}");
    let db = Database::open(&url, &settings()).await.unwrap();
    Backend {
        name: "postgresql",
        db,
        url,
        _dir: None,
        schema: Some((admin, schema)),
    }
}

fn fastrand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos:x}{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Makes each named `async fn(Backend)` two tests in a module of its name: `sqlite`, and
/// `postgresql`, which is ignored (with the reason) when `DATABASE_URL` is unset.
macro_rules! on_each_backend {
    ($($check:ident),+ $(,)?) => {$(
        mod $check {
            #[tokio::test]
            async fn sqlite() {
                super::$check($crate::integration::backends::sqlite().await).await;
            }

            #[needs::postgres]
            #[tokio::test]
            async fn postgresql() {
                super::$check($crate::integration::backends::postgres().await).await;
            }
        }
    )+};
}
pub(crate) use on_each_backend;
