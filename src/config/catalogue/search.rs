//! The search providers, and the original's search and report limits.
//!
//! A group of the catalogue ([`super`]): its keys are re-exported there as
//! `catalogue::NAME`, and [`super::KEYS`] lists them in catalogue order.

use actors::tree;

use super::*;

catalogue! {
    SEARCH;
    // --- search providers (the engines build theirs when they start) ---
    TAVILY_API_KEY = restarts(secret("Tavily web search API key."), tree::Branch::Engines.path());
    BOCHA_WEB_SEARCH_API_KEY = restarts(secret("Bocha web search API key."), tree::Branch::Engines.path());
    BOCHA_BASE_URL = restarts(key(None, Kind::Url, "Bocha API base URL."), tree::Branch::Engines.path());
    SEARXNG_URL = restarts(
        key(None, Kind::Url, "A self-hosted SearXNG instance (JSON API)."),
        tree::Branch::Engines.path(),
    );
    SEARCH_TIMEOUT = restarts(
        count("240", 1, 3_600, "Seconds a search may take."),
        tree::Branch::Engines.path(),
    );
    // --- the original's search and report limits: accepted and shown, so its .env files load,
    // but nothing reads them yet ---
    SEARCH_CONTENT_MAX_LENGTH = count(
        "20000",
        100,
        1_000_000,
        "Characters of search content passed on.",
    );
    DEFAULT_SEARCH_HOT_CONTENT_LIMIT = count(
        "100",
        1,
        10_000,
        "Hot-content rows fetched.",
    );
    DEFAULT_SEARCH_TOPIC_GLOBALLY_LIMIT_PER_TABLE = count(
        "50",
        1,
        10_000,
        "Rows per table for a global topic search.",
    );
    DEFAULT_SEARCH_TOPIC_BY_DATE_LIMIT_PER_TABLE = count(
        "100",
        1,
        10_000,
        "Rows per table for a dated topic search.",
    );
    DEFAULT_GET_COMMENTS_FOR_TOPIC_LIMIT = count(
        "500",
        1,
        100_000,
        "Comments fetched per topic.",
    );
    DEFAULT_SEARCH_TOPIC_ON_PLATFORM_LIMIT = count(
        "200",
        1,
        10_000,
        "Rows for a topic on one platform.",
    );
    MAX_SEARCH_RESULTS_FOR_LLM = count(
        "0",
        0,
        10_000,
        "Search results passed to the LLM (0: no cap).",
    );
    MAX_HIGH_CONFIDENCE_SENTIMENT_RESULTS = count(
        "0",
        0,
        10_000,
        "High-confidence sentiment results kept (0: no cap).",
    );
}
