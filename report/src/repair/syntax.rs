//! Local repairs of an LLM's JSON text, each a pure function that returns the repaired text
//! only when it changed something, so the caller records exactly the repairs it used.
//!
//! They run in [`REPAIRS`]'s order because each assumes the earlier ones: a `<think>` section
//! may hold braces that would fool the prose cut, a fence wraps the JSON, and closing a
//! truncated answer needs the commas and control characters fixed first. All scanning is
//! string-aware (a `}` or `,` inside a string literal is text, not structure) and works on
//! byte offsets of ASCII characters only, so slicing never splits a character.

/// One local repair: its name as recorded in [`super::Repaired::repairs`], and the function.
pub(super) type Repair = (&'static str, fn(&str) -> Option<String>);

/// The repairs, in the order they are tried.
pub(super) const REPAIRS: [Repair; 6] = [
    ("think", strip_think),
    ("fence", strip_fence),
    ("prose", cut_prose),
    ("trailing_comma", remove_trailing_commas),
    ("control_character", escape_control_characters),
    ("truncated", close_truncated),
];

/// The reasoning tags models wrap their thoughts in.
const THINK_TAGS: [(&str, &str); 2] = [("<think>", "</think>"), ("<thinking>", "</thinking>")];

/// Removes reasoning sections. A closed section goes whole. An opening tag never closed (a
/// model cut off while thinking, or one that forgot the tag) goes up to the first line that
/// starts like the answer (`{`, `[`, a fence), or to the end. A closing tag without an opening
/// one (models whose template opens the section for them) takes everything before it.
pub(super) fn strip_think(text: &str) -> Option<String> {
    let mut out = text.to_owned();
    for (open, close) in THINK_TAGS {
        while let Some(start) = out.find(open) {
            let after = start + open.len();
            let end = match out[after..].find(close) {
                Some(at) => after + at + close.len(),
                None => answer_line_start(&out, after).unwrap_or(out.len()),
            };
            out.replace_range(start..end, "");
        }
        if let Some(at) = out.rfind(close) {
            out.replace_range(..at + close.len(), "");
        }
    }
    (out != text).then_some(out)
}

/// The byte offset of the first line at or after `from` whose first non-blank character
/// starts an answer.
fn answer_line_start(text: &str, from: usize) -> Option<usize> {
    let mut line_start = from;
    for line in text[from..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') || trimmed.starts_with("```") {
            return Some(line_start);
        }
        line_start += line.len();
    }
    None
}

/// Takes the content of the first Markdown code fence that holds JSON-looking text (its
/// language tag dropped); an opening fence without a closing one (truncated) runs to the end,
/// and backticks inside the JSON's strings do not close it.
pub(super) fn strip_fence(text: &str) -> Option<String> {
    const FENCE: &str = "```";
    let mut from = 0;
    while let Some(at) = text[from..].find(FENCE) {
        let open = from + at;
        let body_start = text[open..]
            .find('\n')
            .map_or(text.len(), |nl| open + nl + 1);
        let body_end = closing_fence(text, body_start).unwrap_or(text.len());
        let body = &text[body_start..body_end];
        if body.contains('{') || body.contains('[') {
            return Some(body.to_owned());
        }
        from = (body_end + FENCE.len()).min(text.len());
        if from >= text.len() {
            break;
        }
    }
    None
}

/// The offset of the first fence at or after `from` outside JSON strings: a span may quote
/// Markdown with backticks of its own.
fn closing_fence(text: &str, from: usize) -> Option<usize> {
    let mut scan = Scanner::default();
    let bytes = text.as_bytes();
    (from..bytes.len()).find(|&i| !scan.step(bytes[i]) && bytes[i..].starts_with(b"```"))
}

/// Cuts prose before the JSON and after its matching end. The JSON starts at the first `{`
/// that opens an object (followed by `"` or `}`) or `[` that opens a list of blocks (followed
/// by `{` or `]`), so a bracket in a sentence ("see [1]") is not taken for it.
pub(super) fn cut_prose(text: &str) -> Option<String> {
    let start = json_start(text)?;
    let end = matching_end(text, start).unwrap_or(text.len());
    let cut = &text[start..end];
    (cut.trim() != text.trim()).then(|| cut.to_owned())
}

fn json_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().find_map(|(i, &b)| {
        let next = bytes[i + 1..]
            .iter()
            .copied()
            .find(|c| !c.is_ascii_whitespace());
        let opens = match b {
            b'{' => matches!(next, Some(b'"' | b'}')),
            b'[' => matches!(next, Some(b'{' | b']')),
            _ => false,
        };
        opens.then_some(i)
    })
}

/// The offset just past the bracket closing the one at `start`, if the text has it.
fn matching_end(text: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut scan = Scanner::default();
    for (i, b) in text.bytes().enumerate().skip(start) {
        if scan.step(b) {
            continue;
        }
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Removes each comma that only whitespace separates from a closing `}` or `]`.
pub(super) fn remove_trailing_commas(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut drop = Vec::new();
    let mut scan = Scanner::default();
    for (i, &b) in bytes.iter().enumerate() {
        if scan.step(b) || b != b',' {
            continue;
        }
        let next = bytes[i + 1..]
            .iter()
            .copied()
            .find(|c| !c.is_ascii_whitespace());
        if matches!(next, Some(b'}' | b']')) {
            drop.push(i);
        }
    }
    if drop.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for at in drop {
        out.push_str(&text[from..at]);
        from = at + 1;
    }
    out.push_str(&text[from..]);
    Some(out)
}

/// Escapes raw control characters inside string literals (a newline or tab typed into a
/// string), which JSON forbids; outside strings they are whitespace and stay.
pub(super) fn escape_control_characters(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut scan = Scanner::default();
    let mut changed = false;
    for c in text.chars() {
        // Only ASCII bytes are structure; any other character steps as a plain text byte.
        let was_in_string = scan.in_string;
        scan.step(if c.is_ascii() { c as u8 } else { 0x80 });
        let in_string = was_in_string && scan.in_string;
        if in_string && c.is_control() && (c as u32) < 0x20 {
            changed = true;
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                _ => out.push_str(&format!("\\u{:04x}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    changed.then_some(out)
}

/// Most times [`close_truncated`] backs off to an earlier comma before giving up.
const MAX_BACK_OFFS: usize = 64;

/// Closes an answer cut off before its end: an unterminated string, then every bracket still
/// open. If that is not yet JSON (the cut fell inside a key, or after a `:`), backs off to the
/// comma before the unfinished element and closes again, giving up the partial element.
pub(super) fn close_truncated(text: &str) -> Option<String> {
    let (closed, commas) = close(text);
    if closed == text {
        return None;
    }
    if parses(&closed) {
        return Some(closed);
    }
    for &comma in commas.iter().rev().take(MAX_BACK_OFFS) {
        let (closed, _) = close(&text[..comma]);
        if parses(&closed) {
            return Some(closed);
        }
    }
    Some(closed)
}

fn parses(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// `text` with its open string and brackets closed, and the offsets of its commas outside
/// strings (where [`close_truncated`] may back off to).
fn close(text: &str) -> (String, Vec<usize>) {
    let mut open = Vec::new();
    let mut commas = Vec::new();
    let mut scan = Scanner::default();
    for (i, b) in text.bytes().enumerate() {
        if scan.step(b) {
            continue;
        }
        match b {
            b'{' => open.push(b'}'),
            b'[' => open.push(b']'),
            b'}' | b']' => {
                open.pop();
            }
            b',' if !open.is_empty() => commas.push(i),
            _ => {}
        }
    }
    if open.is_empty() && !scan.in_string {
        return (text.to_owned(), commas);
    }
    let mut out = text.to_owned();
    if scan.in_string {
        if scan.escaped {
            // A lone backslash would escape the closing quote.
            out.pop();
        }
        out.push('"');
    }
    let kept = out.trim_end().trim_end_matches(',').trim_end().len();
    out.truncate(kept);
    if out.ends_with(':') {
        out.push_str("null");
    }
    while let Some(closer) = open.pop() {
        out.push(char::from(closer));
    }
    (out, commas)
}

/// Where a byte stream is relative to JSON string literals.
#[derive(Debug, Default)]
struct Scanner {
    in_string: bool,
    /// The previous byte was a backslash inside a string.
    escaped: bool,
}

impl Scanner {
    /// Advances over `b`; true when `b` is part of a string literal (its quotes included),
    /// so not structure.
    fn step(&mut self, b: u8) -> bool {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            true
        } else if b == b'"' {
            self.in_string = true;
            true
        } else {
            false
        }
    }
}
