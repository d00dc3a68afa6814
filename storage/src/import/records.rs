//! Reading MediaCrawler's files: the records of a JSON array, a JSONL file or a CSV file, each
//! with the line it starts on (for problem reports) and its byte offset (for progress).

use serde_json::{Map, Value};

use super::Format;

/// A record: its line, its byte offset, and its fields (or why it has none).
pub type Record = (u64, u64, Result<Map<String, Value>, String>);

/// The records of a file, in order. Only a JSON array that does not parse, or a CSV file
/// without a header, is fatal.
pub fn records(bytes: &[u8], format: Format) -> Result<Vec<Record>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line_at =
        |offset: usize| 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64;
    match format {
        Format::Json => {
            let items: Vec<&serde_json::value::RawValue> = serde_json::from_slice(bytes)
                .map_err(|e| format!("not a JSON array of records ({e})"))?;
            let mut out = Vec::with_capacity(items.len());
            let mut line = 1;
            let mut counted = 0;
            for item in items {
                let offset = (item.get().as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize);
                line += bytes[counted..offset]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                counted = offset;
                out.push((
                    line,
                    offset as u64,
                    object(serde_json::from_str(item.get())),
                ));
            }
            Ok(out)
        }
        Format::Jsonl => {
            let mut out = Vec::new();
            let mut offset = 0;
            for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
                let start = offset;
                offset += raw.len() + 1;
                let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
                // Blank as a reader sees it: Unicode whitespace too (a stray no-break space),
                // though JSON itself only knows the ASCII kinds.
                let blank = raw.iter().all(u8::is_ascii_whitespace)
                    || std::str::from_utf8(raw).is_ok_and(|s| s.trim().is_empty());
                if blank {
                    continue;
                }
                out.push((
                    i as u64 + 1,
                    start as u64,
                    object(serde_json::from_slice(raw)),
                ));
            }
            Ok(out)
        }
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
            let headers = reader
                .headers()
                .map_err(|e| format!("no CSV header ({e})"))?
                .clone();
            let mut out = Vec::new();
            for row in reader.records() {
                match row {
                    Ok(row) => {
                        let at = row
                            .position()
                            .map(|p| (p.line(), p.byte()))
                            .unwrap_or((0, 0));
                        let fields = if row.len() != headers.len() {
                            Err(format!(
                                "{} fields where the header has {}",
                                row.len(),
                                headers.len()
                            ))
                        } else {
                            Ok(headers
                                .iter()
                                .zip(row.iter())
                                .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                                .collect())
                        };
                        out.push((at.0, at.1, fields));
                    }
                    Err(e) => {
                        let at = e.position().map(|p| p.line()).unwrap_or(0);
                        let offset = e.position().map(|p| p.byte() as usize).unwrap_or(0);
                        out.push((
                            at.max(line_at(offset.min(bytes.len()))),
                            offset as u64,
                            Err(format!("unreadable CSV row ({e})")),
                        ));
                    }
                }
            }
            Ok(out)
        }
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

#[cfg(test)]
mod tests {
    //! The readers of crawled files take any bytes without panicking, account for every
    //! record, and map what they can.
    use super::*;
    use crate::import::{shapes, to_post};
    use crate::model::PostKind;
    use proptest::prelude::*;

    fn map_all(records: Vec<Record>) -> (usize, usize) {
        let shape = shapes::shape_named("wb").unwrap();
        let mut ok = 0;
        let mut bad = 0;
        for (_, _, record) in records {
            match record.and_then(|r| to_post(shape, PostKind::Content, r, 1, None)) {
                Ok(post) => {
                    assert!(!post.platform_id.is_empty() && !post.body.is_empty());
                    assert!(!post.body.contains('\0'));
                    ok += 1;
                }
                Err(reason) => {
                    assert!(!reason.is_empty());
                    bad += 1;
                }
            }
        }
        (ok, bad)
    }

    proptest! {
        #[test]
        fn any_bytes_in_any_format_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for format in [Format::Json, Format::Jsonl, Format::Csv] {
                if let Ok(records) = records(&bytes, format) {
                    map_all(records);
                }
            }
        }

        #[test]
        fn every_jsonl_line_is_a_row_or_a_reported_problem(
            lines in proptest::collection::vec(
                prop_oneof![
                    // Well-formed Weibo notes, some with odd counts and NULs.
                    ("[0-9]{1,12}", "\\PC{0,30}", prop_oneof![Just("12".to_owned()), Just("1.5万".to_owned()), "\\PC{0,6}"])
                        .prop_map(|(id, text, liked)| serde_json::json!({"note_id": id, "content": text, "liked_count": liked}).to_string()),
                    // Garbage and non-objects.
                    "\\PC{0,40}",
                    Just("[1, 2]".to_owned()),
                    Just("   ".to_owned()),
                ],
                0..40,
            )
        ) {
            let text = lines.join("\n");
            let records = records(text.as_bytes(), Format::Jsonl).unwrap();
            let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count();
            prop_assert_eq!(records.len(), non_blank);
            let (ok, bad) = map_all(records.clone());
            prop_assert_eq!(ok + bad, non_blank);
            // Lines are numbered as in the file.
            for (line, _, _) in &records {
                prop_assert!((*line as usize) <= lines.len().max(1));
                prop_assert!(!lines[*line as usize - 1].trim().is_empty());
            }
        }
    }

    #[test]
    fn json_arrays_give_each_record_its_line() {
        let text = "[\n  {\"note_id\": 1, \"content\": \"a\"},\n\n  {\"note_id\": 2,\n   \"content\": \"b\"},\n  7\n]";
        let lines: Vec<u64> = records(text.as_bytes(), Format::Json)
            .unwrap()
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(lines, [2, 4, 6]);
        assert!(records(b"{\"not\": \"an array\"}", Format::Json).is_err());
    }
}
