//! Reading MediaCrawler's files record by record: a JSON array, a JSONL file or a CSV file,
//! streamed through a fixed-size buffer so that memory holds one record at a time whatever the
//! file's size. Each record comes with the line it starts on (for problem reports) and a byte
//! offset near it (for progress).
//!
//! No record may be longer than the configured cap (`IMPORT_MAX_RECORD_BYTES`). Where the
//! reader can find the next record without trusting the long one (a JSONL line, an element of
//! a JSON array) a longer record is skipped and reported; in a CSV file it cannot (a long
//! record is nearly always a quote that was never closed, and where the record ends is exactly
//! what is then unknown), so the file is refused. A file that is broken as a whole (a JSON
//! array cut short or malformed, a CSV quote never closed, no CSV header) is refused with the
//! line where it broke: one transaction per file means nothing of it is imported.

mod csv_file;
mod json_array;
mod jsonl;

use std::io::BufRead;

use serde_json::{Map, Value};

use super::Format;

/// A record: its line, how far into the file the reading is (for progress), and its fields
/// (or why it has none).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub line: u64,
    pub end: u64,
    pub fields: Result<Map<String, Value>, String>,
}

/// Why a whole file is refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub line: u64,
    pub reason: String,
}

/// What a reader hands each record to: `false` stops the reading (the import gave up).
pub type Sink<'a> = dyn FnMut(Record) -> bool + 'a;

/// Reads every record of `input` in `format`, in order, into `sink`; records longer than
/// `max_record` bytes are skipped (reported to the sink) or refuse the file (CSV).
///
/// # Errors
/// [`Broken`] for a file that cannot be read as a whole, with the line where it broke.
pub fn read(
    input: impl BufRead,
    format: Format,
    max_record: usize,
    sink: &mut Sink<'_>,
) -> Result<(), Broken> {
    match format {
        Format::Json => json_array::read(input, max_record, sink),
        Format::Jsonl => jsonl::read(input, max_record, sink),
        Format::Csv => csv_file::read(input, max_record, sink),
    }
}

/// The UTF-8 byte order mark some tools write first.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Skips a byte order mark at the start of `input`; its length.
fn skip_bom(input: &mut impl BufRead) -> std::io::Result<u64> {
    let starts = input.fill_buf()?.starts_with(BOM);
    if starts {
        input.consume(BOM.len());
        return Ok(BOM.len() as u64);
    }
    Ok(0)
}

fn too_long(max: usize) -> String {
    format!("a record longer than {max} bytes (IMPORT_MAX_RECORD_BYTES): skipped")
}

fn io_broken(line: u64, err: &std::io::Error) -> Broken {
    Broken {
        line,
        reason: format!("unreadable ({err})"),
    }
}

fn object(
    parsed: std::result::Result<Value, serde_json::Error>,
) -> Result<Map<String, Value>, String> {
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!("expected a JSON object, found {}", kind_of(&other))),
        Err(e) => Err(format!("malformed JSON ({e})")),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Every record of `bytes`, for tests.
#[cfg(test)]
pub fn all(bytes: &[u8], format: Format, max_record: usize) -> Result<Vec<Record>, Broken> {
    let mut out = Vec::new();
    read(bytes, format, max_record, &mut |r| {
        out.push(r);
        true
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests;
