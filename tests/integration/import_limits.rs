//! `bettafish db import` on files that are not to be trusted, through the binary: a large CSV
//! stays within a memory bound, a folder that links to itself is walked once, links out of the
//! named folder are not followed, and a CSV quote never closed refuses its file at its line.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_bettafish");

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .env_clear()
        .env("BETTAFISH_SAMPLE_DATA", "off")
        .arg("db")
        .args(args);
    command
}

/// Runs `bettafish db …` to its end (failing the test past `limit`), measuring the child's
/// peak resident memory from /proc while it runs; its output and the peak in MB.
fn run(dir: &Path, args: &[&str], limit: Duration) -> (Output, f64) {
    let mut child = command(dir, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    // Read the pipes on threads of their own, so a chatty child never blocks on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut text).unwrap();
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut text).unwrap();
        text
    });
    let began = Instant::now();
    let mut peak_kb = 0.0f64;
    let status = loop {
        // VmHWM is the peak so far, so a sample now and then misses nothing but the last
        // moments.
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if began.elapsed() > limit {
            let _ = child.kill();
            panic!("`db {}` did not finish within {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, peak_kb / 1024.0)
}

fn posts(dir: &Path) -> u64 {
    let (output, _) = run(dir, &["stats", "--json"], Duration::from_secs(60));
    assert!(output.status.success(), "{output:?}");
    let stats: Value = serde_json::from_slice(&output.stdout).unwrap();
    stats["posts"]["contents"].as_u64().unwrap() + stats["posts"]["comments"].as_u64().unwrap()
}

#[test]
fn a_large_csv_of_tiny_lines_is_imported_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data/weibo/csv");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("search_contents_big.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(out, "note_id,content").unwrap();
    // 1.2 million tiny lines (the original held every one as a record: 15 GB for 12 million),
    // one in a thousand a real note, the rest without an id.
    const LINES: usize = 1_200_000;
    for i in 0..LINES {
        if i % 1000 == 0 {
            writeln!(out, "n{i},马拉松 {i}").unwrap();
        } else {
            writeln!(out, ",x").unwrap();
        }
    }
    out.flush().unwrap();
    drop(out);
    let size_mb = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
    let (output, peak_mb) = run(
        dir.path(),
        &["import", path.to_str().unwrap()],
        Duration::from_secs(300),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("{LINES} rows, 1200 written")),
        "{}",
        stdout.lines().next().unwrap_or_default()
    );
    // Generous: about 30 MB was measured (a debug build); holding the file's 1.2 million
    // records, as the import did, takes several hundred.
    assert!(
        peak_mb < 100.0,
        "peak RSS {peak_mb:.0} MB for a {size_mb:.0} MB file"
    );
    assert_eq!(posts(dir.path()), 1200);
}

/// Every row valid and long, so batches fill and the writer is the slow side: reading must wait
/// for it (a channel of two batches) rather than run ahead and hold the file, and the search
/// index's pending terms must be flushed by their bytes, not only by their count.
#[test]
fn many_valid_rows_are_imported_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data/weibo/csv");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("search_contents_valid.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(out, "note_id,content").unwrap();
    const ROWS: usize = 30_000;
    // A kilobyte a row (30 MB): 30,000 rows keep the test near 6 s in a debug build.
    let filler = "舆".repeat(330);
    for i in 0..ROWS {
        writeln!(out, "n{i},{filler} {i}").unwrap();
    }
    out.flush().unwrap();
    drop(out);
    let began = Instant::now();
    let (output, peak_mb) = run(
        dir.path(),
        &["import", path.to_str().unwrap()],
        Duration::from_secs(300),
    );
    let took = began.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("{ROWS} rows, {ROWS} written")),
        "{stdout}"
    );
    // About 120 MB was measured (debug build: some 30 MB of process, SQLite's 32 MB page
    // cache, the batches and the index's pending terms); with the pending terms bounded by
    // count only it was 240 MB, flat in the number of rows.
    assert!(peak_mb < 170.0, "peak RSS {peak_mb:.0} MB ({took:?})");
    assert_eq!(posts(dir.path()), ROWS as u64);
}

#[test]
fn folders_that_link_to_themselves_or_out_are_walked_once_inside() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("search_contents_secret.jsonl"),
        "{\"note_id\": \"s1\", \"content\": \"not to be imported\"}\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data/weibo/jsonl");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("search_contents_a.jsonl"),
        "{\"note_id\": \"a1\", \"content\": \"马拉松\"}\n",
    )
    .unwrap();
    // Two links to the folder itself, and one out of it.
    std::os::unix::fs::symlink("..", data.join("up")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("data"), data.join("again")).unwrap();
    std::os::unix::fs::symlink(outside.path(), data.join("elsewhere")).unwrap();

    let (output, _) = run(dir.path(), &["import", "data"], Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stdout.matches("search_contents_a.jsonl: 1 rows").count(),
        1,
        "{stdout}"
    );
    assert!(!stdout.contains("secret"), "{stdout}");
    assert!(
        stderr.contains("elsewhere: passed over: a link out of"),
        "{stderr}"
    );
    assert!(stderr.contains("a directory already walked"), "{stderr}");
    assert_eq!(posts(dir.path()), 1);
}

#[test]
fn an_unterminated_csv_quote_refuses_the_file_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data/weibo/csv");
    std::fs::create_dir_all(&folder).unwrap();
    let mut text = String::from("note_id,content\n1,fine\n2,\"opened and never closed\n");
    for i in 3..10_000 {
        text.push_str(&format!("{i},more text\n"));
    }
    std::fs::write(folder.join("search_contents_q.csv"), text).unwrap();
    let (output, _) = run(dir.path(), &["import", "data"], Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("search_contents_q.csv:3: a CSV quote opened here is never closed"),
        "{stderr}"
    );
    assert_eq!(posts(dir.path()), 0, "nothing of the file");
}

#[test]
fn file_names_and_record_values_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data/weibo/jsonl");
    std::fs::create_dir_all(&folder).unwrap();
    // A name that clears the screen and starts a new line; a value that turns text around.
    let name = "search_contents_\u{1b}[2J\nforged.jsonl";
    std::fs::write(
        folder.join(name),
        "{\"note_id\": \"a1\", \"content\": \"ok\", \"comments_count\": \"\u{202e}9\u{2028}x\u{85}\"}\n",
    )
    .unwrap();
    let (output, _) = run(dir.path(), &["import", "data"], Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let all = format!("{stdout}{stderr}");
    for raw in ['\u{1b}', '\u{202e}', '\u{2028}', '\u{85}'] {
        assert!(
            !all.contains(raw),
            "U+{:04X} shown raw: {all:?}",
            u32::from(raw)
        );
    }
    assert!(
        stdout.contains("search_contents_\\u{1b}[2J\\nforged.jsonl: 1 rows"),
        "{stdout:?}"
    );
    assert!(stdout.contains("\\u{202e}9\\u{2028}x"), "{stdout:?}");
    assert!(!all.lines().any(|l| l.starts_with("forged")), "{all:?}");
}
