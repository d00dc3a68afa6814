//! The metrics contract, checked the same way in every crate that emits metrics: record what
//! the crate's events emit (with `metrics_util`'s `DebuggingRecorder`, installed for this
//! thread only), then hold it to the crate's list of described metrics and to
//! `docs/METRICS.md`:
//! - every described metric is emitted, and nothing is emitted undescribed;
//! - each metric's type and label keys are the documented ones, the same at every emission;
//! - names follow Prometheus' rules (prefix, `_total` on counters only, a unit on histograms);
//! - every name the crate's sources pass to a `metrics` macro is described (so an emitter the
//!   exercise forgot cannot hide an undescribed metric).
//!
//! Included by path into each crate's `internal_events` (or `telemetry`) unit tests, which fire
//! every event the crate has. When an event moves to another crate, its exercise moves with it
//! and its rows in docs/METRICS.md name the new crate.

#![allow(dead_code)] // each includer uses part of it

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use metrics_util::debugging::DebuggingRecorder;
use metrics_util::MetricKind;

/// A metric as emitted or documented: its type and label keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// `counter`, `gauge` or `histogram`.
    pub kind: String,
    pub labels: BTreeSet<String>,
}

/// Runs `exercise` with a recorder installed on this thread; what it emitted, by name.
pub fn record(exercise: impl FnOnce()) -> BTreeMap<String, Shape> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, exercise);
    let mut emitted: BTreeMap<String, Shape> = BTreeMap::new();
    for (key, _, _, _) in snapshotter.snapshot().into_vec() {
        let kind = match key.kind() {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
        };
        let shape = Shape {
            kind: kind.to_owned(),
            labels: key.key().labels().map(|l| l.key().to_owned()).collect(),
        };
        let name = key.key().name().to_owned();
        if let Some(seen) = emitted.get(&name) {
            assert_eq!(
                seen, &shape,
                "{name} is emitted with two different types or label sets"
            );
        }
        emitted.insert(name, shape);
    }
    emitted
}

/// The metrics of the exposition text `text` (`# TYPE` lines and the samples' label keys),
/// for metrics rendered by hand rather than through the `metrics` facade.
pub fn exposed(text: &str) -> BTreeMap<String, Shape> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            let shape = Shape {
                kind: kind.to_owned(),
                labels: BTreeSet::new(),
            };
            out.insert(name.to_owned(), shape);
        } else if !line.starts_with('#') && !line.is_empty() {
            let name = line.split(['{', ' ']).next().unwrap();
            let labels = line
                .split_once('{')
                .and_then(|(_, rest)| rest.split_once('}'))
                .map(|(labels, _)| labels)
                .unwrap_or_default();
            if let Some(shape) = out.get_mut(name) {
                for pair in labels.split(',').filter(|p| !p.is_empty()) {
                    shape
                        .labels
                        .insert(pair.split('=').next().unwrap().to_owned());
                }
            }
        }
    }
    out
}

/// The rows of docs/METRICS.md (found in `dir` or the nearest directory above it) that name
/// `krate`.
pub fn documented(krate: &str, dir: &Path) -> BTreeMap<String, Shape> {
    let path = dir
        .ancestors()
        .map(|d| d.join("docs/METRICS.md"))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no docs/METRICS.md at or above {}", dir.display()));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| `bettafish_")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, name, kind, labels, from, ..] = cells[..] else {
            panic!("docs/METRICS.md: a row without its cells: {line}");
        };
        if from.trim_matches('`') != krate {
            continue;
        }
        let labels = labels
            .split(',')
            .map(|l| l.trim().trim_matches('`'))
            .filter(|l| !l.is_empty() && *l != "—")
            .map(str::to_owned)
            .collect();
        let shape = Shape {
            kind: kind.to_owned(),
            labels,
        };
        let name = name.trim_matches('`').to_owned();
        assert!(
            out.insert(name.clone(), shape).is_none(),
            "docs/METRICS.md: {name} twice"
        );
    }
    out
}

/// Every metric name passed to a `metrics` macro in the `.rs` files under `dir`.
pub fn named_in_sources(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for macro_call in ["counter!(", "gauge!(", "histogram!("] {
                    for (at, _) in text.match_indices(macro_call) {
                        let rest = text[at + macro_call.len()..].trim_start();
                        if let Some(literal) = rest.strip_prefix('"') {
                            out.insert(literal.split('"').next().unwrap().to_owned());
                        }
                    }
                }
            }
        }
    }
    out
}

/// Holds `emitted` (everything the crate's events emitted) to `described` (the crate's list),
/// to docs/METRICS.md's rows for `krate`, to Prometheus' naming rules, and to the names in the
/// sources under the crate's `src/` (`manifest_dir` is the crate's `CARGO_MANIFEST_DIR`).
pub fn check(
    krate: &str,
    described: &[&str],
    emitted: &BTreeMap<String, Shape>,
    manifest_dir: &str,
) {
    let manifest_dir = Path::new(manifest_dir);
    let src = manifest_dir.join("src");
    let described: BTreeSet<String> = described.iter().map(|n| n.to_string()).collect();
    let emitted_names: BTreeSet<String> = emitted.keys().cloned().collect();
    let never: Vec<_> = described.difference(&emitted_names).collect();
    assert!(
        never.is_empty(),
        "{krate}: described, never emitted: {never:?}"
    );
    let undescribed: Vec<_> = emitted_names.difference(&described).collect();
    assert!(
        undescribed.is_empty(),
        "{krate}: emitted, not described: {undescribed:?}"
    );

    let documented = documented(krate, manifest_dir);
    let documented_names: BTreeSet<String> = documented.keys().cloned().collect();
    let undocumented: Vec<_> = described.difference(&documented_names).collect();
    let stale: Vec<_> = documented_names.difference(&described).collect();
    assert!(
        undocumented.is_empty() && stale.is_empty(),
        "{krate}: described, without a row in docs/METRICS.md: {undocumented:?}; \
         a row for {krate} there, not described: {stale:?}"
    );
    for (name, shape) in emitted {
        assert_eq!(
            Some(shape),
            documented.get(name),
            "{name}: emitted as the left, documented in docs/METRICS.md as the right"
        );
        assert!(
            name.starts_with("bettafish_")
                && name[10..]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
            "{name}: not a bettafish_ snake_case name"
        );
        assert_eq!(
            shape.kind == "counter",
            name.ends_with("_total"),
            "{name}: counters, and only counters, end in _total"
        );
        if shape.kind == "histogram" {
            assert!(
                name.ends_with("_seconds") || name.ends_with("_bytes"),
                "{name}: a histogram names its base unit"
            );
        }
    }

    let in_sources = named_in_sources(&src);
    let hidden: Vec<_> = in_sources.difference(&described).collect();
    assert!(
        hidden.is_empty(),
        "{krate}: named in a metrics macro under {}, not described: {hidden:?}",
        src.display()
    );
    assert!(!in_sources.is_empty(), "{krate}: no metrics macro found");
}
