//! Untrusted input: what a client or an imported file may make the service hold.
//!
//! A group of the catalogue ([`super`]): its keys are re-exported there as
//! `catalogue::NAME`, and [`super::KEYS`] lists them in catalogue order.

use super::*;

catalogue! {
    INPUT;
    // --- untrusted input: what a client or an imported file may make the service hold ---
    ANALYSIS_MAX_RUNNING = at_start(count(
        "1000",
        1,
        100_000,
        "Analyses running at once; one more is refused with 429 and leaves no row.",
    ));
    FORUM_LOG_PAGE_LINES = count(
        "200",
        1,
        100_000,
        "Lines of forum.log that GET /api/forum/log serves when no ?limit= is given.",
    );
    FORUM_LOG_PAGE_MAX_LINES = count(
        "1000",
        1,
        100_000,
        "Most lines of forum.log one GET /api/forum/log page serves; a larger ?limit= is 400.",
    );
    FORUM_LOG_PAGE_MAX_BYTES = count(
        "262144",
        4096,
        1 << 30,
        "Most bytes of forum.log one page reads; the page ends earlier, and a longer line is served cut.",
    );
    FORUM_LOG_MAX_READERS = at_start(count(
        "4",
        1,
        1024,
        "Forum log pages read at once (GET /api/forum/log and its history); one more waits a second, then gets 503 with Retry-After.",
    ));
    SEARCH_QUERY_MAX_CHARS = at_start(count(
        "256",
        1,
        100_000,
        "Longest search text: GET /api/db/search answers 400 beyond it; the engines' searches are cut to it.",
    ));
    SEARCH_QUERY_MAX_TERMS = at_start(count(
        "64",
        1,
        10_000,
        "Most terms one search matches (all must match): 400 beyond it over HTTP; the engines' searches keep the first.",
    ));
    IMPORT_MAX_RECORD_BYTES = count(
        "1048576",
        1024,
        1 << 30,
        "Largest record db import reads: a longer JSON or JSONL record is skipped and reported; a longer CSV record refuses the file.",
    );
}
