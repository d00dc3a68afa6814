//! Tests that need a backend say so: `#[needs::postgres]` and `#[needs::redis]` leave a test
//! as it is when `DATABASE_URL` / `REDIS_URL` was set at build time, and otherwise mark it
//! `#[ignore = "needs DATABASE_URL (PostgreSQL)"]` — so the test report counts it as ignored,
//! with the reason, rather than as a pass that checked nothing.
//!
//! ```text
//! #[needs::postgres]
//! #[tokio::test]
//! async fn survives_a_lost_connection() { /* … */ }
//! ```
//!
//! A test run anyway (`cargo test -- --include-ignored`) must fail, not pass: the fixtures that
//! read the URL panic with the same reason when it is missing (`tests/support/backend_urls.rs`).
//!
//! libtest decides what is ignored when the test is compiled, so the decision is made here, at
//! compile time: `build.rs` sets a cfg per configured URL and asks Cargo to rebuild when either
//! changes. Being a separate dev-dependency keeps that rebuild to the test targets; a `build.rs`
//! in each tested package would rebuild the package and everything depending on it. Start with
//! [`postgres`].

use proc_macro::TokenStream;

/// The reason a test needing PostgreSQL is ignored.
const NEEDS_POSTGRES: &str = "needs DATABASE_URL (PostgreSQL)";
/// The reason a test needing Redis is ignored.
const NEEDS_REDIS: &str = "needs REDIS_URL (Redis)";
/// The reason a test needing a headless browser is ignored.
const NEEDS_CHROMIUM: &str = "needs chromium on PATH (apt-get install chromium)";

/// Marks a test that needs the PostgreSQL at `DATABASE_URL`: ignored, with the reason, when the
/// variable was unset or empty at build time.
#[proc_macro_attribute]
pub fn postgres(args: TokenStream, test: TokenStream) -> TokenStream {
    gate(args, test, cfg!(database_url_set), NEEDS_POSTGRES)
}

/// Marks a test that needs the Redis at `REDIS_URL`: ignored, with the reason, when the
/// variable was unset or empty at build time.
#[proc_macro_attribute]
pub fn redis(args: TokenStream, test: TokenStream) -> TokenStream {
    gate(args, test, cfg!(redis_url_set), NEEDS_REDIS)
}

/// Marks a test that needs headless Chromium on `PATH`: ignored, with the reason, when none was
/// found at build time.
#[proc_macro_attribute]
pub fn chromium(args: TokenStream, test: TokenStream) -> TokenStream {
    gate(args, test, cfg!(chromium_found), NEEDS_CHROMIUM)
}

fn gate(args: TokenStream, test: TokenStream, configured: bool, reason: &str) -> TokenStream {
    let code = if !args.is_empty() {
        "compile_error!(\"the needs attributes take no arguments\");".to_owned()
    } else if configured {
        String::new()
    } else {
        format!("#[ignore = {reason:?}]")
    };
    let mut out: TokenStream = match code.parse() {
        Ok(tokens) => tokens,
        // The text above is fixed and well formed; should it ever not parse, say so at the test.
        Err(e) => {
            return format!("compile_error!({:?});", e.to_string())
                .parse()
                .unwrap_or_default()
        }
    };
    out.extend(test);
    out
}
