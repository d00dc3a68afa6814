//! The supervision crate's behaviour tests, one binary (`autotests = false`) so everything links
//! once. Each module is one behaviour; `util` holds the test worker, its probe and the recorder.

// A failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod integration {
    #[path = "../../../tests/support/eventually.rs"]
    pub mod eventually;
    pub mod util;

    mod backoff;
    mod commands;
    mod handles;
    mod intensity;
    mod matrix;
    mod model;
    mod shutdown;
    mod storm;
}
