//! CSV, read record by record by the `csv` crate, through a guard that watches the bytes go by
//! with the same quoting rules (RFC 4180: a field that starts with `"` is quoted, `""` inside
//! it is a quote). The guard knows where each record starts, so it stops a record that grows
//! past the cap, and it knows at the end of the file whether a quote was left open — which the
//! `csv` crate accepts silently, turning the rest of the file into one field. Either refuses
//! the file, with the line where the record or the quote began.

use std::io::{self, BufRead, Read};

use serde_json::Value;

use super::{io_broken, skip_bom, Broken, Record, Sink};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// At the start of a field.
    FieldStart,
    /// In a field that did not start with a quote.
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a quote in a quoted field: its end, or the first of `""`.
    QuoteInQuoted,
}

/// The reader the `csv` crate reads from: passes bytes on, tracking quoting and record sizes.
struct Guard<R> {
    inner: R,
    state: Quoting,
    line: u64,
    record_line: u64,
    record_bytes: usize,
    quote_line: u64,
    max: usize,
    /// Why the guard stopped the reading, once it has.
    stopped: Option<Broken>,
}

impl<R: Read> Guard<R> {
    fn watch(&mut self, bytes: &[u8]) -> Result<(), Broken> {
        for &b in bytes {
            let ends_record = match (self.state, b) {
                (Quoting::Quoted, b'"') => {
                    self.state = Quoting::QuoteInQuoted;
                    false
                }
                (Quoting::Quoted, _) => false,
                (Quoting::QuoteInQuoted, b'"') => {
                    self.state = Quoting::Quoted;
                    false
                }
                (Quoting::FieldStart, b'"') => {
                    self.state = Quoting::Quoted;
                    self.quote_line = self.line;
                    false
                }
                (_, b',') => {
                    self.state = Quoting::FieldStart;
                    false
                }
                (_, b'\n' | b'\r') => {
                    self.state = Quoting::FieldStart;
                    true
                }
                _ => {
                    self.state = Quoting::Unquoted;
                    false
                }
            };
            if b == b'\n' {
                self.line += 1;
            }
            if ends_record {
                self.record_line = self.line;
                self.record_bytes = 0;
            } else {
                self.record_bytes += 1;
                if self.record_bytes > self.max {
                    return Err(Broken {
                        line: self.record_line,
                        reason: format!(
                            "a CSV record longer than {} bytes (IMPORT_MAX_RECORD_BYTES){}",
                            self.max,
                            if self.state == Quoting::Quoted {
                                format!(
                                    ": is the quote opened on line {} ever closed?",
                                    self.quote_line
                                )
                            } else {
                                String::new()
                            }
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stopped.is_some() {
            return Err(io::Error::other("stopped"));
        }
        let n = self.inner.read(buf)?;
        let checked = if n == 0 {
            if self.state == Quoting::Quoted {
                Err(Broken {
                    line: self.quote_line,
                    reason: "a CSV quote opened here is never closed".into(),
                })
            } else {
                Ok(())
            }
        } else {
            self.watch(&buf[..n])
        };
        match checked {
            Ok(()) => Ok(n),
            Err(broken) => {
                let err = io::Error::other(broken.reason.clone());
                self.stopped = Some(broken);
                Err(err)
            }
        }
    }
}

pub fn read(mut input: impl BufRead, max: usize, sink: &mut Sink<'_>) -> Result<(), Broken> {
    let bom = skip_bom(&mut input).map_err(|e| io_broken(1, &e))?;
    let guard = Guard {
        inner: input,
        state: Quoting::FieldStart,
        line: 1,
        record_line: 1,
        record_bytes: 0,
        quote_line: 1,
        max,
        stopped: None,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(guard);
    let stopped = |reader: &csv::Reader<Guard<_>>, err: &csv::Error| -> Broken {
        reader.get_ref().stopped.clone().unwrap_or_else(|| Broken {
            line: err.position().map_or(1, csv::Position::line),
            reason: format!("unreadable CSV ({err})"),
        })
    };
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(str::to_owned).collect(),
        Err(err) => {
            let mut broken = stopped(&reader, &err);
            if reader.get_ref().stopped.is_none() {
                broken.reason = format!("no CSV header ({err})");
            }
            return Err(broken);
        }
    };
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let (line, end) = row
                    .position()
                    .map_or((0, 0), |p| (p.line(), p.byte() + bom));
                let fields = if row.len() == headers.len() {
                    Ok(headers
                        .iter()
                        .zip(row.iter())
                        .map(|(k, v)| (k.clone(), Value::String(v.to_owned())))
                        .collect())
                } else {
                    Err(format!(
                        "{} fields where the header has {}",
                        row.len(),
                        headers.len()
                    ))
                };
                if !sink(Record { line, end, fields }) {
                    return Ok(());
                }
            }
            Err(err) if matches!(err.kind(), csv::ErrorKind::Io(_)) => {
                return Err(stopped(&reader, &err));
            }
            Err(err) => {
                // A row that is not UTF-8: reported, and the reading goes on.
                let (line, end) = err
                    .position()
                    .map_or((0, 0), |p| (p.line(), p.byte() + bom));
                let record = Record {
                    line,
                    end,
                    fields: Err(format!("unreadable CSV row ({err})")),
                };
                if !sink(record) {
                    return Ok(());
                }
            }
        }
    }
}
