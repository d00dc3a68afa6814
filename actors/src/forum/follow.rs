//! Following a `forum.log` that other programs write (the original's engines, or an older
//! BettaFish beside us): each poll returns the whole lines added since the last one, parsed,
//! without SYSTEM lines and without repeats, in bounded memory. A line still being written is
//! kept until its newline arrives. When the file is truncated (or rewritten: the last bytes
//! read are no longer there) the follower starts again from the top; when it is rotated (renamed away, a new file in its place) the follower first
//! reads what was left in the old file, then the new one — no line is skipped.

use std::collections::{HashSet, VecDeque};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::line::{parse, ForumLine};

/// How many recent messages are remembered to drop repeats.
pub const DEDUP_WINDOW: usize = 4096;
/// The longest line kept while waiting for its end.
pub const MAX_LINE: usize = 1024 * 1024;

/// The identity of a file, to notice rotation.
fn identity(file: &File) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        file.metadata().ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        None
    }
}

/// Keeps the last bytes read in `tail`.
fn remember_tail(tail: &mut Vec<u8>, read: &[u8]) {
    const TAIL: usize = 64;
    tail.extend_from_slice(&read[read.len().saturating_sub(TAIL)..]);
    let excess = tail.len().saturating_sub(TAIL);
    tail.drain(..excess);
}

/// A follower of one log file.
pub struct Follower {
    path: PathBuf,
    file: Option<(File, Option<(u64, u64)>)>,
    position: u64,
    /// The last bytes read, to notice a file rewritten to the same length or longer.
    tail: Vec<u8>,
    partial: Vec<u8>,
    seen: HashSet<(Option<String>, Option<String>, String)>,
    order: VecDeque<(Option<String>, Option<String>, String)>,
}

impl Follower {
    /// Follows `path` from its beginning (it need not exist yet).
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            file: None,
            position: 0,
            tail: Vec::new(),
            partial: Vec::new(),
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// The complete lines added since the last poll.
    pub fn poll(&mut self) -> std::io::Result<Vec<ForumLine>> {
        let mut bytes = Vec::new();
        if self.file.is_none() {
            match File::open(&self.path) {
                Ok(f) => {
                    let id = identity(&f);
                    self.file = Some((f, id));
                    self.position = 0;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(e),
            }
        }
        if let Some((file, id)) = self.file.as_mut() {
            let len = file.metadata()?.len();
            let rewritten = len < self.position || {
                // The bytes we last read are not where we read them: rewritten in place.
                let mut check = vec![0u8; self.tail.len()];
                file.seek(SeekFrom::Start(self.position - self.tail.len() as u64))?;
                file.read_exact(&mut check).is_err() || check != self.tail
            };
            if rewritten {
                // Truncated or rewritten: what is there now is new.
                self.position = 0;
                self.partial.clear();
                self.tail.clear();
            }
            file.seek(SeekFrom::Start(self.position))?;
            let read = file.read_to_end(&mut bytes)?;
            self.position += read as u64;
            remember_tail(&mut self.tail, &bytes);
            // Rotated: the path now names another file. The old one is read to its end
            // (above); the new one from its start.
            let now = File::open(&self.path).ok();
            let moved = match (&now, *id) {
                (Some(f), Some(old)) => identity(f).is_some_and(|new| new != old),
                (None, _) => false,
                (Some(_), None) => false,
            };
            if moved {
                if let Some(mut f) = now {
                    let new_id = identity(&f);
                    let mut fresh = Vec::new();
                    f.read_to_end(&mut fresh)?;
                    self.position = fresh.len() as u64;
                    self.tail.clear();
                    remember_tail(&mut self.tail, &fresh);
                    // The old file's unfinished last line ends where it ended.
                    if !self.partial.is_empty() || !bytes.ends_with(b"\n") {
                        bytes.push(b'\n');
                    }
                    bytes.extend_from_slice(&fresh);
                    self.file = Some((f, new_id));
                }
            }
        }
        Ok(self.lines(&bytes))
    }

    fn lines(&mut self, bytes: &[u8]) -> Vec<ForumLine> {
        self.partial.extend_from_slice(bytes);
        let Some(last) = self.partial.iter().rposition(|&b| b == b'\n') else {
            if self.partial.len() > MAX_LINE {
                self.partial.clear();
            }
            return Vec::new();
        };
        let complete: Vec<u8> = self.partial.drain(..=last).collect();
        let mut out = Vec::new();
        for raw in complete.split(|&b| b == b'\n') {
            let text = String::from_utf8_lossy(raw);
            let Some(line) = parse(text.trim_end_matches('\r')) else {
                continue;
            };
            if line.is_system() {
                continue;
            }
            let key = (
                line.source.clone(),
                line.session.clone(),
                line.content.clone(),
            );
            if !self.seen.insert(key.clone()) {
                continue;
            }
            self.order.push_back(key);
            if self.order.len() > DEDUP_WINDOW {
                if let Some(old) = self.order.pop_front() {
                    self.seen.remove(&old);
                }
            }
            out.push(line);
        }
        out
    }
}
