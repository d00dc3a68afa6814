//! Pages of `forum.log`, read without reading the file: the log grows with every analysis
//! (16.6 MB after a thousand), so a request reads only the bytes of its page, found by seeking
//! from a byte-offset cursor and scanning for newlines in fixed-size chunks. A page is whole
//! lines (a trailing line still being written waits for a later page), at most `lines` of them
//! and at most `max_bytes` of them, except that one line longer than `max_bytes` is served cut.
//! These are blocking reads: the handler runs them off the async runtime.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Bytes read at a time while looking for newlines.
const CHUNK: usize = 64 * 1024;

/// Where a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The last lines of the log.
    Tail,
    /// The lines that end at this offset (a line start): paging backwards.
    Before(u64),
    /// The lines that start at this offset (a line start): following forwards.
    After(u64),
}

/// How much one page may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    pub lines: usize,
    pub max_bytes: usize,
}

/// A page of whole lines: the bytes `start..end` of a log of `size` bytes, held once as text
/// (its lines are slices of it, [`Page::lines`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The lines, joined by newlines, without the last one's.
    text: String,
    pub start: u64,
    pub end: u64,
    pub size: u64,
    /// Whether its one line was longer than the page's bytes and is served cut.
    pub cut: bool,
}

impl Page {
    /// The page's lines.
    pub fn lines(&self) -> impl Iterator<Item = &str> + Clone {
        // An empty page has no lines; a page of one empty line has text "" too.
        let any = self.start != self.end;
        self.text.split('\n').filter(move |_| any)
    }
}

/// Why there is no page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The cursor is not a line start of this log.
    #[error("{0}")]
    BadCursor(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// The page of `path` at `cursor`. A log that does not exist yet is empty.
///
/// # Errors
/// [`PageError::BadCursor`] for an offset beyond the log or inside a line; the file's errors.
pub fn read_page(path: &Path, cursor: Cursor, limits: PageLimits) -> Result<Page, PageError> {
    let file = match File::open(path) {
        Ok(file) => Some(file),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let size = match &file {
        Some(file) => file.metadata()?.len(),
        None => 0,
    };
    let at = match cursor {
        Cursor::Tail => None,
        Cursor::Before(at) | Cursor::After(at) => Some(at),
    };
    if let Some(at) = at {
        if at > size {
            return Err(PageError::BadCursor(format!(
                "offset {at} is beyond the end of the forum log ({size} bytes; it may have been \
                 cleared): start again from the tail"
            )));
        }
    }
    let Some(file) = file else {
        return Ok(Page {
            text: String::new(),
            start: 0,
            end: 0,
            size,
            cut: false,
        });
    };
    if let Some(at) = at {
        if at > 0 && byte_at(&file, at - 1)? != b'\n' {
            return Err(PageError::BadCursor(format!(
                "offset {at} is not the start of a line of the forum log"
            )));
        }
    }
    let budget = limits.max_bytes as u64;
    let (start, end) = match cursor {
        Cursor::After(from) => (from, forward_end(&file, from, size, limits.lines, budget)?),
        Cursor::Before(to) => (backward_start(&file, to, limits.lines, budget)?, to),
        Cursor::Tail => {
            let to = complete_end(&file, size)?;
            (backward_start(&file, to, limits.lines, budget)?, to)
        }
    };
    let (text, cut) = read_lines(&file, start, end, budget)?;
    Ok(Page {
        text,
        start,
        end,
        size,
        cut,
    })
}

fn byte_at(file: &File, at: u64) -> io::Result<u8> {
    let mut one = [0u8; 1];
    file.read_exact_at(&mut one, at)?;
    Ok(one[0])
}

/// The end of the log's last whole line: a line still being written is not served yet.
fn complete_end(file: &File, size: u64) -> io::Result<u64> {
    let mut buf = vec![0u8; CHUNK];
    let mut pos = size;
    while pos > 0 {
        let n = CHUNK.min(usize::try_from(pos).unwrap_or(CHUNK));
        let lo = pos - n as u64;
        file.read_exact_at(&mut buf[..n], lo)?;
        if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
            return Ok(lo + i as u64 + 1);
        }
        pos = lo;
    }
    Ok(0)
}

/// From `from` (a line start): the end of the page of up to `want` whole lines and `budget`
/// bytes (or of its one first line, however long).
fn forward_end(file: &File, from: u64, size: u64, want: usize, budget: u64) -> io::Result<u64> {
    let mut buf = vec![0u8; CHUNK];
    let (mut pos, mut end, mut found) = (from, from, 0usize);
    while pos < size {
        let n = CHUNK.min(usize::try_from(size - pos).unwrap_or(CHUNK));
        file.read_exact_at(&mut buf[..n], pos)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b != b'\n' {
                continue;
            }
            let at = pos + i as u64 + 1;
            if at - from > budget && found > 0 {
                return Ok(end);
            }
            (end, found) = (at, found + 1);
            if found == want {
                return Ok(end);
            }
        }
        pos += n as u64;
    }
    Ok(end)
}

/// Back from `to` (a line start): the start of the page of up to `want` whole lines and
/// `budget` bytes that ends there (or of its one last line, however long).
fn backward_start(file: &File, to: u64, want: usize, budget: u64) -> io::Result<u64> {
    if to == 0 {
        return Ok(0);
    }
    let mut buf = vec![0u8; CHUNK];
    let (mut start, mut found) = (to, 0usize);
    // The newline at `to - 1` ends the page's last line; each one before starts a line.
    let mut pos = to - 1;
    while pos > 0 {
        let n = CHUNK.min(usize::try_from(pos).unwrap_or(CHUNK));
        let lo = pos - n as u64;
        file.read_exact_at(&mut buf[..n], lo)?;
        for i in (0..n).rev() {
            if buf[i] != b'\n' {
                continue;
            }
            let line_start = lo + i as u64 + 1;
            if to - line_start > budget && found > 0 {
                return Ok(start);
            }
            (start, found) = (line_start, found + 1);
            if found == want {
                return Ok(start);
            }
        }
        pos = lo;
    }
    // The log's first line.
    if to > budget && found > 0 {
        return Ok(start);
    }
    Ok(0)
}

/// The text of `start..end` (whole lines, each ending in a newline) without the last newline;
/// one line longer than `budget` bytes is read cut to it, at a character boundary.
fn read_lines(file: &File, start: u64, end: u64, budget: u64) -> io::Result<(String, bool)> {
    if start == end {
        return Ok((String::new(), false));
    }
    // The last newline is not text: a line of exactly `budget` bytes is whole.
    let text_len = end - start - 1;
    let cut = text_len > budget;
    let len = usize::try_from(text_len.min(budget)).unwrap_or(0);
    let mut bytes = vec![0u8; len];
    file.read_exact_at(&mut bytes, start)?;
    if cut {
        let whole = whole_chars(&bytes).len();
        bytes.truncate(whole);
    }
    // Valid UTF-8 (the forum writes it) is taken as it is, without a copy.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok((text, cut))
}

/// `bytes` without a character cut off at its end (what a cut leaves).
fn whole_chars(bytes: &[u8]) -> &[u8] {
    match std::str::from_utf8(bytes) {
        Err(e) if e.error_len().is_none() => &bytes[..e.valid_up_to()],
        _ => bytes,
    }
}

/// A window of the log by line number, for `POST /api/forum/log/history`: up to `want` lines
/// from line `position` (0-based) and `budget` bytes, the line after them, and how many lines
/// the log has. Streams the file: memory holds the window, whatever the log's size.
pub fn window(
    path: &Path,
    position: usize,
    want: usize,
    budget: usize,
) -> io::Result<(Vec<String>, usize, usize)> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), 0, 0)),
        Err(e) => return Err(e),
    };
    let mut reader = BufReader::with_capacity(CHUNK, file);
    let (mut lines, mut bytes, mut line_no, mut next) = (Vec::new(), 0usize, 0usize, position);
    let mut current: Vec<u8> = Vec::new();
    let mut current_cut = false;
    let mut in_window = position == 0 && want > 0;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        let (piece, ends_line) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], true),
            None => (chunk, false),
        };
        if in_window {
            if bytes + current.len() + piece.len() > budget && !lines.is_empty() {
                // This line does not fit: the window ends before it.
                in_window = false;
                current.clear();
            } else {
                let room = budget.saturating_sub(bytes + current.len());
                current_cut |= piece.len() > room;
                current.extend_from_slice(&piece[..piece.len().min(room)]);
            }
        }
        let used = piece.len() + usize::from(ends_line);
        reader.consume(used);
        if ends_line {
            if in_window {
                bytes += current.len();
                // A cut line ends at a character boundary, not in a replacement character.
                let text = if current_cut {
                    whole_chars(&current)
                } else {
                    &current[..]
                };
                lines.push(String::from_utf8_lossy(text).into_owned());
                current.clear();
                current_cut = false;
                next = line_no + 1;
                in_window = lines.len() < want && bytes < budget;
            }
            line_no += 1;
            if line_no == position && want > 0 {
                in_window = true;
            }
        }
    }
    Ok((lines, next, line_no))
}

#[cfg(test)]
mod tests {
    //! Paging backwards from the tail and forwards from any page meets every line once, in
    //! order, within the limits; cursors inside a line or beyond the end are refused.
    use super::*;
    use proptest::prelude::*;

    fn log(lines: &[String], partial: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut text = String::new();
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(partial);
        std::fs::write(file.path(), text).unwrap();
        file
    }

    fn page(path: &Path, cursor: Cursor, lines: usize, max_bytes: usize) -> Page {
        read_page(path, cursor, PageLimits { lines, max_bytes }).unwrap()
    }

    proptest! {
        #[test]
        fn backwards_and_forwards_each_line_once(
            lines in proptest::collection::vec("[a-z舆情 ]{0,30}", 0..60),
            per_page in 1usize..7,
            max_bytes in 16usize..200,
            partial in "[a-z]{0,5}",
        ) {
            let file = log(&lines, &partial);
            let expect = |l: &String| if l.len() > max_bytes { None } else { Some(l.clone()) };
            // Backwards from the tail.
            let mut seen = Vec::new();
            let mut cursor = Cursor::Tail;
            loop {
                let p = page(file.path(), cursor, per_page, max_bytes);
                let got: Vec<&str> = p.lines().collect();
                prop_assert!(got.len() <= per_page);
                // Within the bytes, but for one line alone (its newline not counted; cut
                // only when longer than the bytes).
                prop_assert!(p.end - p.start <= max_bytes as u64
                    || (got.len() == 1 && (p.cut == (p.end - p.start - 1 > max_bytes as u64))));
                prop_assert!(got.iter().all(|l| !l.contains(char::REPLACEMENT_CHARACTER)));
                if got.is_empty() { prop_assert_eq!(p.start, 0); break; }
                for line in got.iter().rev() { seen.push((*line).to_owned()); }
                if p.start == 0 { break; }
                cursor = Cursor::Before(p.start);
            }
            seen.reverse();
            prop_assert_eq!(seen.len(), lines.len());
            for (got, want) in seen.iter().zip(&lines) {
                match expect(want) {
                    Some(w) => prop_assert_eq!(got, &w),
                    None => prop_assert!(want.starts_with(got.as_str()) && got.len() + 3 > max_bytes),
                }
            }
            // Forwards from the start: the same lines, and the partial one is not served.
            let mut forward = Vec::new();
            let mut at = 0;
            loop {
                let p = page(file.path(), Cursor::After(at), per_page, max_bytes);
                prop_assert_eq!(p.start, at);
                if p.start == p.end { break; }
                forward.extend(p.lines().map(str::to_owned));
                at = p.end;
            }
            prop_assert_eq!(forward, seen);
        }
    }

    #[test]
    fn cursors_must_be_line_starts_within_the_log() {
        let file = log(&["one".into(), "two".into()], "");
        let limits = PageLimits {
            lines: 10,
            max_bytes: 1000,
        };
        for bad in [
            Cursor::After(2),
            Cursor::Before(5),
            Cursor::After(9),
            Cursor::Before(100),
        ] {
            assert!(
                matches!(
                    read_page(file.path(), bad, limits),
                    Err(PageError::BadCursor(_))
                ),
                "{bad:?}"
            );
        }
        let p = page(file.path(), Cursor::After(4), 10, 1000);
        assert_eq!(
            (p.lines().collect::<Vec<_>>(), p.start, p.end, p.size),
            (vec!["two"], 4, 8, 8)
        );
        let missing = file.path().with_extension("none");
        assert_eq!(page(&missing, Cursor::Tail, 5, 100).lines().count(), 0);
        assert!(read_page(&missing, Cursor::After(1), limits).is_err());
    }

    #[test]
    fn a_line_longer_than_a_page_is_served_cut() {
        let long = "x".repeat(5000);
        let file = log(&["a".into(), long.clone(), "b".into()], "");
        let p = page(file.path(), Cursor::Before(5003), 10, 100);
        assert_eq!((p.lines().count(), p.cut, p.start), (1, true, 2));
        assert_eq!(p.lines().next().unwrap(), &long[..100]);
        let p = page(file.path(), Cursor::After(2), 10, 100);
        assert_eq!((p.lines().count(), p.cut, p.end), (1, true, 5003));
    }

    #[test]
    fn a_line_of_exactly_the_page_bytes_is_whole_and_cuts_keep_characters() {
        let exact = "y".repeat(100);
        let file = log(&[exact.clone(), "b".into()], "");
        let p = page(file.path(), Cursor::After(0), 10, 100);
        assert_eq!(p.lines().collect::<Vec<_>>(), [exact.as_str()]);
        assert!(!p.cut);
        // Three-byte characters cut at 100 bytes: 33 whole ones, no replacement character.
        let wide = "舆".repeat(50);
        let file = log(&[wide.clone(), "b".into()], "");
        let p = page(file.path(), Cursor::After(0), 10, 100);
        assert!(p.cut);
        assert_eq!(p.lines().next().unwrap(), "舆".repeat(33));
        let (got, _, _) = window(file.path(), 0, 1, 100).unwrap();
        assert_eq!(got, ["舆".repeat(33)]);
    }

    #[test]
    fn a_window_by_line_number_streams() {
        let lines: Vec<String> = (0..50).map(|i| format!("line {i}")).collect();
        let file = log(&lines, "");
        let (got, next, total) = window(file.path(), 10, 3, 1 << 20).unwrap();
        assert_eq!((got, next, total), (lines[10..13].to_vec(), 13, 50));
        let (got, next, _) = window(file.path(), 48, 10, 1 << 20).unwrap();
        assert_eq!((got.len(), next), (2, 50));
        let (got, next, _) = window(file.path(), 60, 10, 1 << 20).unwrap();
        assert_eq!((got.len(), next), (0, 60));
        let (got, _, _) = window(file.path(), 0, 10, 20).unwrap();
        assert_eq!(got, ["line 0", "line 1", "line 2"]);
    }
}
