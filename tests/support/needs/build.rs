//! Decides, when this crate is compiled, which test backends are configured: a cfg per URL
//! that is set and not empty. Cargo reruns this (and so recompiles every test that uses the
//! attributes) whenever either variable changes, so a test is never left ignored or run on a
//! stale answer. Only test targets depend on this crate, so changing a URL rebuilds tests,
//! not the libraries they test.

fn main() {
    for (variable, cfg) in [
        ("DATABASE_URL", "database_url_set"),
        ("REDIS_URL", "redis_url_set"),
    ] {
        println!("cargo::rerun-if-env-changed={variable}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var_os(variable).is_some_and(|url| !url.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    // Headless Chromium (for PDF export), found as the service finds it: on PATH under one of
    // its usual names. Installing or removing it changes the folders on PATH, which reruns this.
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(chromium_found)");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut found = false;
    for dir in std::env::split_paths(&path) {
        if dir.is_dir() {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
        found |= [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ]
        .iter()
        .any(|name| dir.join(name).is_file());
    }
    if found {
        println!("cargo::rustc-cfg=chromium_found");
    }
}
