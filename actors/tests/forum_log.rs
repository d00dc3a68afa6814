//! Following a forum log written by another program, on real files: lines written in pieces,
//! SYSTEM lines and repeats dropped, truncation and rotation survived without skipping.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use actors::forum::follow::Follower;
use actors::forum::line::format;
use proptest::prelude::*;

fn append(path: &std::path::Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn contents(lines: &[actors::forum::line::ForumLine]) -> Vec<String> {
    lines.iter().map(|l| l.content.clone()).collect()
}

#[test]
fn follows_pieces_drops_system_and_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forum.log");
    let mut f = Follower::new(&path);
    assert!(f.poll().unwrap().is_empty(), "no file yet");
    append(
        &path,
        "[10:00:00] [SYSTEM] [1a2b3c4d] === 搜索会话ID: 1a2b3c4d ===\n",
    );
    append(
        &path,
        "[10:00:01] [INSIGHT] [1a2b3c4d] 第一条\\n两行\n[10:00:02] [MEDIA] [1a2b",
    );
    assert_eq!(contents(&f.poll().unwrap()), ["第一条\n两行"]);
    append(&path, "3c4d] 第二条\n");
    append(&path, "[10:00:03] [INSIGHT] [1a2b3c4d] 第一条\\n两行\n");
    append(&path, "garbage line\n[10:00:04] [HOST] 主持人发言\n");
    let lines = f.poll().unwrap();
    assert_eq!(contents(&lines), ["第二条", "主持人发言"]);
    assert_eq!(lines[0].source.as_deref(), Some("MEDIA"));
}

#[test]
fn truncation_and_rotation_skip_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forum.log");
    let mut f = Follower::new(&path);
    append(&path, "[10:00:00] [QUERY] one\n");
    assert_eq!(contents(&f.poll().unwrap()), ["one"]);
    // Truncated and rewritten (the original clears forum.log at each search).
    std::fs::write(&path, "[10:01:00] [QUERY] two\n").unwrap();
    assert_eq!(contents(&f.poll().unwrap()), ["two"]);
    // Rotated: more written to the old file after our last read, then a new file.
    append(&path, "[10:02:00] [QUERY] three\n");
    std::fs::rename(&path, dir.path().join("forum.log.1")).unwrap();
    append(&dir.path().join("forum.log.1"), "[10:02:01] [QUERY] four\n");
    append(&path, "[10:03:00] [QUERY] five\n");
    assert_eq!(contents(&f.poll().unwrap()), ["three", "four", "five"]);
    append(&path, "[10:03:01] [QUERY] six\n");
    assert_eq!(contents(&f.poll().unwrap()), ["six"]);
}

#[test]
fn memory_for_repeats_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forum.log");
    let mut f = Follower::new(&path);
    let mut text = String::new();
    for i in 0..(actors::forum::follow::DEDUP_WINDOW + 10) {
        text.push_str(&format("10:00:00", "QUERY", None, &format!("message {i}")));
        text.push('\n');
    }
    append(&path, &text);
    assert_eq!(
        f.poll().unwrap().len(),
        actors::forum::follow::DEDUP_WINDOW + 10
    );
    // The oldest has left the window: said again, it is new again.
    append(
        &path,
        &format!("{}\n", format("10:00:01", "QUERY", None, "message 0")),
    );
    assert_eq!(contents(&f.poll().unwrap()), ["message 0"]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]
    #[test]
    fn any_way_of_writing_gives_the_same_lines(
        messages in proptest::collection::vec("[a-z舆情 ]{1,20}", 1..20),
        cuts in proptest::collection::vec(0usize..4000, 0..10),
    ) {
        let mut text = String::new();
        for (i, m) in messages.iter().enumerate() {
            text.push_str(&format("10:00:00", "INSIGHT", Some("1a2b3c4d"), &format!("{i}:{m}")));
            text.push('\n');
        }
        let bytes = text.as_bytes();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("forum.log");
        let mut f = Follower::new(&path);
        let mut got = Vec::new();
        let mut at = 0;
        for cut in cuts.into_iter().chain([bytes.len()]) {
            let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
            file.write_all(&bytes[at..cut]).unwrap();
            at = cut;
            got.extend(contents(&f.poll().unwrap()));
        }
        let want: Vec<String> = messages.iter().enumerate().map(|(i, m)| format!("{i}:{m}")).collect();
        prop_assert_eq!(got, want);
    }
}
