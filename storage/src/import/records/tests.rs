//! The readers of crawled files take any bytes without panicking, account for every record,
//! hold no record longer than the cap, and refuse broken files with the line where they broke.
use super::*;
use crate::import::{shapes, to_post};
use crate::model::PostKind;
use proptest::prelude::*;

const CAP: usize = 1 << 20;

fn map_all(records: Vec<Record>) -> (usize, usize) {
    let shape = shapes::shape_named("wb").unwrap();
    let mut ok = 0;
    let mut bad = 0;
    for record in records {
        match record
            .fields
            .and_then(|r| to_post(shape, PostKind::Content, r, 1, None))
        {
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
            for cap in [8, CAP] {
                if let Ok(records) = all(&bytes, format, cap) {
                    map_all(records);
                }
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
        let records = all(text.as_bytes(), Format::Jsonl, CAP).unwrap();
        let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count();
        prop_assert_eq!(records.len(), non_blank);
        let (ok, bad) = map_all(records.clone());
        prop_assert_eq!(ok + bad, non_blank);
        // Lines are numbered as in the file.
        for record in &records {
            prop_assert!((record.line as usize) <= lines.len().max(1));
            prop_assert!(!lines[record.line as usize - 1].trim().is_empty());
        }
    }

    #[test]
    fn csv_as_the_csv_crate_writes_it_reads_back_field_for_field(
        rows in proptest::collection::vec(
            proptest::collection::vec("[a-z\",\\n\\r 马]{0,8}", 3),
            1..20,
        )
    ) {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["a", "b", "c"]).unwrap();
        for row in &rows {
            writer.write_record(row).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        let records = all(&bytes, Format::Csv, CAP).unwrap();
        let mut expected = csv::ReaderBuilder::new().flexible(true).from_reader(&bytes[..]);
        let expected: Vec<csv::StringRecord> = expected.records().map(Result::unwrap).collect();
        prop_assert_eq!(records.len(), expected.len());
        for (got, want) in records.iter().zip(&expected) {
            let got = got.fields.as_ref().unwrap();
            for (key, value) in ["a", "b", "c"].iter().zip(want.iter()) {
                prop_assert_eq!(got[*key].as_str(), Some(value));
            }
        }
    }

    #[test]
    fn json_arrays_read_as_serde_reads_them(
        items in proptest::collection::vec(
            prop_oneof![
                ("[0-9]{1,6}", "\\PC{0,12}").prop_map(|(id, text)| serde_json::json!({"note_id": id, "content": text, "nested": [{"a": "]"}, "}"]})),
                Just(serde_json::json!(7)),
                Just(serde_json::json!("a \"string\", with ] in it")),
            ],
            0..20,
        ),
        pretty in any::<bool>(),
    ) {
        let value = serde_json::Value::Array(items.clone());
        let text = if pretty { serde_json::to_string_pretty(&value).unwrap() } else { value.to_string() };
        let records = all(text.as_bytes(), Format::Json, CAP).unwrap();
        prop_assert_eq!(records.len(), items.len());
        for (record, item) in records.iter().zip(&items) {
            match item {
                serde_json::Value::Object(map) => prop_assert_eq!(record.fields.as_ref().unwrap(), map),
                _ => prop_assert!(record.fields.is_err()),
            }
        }
    }
}

#[test]
fn json_arrays_give_each_record_its_line() {
    let text = "[\n  {\"note_id\": 1, \"content\": \"a\"},\n\n  {\"note_id\": 2,\n   \"content\": \"b\"},\n  7\n]";
    let lines: Vec<u64> = all(text.as_bytes(), Format::Json, CAP)
        .unwrap()
        .iter()
        .map(|r| r.line)
        .collect();
    assert_eq!(lines, [2, 4, 6]);
    assert_eq!(all(b"[]", Format::Json, CAP).unwrap(), []);
    for (broken, line) in [
        (&b"{\"not\": \"an array\"}"[..], 1),
        (b"", 1),
        (b"[{\"a\": 1},\n{\"b\": 2}", 2),
        (b"[{\"a\": 1}\n {\"b\": 2}]", 2),
        (b"[{\"a\": 1},\n]", 2),
        (b"[1] x", 1),
        (b"[{\"a\": 1},\n {\"b\": tru}]", 2),
    ] {
        let err = all(broken, Format::Json, CAP).unwrap_err();
        assert_eq!(
            err.line,
            line,
            "{}: {err:?}",
            String::from_utf8_lossy(broken)
        );
        assert!(err.reason.contains("not a JSON array"), "{err:?}");
    }
}

#[test]
fn records_longer_than_the_cap_are_skipped_where_the_next_can_be_found() {
    let long = format!("{{\"note_id\": 2, \"content\": \"{}\"}}", "x".repeat(500));
    // JSONL: the long line is reported, the others read.
    let text = format!("{{\"note_id\": 1}}\n{long}\n{{\"note_id\": 3}}\n");
    let records = all(text.as_bytes(), Format::Jsonl, 100).unwrap();
    assert_eq!(records.len(), 3);
    assert!(records[0].fields.is_ok() && records[2].fields.is_ok());
    assert!(records[1]
        .fields
        .as_ref()
        .unwrap_err()
        .contains("longer than 100 bytes"));
    assert_eq!(records[1].line, 2);
    // A JSON array: the same.
    let text = format!("[\n{{\"note_id\": 1}},\n{long},\n{{\"note_id\": 3}}\n]");
    let records = all(text.as_bytes(), Format::Json, 100).unwrap();
    assert_eq!(
        records.iter().map(|r| r.line).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert!(records[1]
        .fields
        .as_ref()
        .unwrap_err()
        .contains("longer than 100 bytes"));
    // CSV: the file is refused at the record's line.
    let text = format!("note_id,content\n1,a\n2,{}\n3,c\n", "x".repeat(500));
    let err = all(text.as_bytes(), Format::Csv, 100).unwrap_err();
    assert_eq!(err.line, 3, "{err:?}");
    assert!(err.reason.contains("longer than 100 bytes"), "{err:?}");
}

#[test]
fn an_unterminated_csv_quote_refuses_the_file_at_its_line() {
    let text = "note_id,content\n1,fine\n2,\"opened\nand never\nclosed\n3,more\n";
    let err = all(text.as_bytes(), Format::Csv, CAP).unwrap_err();
    assert_eq!(err.line, 3, "{err:?}");
    assert!(err.reason.contains("never closed"), "{err:?}");
    // Closed across lines is fine; a BOM and CRLF too.
    let text = "\u{feff}note_id,content\r\n1,\"two\r\nlines, \"\"quoted\"\"\"\r\n2,x\r\n";
    let records = all(text.as_bytes(), Format::Csv, CAP).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[0].fields.as_ref().unwrap()["content"],
        "two\r\nlines, \"quoted\""
    );
    assert_eq!(records[1].fields.as_ref().unwrap()["note_id"], "2");
    // An empty file has no records.
    assert_eq!(all(b"", Format::Csv, CAP).unwrap(), []);
}
