//! Report tasks and the evidence they are written from.
//!
//! A group of the catalogue ([`super`]): its keys are re-exported there as
//! `catalogue::NAME`, and [`super::KEYS`] lists them in catalogue order.

use actors::tree;

use super::*;

catalogue! {
    REPORTS;
    REPORT_MAX_RUNNING = at_start(count(
        "2",
        1,
        64,
        "Report tasks this instance writes at once; more wait in the queue, which lives in the database and is shared by every instance using it.",
    ));
    REPORT_MAX_PENDING = at_start(count(
        "1000",
        1,
        1_000_000,
        "Report tasks waiting in the shared queue before one more is refused with 503 (each costs searches and LLM calls when it runs).",
    ));
    REPORT_LEASE_SECS = restarts(
        count(
            "30",
            1,
            3_600,
            "Seconds a claimed report task is held without renewal (renewed every third of it); a task whose instance died is taken over after this.",
        ),
        tree::REPORT_ENGINE_PATH,
    );
    REPORT_MAX_ATTEMPTS = restarts(
        count(
            "3",
            1,
            20,
            "Claims of one report task before it is recorded as failed (an instance died holding it each time).",
        ),
        tree::REPORT_ENGINE_PATH,
    );
    REPORT_POLL_MS = restarts(
        count(
            "1000",
            50,
            60_000,
            "How often the report engine looks at the shared queue (it also looks at once when a task is queued here).",
        ),
        tree::REPORT_ENGINE_PATH,
    );
    REPORT_AUTO = key(
        Some("true"),
        Kind::Choice(&["true", "false"]),
        "Whether an analysis that found anything ends by queuing its report.",
    );
    EVIDENCE_MAX_ITEMS = count(
        "200",
        10,
        5_000,
        "Most items (posts, comments, news, web pages) in an analysis's evidence set.",
    );
    BETTAFISH_CHROMIUM = key(
        None,
        Kind::Path,
        "The headless Chromium that prints reports to PDF; unset: `chromium`, `chromium-browser`, `google-chrome` or `google-chrome-stable` on PATH.",
    );
    BETTAFISH_TIME_ZONE = key(
        Some("+08:00"),
        Kind::Text,
        "The UTC offset days are counted in (per-day volumes, dates in reports): `+08:00`, `-05:00`, `UTC`.",
    );
}
