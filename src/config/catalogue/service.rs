//! The listener, the data directory and the files read at start, and the log filter.
//!
//! A group of the catalogue ([`super`]): its keys are re-exported there as
//! `catalogue::NAME`, and [`super::KEYS`] lists them in catalogue order.

use super::*;

catalogue! {
    SERVICE;
    // --- the listener and files (the original's HOST/PORT) ---
    HOST = at_start(key(
        Some("127.0.0.1"),
        Kind::Host,
        "Address the HTTP server binds.",
    ));
    PORT = at_start(key(
        Some("5000"),
        Kind::Port,
        "Port the HTTP server binds.",
    ));
    BETTAFISH_DATA_DIR = fixed(at_start(key(
        Some("./data"),
        Kind::Path,
        "Directory for the database, logs, reports and the token file.",
    )));
    BETTAFISH_CONFIG = fixed(at_start(key(
        Some("bettafish.toml"),
        Kind::Path,
        "The TOML configuration file.",
    )));
    BETTAFISH_ENV_FILE = fixed(at_start(key(
        Some(".env"),
        Kind::Path,
        "The .env file read at start and written by POST /api/config.",
    )));
    BETTAFISH_LOG = at_start(key(
        Some("info"),
        Kind::Text,
        "Log filter (tracing EnvFilter syntax).",
    ));
}
