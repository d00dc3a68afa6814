//! The forum, how every LLM endpoint is called, and the engines and analyses.
//!
//! A group of the catalogue ([`super`]): its keys are re-exported there as
//! `catalogue::NAME`, and [`super::KEYS`] lists them in catalogue order.

use actors::tree;

use super::*;

catalogue! {
    ENGINES;
    // --- the forum ---
    FORUM_HOST_EVERY = restarts(
        count(
            "5",
            1,
            100,
            "Agent messages per host message in the forum.",
        ),
        tree::FORUM_PATH,
    );
    FORUM_LOG_FOLLOW = restarts(
        key(
            None,
            Kind::Path,
            "A forum.log written by other programs (the original's engines) for the forum to follow.",
        ),
        tree::FORUM_PATH,
    );
    // --- how every LLM endpoint is called ---
    LLM_TIMEOUT = restarts(
        count(
            "180",
            1,
            3_600,
            "Seconds one LLM attempt may take.",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_MAX_ATTEMPTS = restarts(
        count(
            "4",
            1,
            10,
            "Attempts per LLM call (429, 5xx, timeouts and broken connections are retried).",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_BACKOFF_MIN_MS = restarts(
        count(
            "500",
            1,
            60_000,
            "The first wait between LLM attempts, doubled each time (jittered); Retry-After wins when longer.",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_MAX_TOTAL_WAIT = restarts(
        count(
            "60",
            0,
            3_600,
            "Seconds an LLM call may spend waiting between attempts in all.",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_CIRCUIT_FAILURES = restarts(
        count(
            "5",
            1,
            100,
            "Failed LLM calls in a row after which the endpoint is left alone (built-in analysis stands in).",
        ),
        tree::Branch::Engines.path(),
    );
    LLM_CIRCUIT_COOLDOWN = restarts(
        count(
            "60",
            1,
            86_400,
            "Seconds a failing LLM endpoint is left alone before one call probes it.",
        ),
        tree::Branch::Engines.path(),
    );
    // --- the engines and analyses ---
    MAX_REFLECTIONS = restarts(
        count(
            "2",
            0,
            10,
            "Reflection rounds (search again for what is missing, rewrite) per report paragraph.",
        ),
        tree::Branch::Engines.path(),
    );
    MAX_PARAGRAPHS = restarts(
        count(
            "5",
            1,
            20,
            "Most paragraphs an engine's report plans.",
        ),
        tree::Branch::Engines.path(),
    );
    ANALYSIS_ENGINE_TIMEOUT = count(
        "600",
        1,
        86_400,
        "Seconds each engine may take in an analysis before its job is cancelled.",
    );
}
