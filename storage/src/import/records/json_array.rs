//! A JSON array of records, read element by element: a small scanner finds where each element
//! ends (tracking strings, escapes and nesting), and only that element's bytes are held and
//! parsed. An element longer than the cap is passed over without being held, and reported. A
//! file that is not an array, an element that is not JSON, or an array cut short refuses the
//! file, with the line where it broke.

use std::io::BufRead;

use super::{io_broken, object, skip_bom, too_long, Broken, Record, Sink};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the opening `[`.
    Start,
    /// After `[`: an element or `]`.
    First,
    /// After a `,`: an element.
    Next,
    /// Inside an element.
    Element,
    /// After the closing `]`.
    End,
}

struct Scanner {
    state: State,
    /// The element so far (empty while an over-long one is passed over).
    element: Vec<u8>,
    element_line: u64,
    over: bool,
    depth: u32,
    in_string: bool,
    escaped: bool,
    line: u64,
    /// Bytes of the file consumed before the current chunk.
    offset: u64,
    max: usize,
}

fn broken(line: u64, reason: impl Into<String>) -> Broken {
    Broken {
        line,
        reason: reason.into(),
    }
}

impl Scanner {
    fn keep(&mut self, bytes: &[u8]) {
        if self.over {
            return;
        }
        if self.element.len() + bytes.len() > self.max {
            self.over = true;
            self.element = Vec::new();
        } else {
            self.element.extend_from_slice(bytes);
        }
    }

    /// The element just ended (at `end`): parsed into a record.
    fn finish(&mut self, end: u64) -> Result<Record, Broken> {
        let fields = if self.over {
            Err(too_long(self.max))
        } else {
            let parsed =
                serde_json::from_slice::<serde_json::Value>(&self.element).map_err(|e| {
                    broken(
                        self.element_line + e.line().saturating_sub(1) as u64,
                        format!("not a JSON array of records (an element is malformed: {e})"),
                    )
                })?;
            object(Ok(parsed))
        };
        self.element.clear();
        self.over = false;
        Ok(Record {
            line: self.element_line,
            end,
            fields,
        })
    }

    /// Scans one chunk; records that end in it go to `sink`. `Ok(false)` once the sink stops.
    fn chunk(&mut self, chunk: &[u8], sink: &mut Sink<'_>) -> Result<bool, Broken> {
        // Where the current element's bytes begin in this chunk.
        let mut from = 0;
        for (i, &b) in chunk.iter().enumerate() {
            match self.state {
                State::Start => match b {
                    b'[' => self.state = State::First,
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    _ => return Err(broken(self.line, "not a JSON array of records")),
                },
                State::First | State::Next => match b {
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    b']' if self.state == State::First => self.state = State::End,
                    b']' | b',' => {
                        return Err(broken(
                            self.line,
                            "not a JSON array of records (an element is missing)",
                        ))
                    }
                    _ => {
                        self.state = State::Element;
                        self.element_line = self.line;
                        (self.depth, self.in_string, self.escaped) = (0, false, false);
                        from = i;
                        self.step(b).map_err(|reason| broken(self.line, reason))?;
                    }
                },
                State::Element => {
                    if self.in_string || self.depth > 0 || (b != b',' && b != b']') {
                        self.step(b).map_err(|reason| broken(self.line, reason))?;
                    } else {
                        self.keep(&chunk[from..i]);
                        let record = self.finish(self.offset + i as u64 + 1)?;
                        self.state = if b == b',' { State::Next } else { State::End };
                        if !sink(record) {
                            return Ok(false);
                        }
                    }
                }
                State::End => match b {
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    _ => {
                        return Err(broken(
                            self.line,
                            "not a JSON array of records (something follows its end)",
                        ))
                    }
                },
            }
            if b == b'\n' {
                self.line += 1;
            }
        }
        if self.state == State::Element {
            self.keep(&chunk[from..]);
        }
        self.offset += chunk.len() as u64;
        Ok(true)
    }

    /// One byte of an element: strings, escapes and nesting.
    fn step(&mut self, b: u8) -> Result<(), &'static str> {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
            return Ok(());
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth = self
                    .depth
                    .checked_sub(1)
                    .ok_or("not a JSON array of records (a bracket closes what was not opened)")?;
            }
            _ => {}
        }
        Ok(())
    }
}

pub fn read(mut input: impl BufRead, max: usize, sink: &mut Sink<'_>) -> Result<(), Broken> {
    let bom = skip_bom(&mut input).map_err(|e| io_broken(1, &e))?;
    let mut scanner = Scanner {
        state: State::Start,
        element: Vec::new(),
        element_line: 1,
        over: false,
        depth: 0,
        in_string: false,
        escaped: false,
        line: 1,
        offset: bom,
        max,
    };
    loop {
        let chunk = input.fill_buf().map_err(|e| io_broken(scanner.line, &e))?;
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len();
        let go_on = scanner.chunk(chunk, sink)?;
        input.consume(n);
        if !go_on {
            return Ok(());
        }
    }
    match scanner.state {
        State::End => Ok(()),
        State::Start => Err(broken(scanner.line, "not a JSON array of records (no `[`)")),
        _ => Err(broken(
            scanner.line,
            "not a JSON array of records (cut short: no closing `]`)",
        )),
    }
}
