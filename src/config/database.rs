//! Where the database is — `DATABASE_URL`, else the original's `DB_DIALECT` and `DB_*` keys,
//! else SQLite in the data directory — and URLs shown without their passwords.

use std::path::Path;

use super::catalogue as k;
use super::read::Reader;
use super::ConfigError;

/// Percent-encodes what may not appear bare in a URL's user or password.
fn url_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The database URL and the key it came from: `DATABASE_URL` wins; else `DB_DIALECT` picks
/// SQLite (a file in the data directory) or PostgreSQL from the `DB_*` keys.
pub(super) fn database_url(
    keys: &Reader<'_>,
    data_dir: &Path,
) -> Result<(String, &'static str), ConfigError> {
    if let Some(url) = keys.optional(k::DATABASE_URL) {
        storage::backend_of(url).map_err(|e| keys.invalid(k::DATABASE_URL, e.to_string()))?;
        return Ok((url.to_owned(), k::DATABASE_URL.name));
    }
    let dialect = keys.text(k::DB_DIALECT)?.to_ascii_lowercase();
    if dialect == "sqlite" {
        return Ok((
            format!("sqlite://{}", data_dir.join("bettafish.db").display()),
            k::DB_DIALECT.name,
        ));
    }
    let needed = |key: k::Key| {
        keys.optional(key)
            .ok_or_else(|| keys.invalid(key, format!("is required when DB_DIALECT is {dialect}")))
    };
    let host = needed(k::DB_HOST)?;
    let user = needed(k::DB_USER)?;
    let name = needed(k::DB_NAME)?;
    let port: u16 = keys.number(k::DB_PORT)?;
    let password = keys
        .optional(k::DB_PASSWORD)
        .map(|p| format!(":{}", url_part(p)))
        .unwrap_or_default();
    // An IPv6 address goes in brackets, or its colons would read as the port.
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    Ok((
        format!(
            "postgres://{}{password}@{host}:{port}/{}",
            url_part(user),
            url_part(name)
        ),
        k::DB_DIALECT.name,
    ))
}

/// Hides the password of a URL (`postgres://u:***@h/db`).
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The authority ends at the first '/', '?' or '#'; its user info at the last '@' in it
    // (a password may itself hold '@').
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{user}:***@{host}")
        }
        None => authority.to_owned(),
    };
    // Passwords can also travel as query parameters (`?password=…`, `sslpassword=…`).
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if k.to_ascii_lowercase().contains("password") => {
                        format!("{k}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", masked.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}
