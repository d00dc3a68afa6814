//! Access tokens, and the request limits and timings.
//!
//! A group of the catalogue ([`super`]): its keys are re-exported there as
//! `catalogue::NAME`, and [`super::KEYS`] lists them in catalogue order.

use actors::tree;

use super::*;

catalogue! {
    LIMITS;
    // --- access ---
    BETTAFISH_OPERATOR_TOKEN = fixed(secret(
        "Operator token for mutating routes; generated at first start if unset.",
    ));
    BETTAFISH_VIEWER_TOKEN = fixed(secret(
        "Viewer token for read routes when not bound to loopback.",
    ));
    // --- limits and timings ---
    BETTAFISH_MAX_BODY_BYTES = count(
        "1048576",
        1_024,
        1_073_741_824,
        "Largest request body accepted.",
    );
    BETTAFISH_REQUEST_TIMEOUT_SECS = count(
        "30",
        1,
        3_600,
        "Longest a request handler may take.",
    );
    BETTAFISH_SHUTDOWN_DEADLINE_SECS = at_start(count(
        "10",
        1,
        600,
        "Longest a graceful shutdown may take before the process exits anyway.",
    ));
    BETTAFISH_METRICS_INTERVAL_SECS = restarts(
        count(
            "5",
            1,
            3_600,
            "How often process metrics are collected.",
        ),
        tree::infra::METRICS_PATH,
    );
}
