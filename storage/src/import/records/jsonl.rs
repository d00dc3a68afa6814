//! JSONL: one record per line, read through a line buffer that keeps at most the cap; a
//! longer line is skipped and reported, and blank lines are no records.

use std::io::BufRead;

use super::{io_broken, object, skip_bom, too_long, Broken, Record, Sink};

/// Reads one line (without its newline) into `line`, keeping at most `max` bytes; the bytes it
/// took from `input` and whether the line was longer than `max`, or None at the end.
fn next_line(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<(u64, bool)>> {
    line.clear();
    let (mut taken, mut over) = (0u64, false);
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            return Ok((taken > 0).then_some((taken, over)));
        }
        let (piece, ends) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (&chunk[..i], true),
            None => (chunk, false),
        };
        if !over {
            if line.len() + piece.len() > max {
                over = true;
                line.clear();
            } else {
                line.extend_from_slice(piece);
            }
        }
        let used = piece.len() + usize::from(ends);
        input.consume(used);
        taken += used as u64;
        if ends {
            return Ok(Some((taken, over)));
        }
    }
}

pub fn read(mut input: impl BufRead, max: usize, sink: &mut Sink<'_>) -> Result<(), Broken> {
    let mut end = skip_bom(&mut input).map_err(|e| io_broken(1, &e))?;
    let mut line = Vec::new();
    let mut number = 0u64;
    while let Some((taken, over)) =
        next_line(&mut input, &mut line, max).map_err(|e| io_broken(number + 1, &e))?
    {
        number += 1;
        end += taken;
        let fields = if over {
            Err(too_long(max))
        } else {
            let raw = line.strip_suffix(b"\r").unwrap_or(&line);
            // Blank as a reader sees it: Unicode whitespace too (a stray no-break space),
            // though JSON itself only knows the ASCII kinds.
            let blank = raw.iter().all(u8::is_ascii_whitespace)
                || std::str::from_utf8(raw).is_ok_and(|s| s.trim().is_empty());
            if blank {
                continue;
            }
            object(serde_json::from_slice(raw))
        };
        if !sink(Record {
            line: number,
            end,
            fields,
        }) {
            break;
        }
    }
    Ok(())
}
