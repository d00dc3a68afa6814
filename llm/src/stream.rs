//! Server-Sent Events as OpenAI-compatible chat completions stream them, decoded incrementally
//! from whatever chunks the network delivers: an event, a line, or a multi-byte character may
//! be split anywhere, and bytes are only decoded once a whole event has arrived.

/// One event: its `event:` name (if any) and its `data:` lines joined by newlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub event: Option<String>,
    pub data: String,
}

/// Incremental SSE decoder.
#[derive(Debug, Default)]
pub struct SseDecoder {
    buffer: Vec<u8>,
}

/// The longest event kept while waiting for its end: a peer that never ends one cannot grow
/// memory without bound.
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

/// The stream broke its own framing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    #[error("an event grew beyond {MAX_EVENT_BYTES} bytes without ending")]
    EventTooLarge,
    #[error("an event is not valid UTF-8")]
    NotUtf8,
}

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next chunk; returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, StreamError> {
        self.buffer.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some((end, skip)) = event_end(&self.buffer) {
            let raw: Vec<u8> = self.buffer.drain(..end + skip).take(end).collect();
            let text = std::str::from_utf8(&raw).map_err(|_| StreamError::NotUtf8)?;
            if let Some(event) = parse_event(text) {
                events.push(event);
            }
        }
        if self.buffer.len() > MAX_EVENT_BYTES {
            return Err(StreamError::EventTooLarge);
        }
        Ok(events)
    }

    /// The end of the stream: a last event not followed by a blank line still counts.
    pub fn finish(&mut self) -> Result<Option<SseEvent>, StreamError> {
        let raw = std::mem::take(&mut self.buffer);
        let text = std::str::from_utf8(&raw).map_err(|_| StreamError::NotUtf8)?;
        Ok(parse_event(text))
    }
}

/// Where the first event in `bytes` ends, and the length of the blank line after it.
fn event_end(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            if bytes.get(i + 1) == Some(&b'\n') {
                return Some((i, 2));
            }
            if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
                return Some((i, 3));
            }
        }
        i += 1;
    }
    None
}

fn parse_event(text: &str) -> Option<SseEvent> {
    let mut event = None;
    let mut data: Vec<&str> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "data" => data.push(value),
            "event" => event = Some(value.to_owned()),
            _ => {}
        }
    }
    (!data.is_empty() || event.is_some()).then(|| SseEvent {
        event,
        data: data.join("\n"),
    })
}

/// What one streamed chat-completion event says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatChunk {
    /// More of the answer.
    Delta(String),
    /// `data: [DONE]`.
    Done,
    /// The server reported an error inside the stream.
    Error(String),
    /// Anything else (role-only deltas, usage, keep-alives).
    Nothing,
}

/// Reads a chat-completion stream event.
pub fn chat_chunk(event: &SseEvent) -> Result<ChatChunk, String> {
    let data = event.data.trim();
    if data == "[DONE]" {
        return Ok(ChatChunk::Done);
    }
    if data.is_empty() {
        return Ok(ChatChunk::Nothing);
    }
    let value: serde_json::Value = serde_json::from_str(data)
        .map_err(|e| format!("malformed stream event ({e}): {data:.120}"))?;
    if let Some(error) = value.get("error") {
        let message = error
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| error.to_string());
        return Ok(ChatChunk::Error(message));
    }
    let content = value
        .pointer("/choices/0/delta/content")
        .and_then(|c| c.as_str())
        .unwrap_or_default();
    Ok(if content.is_empty() {
        ChatChunk::Nothing
    } else {
        ChatChunk::Delta(content.to_owned())
    })
}

#[cfg(test)]
mod tests {
    //! Events split anywhere — across lines, inside multi-byte characters — decode the same as
    //! whole ones.
    use super::*;
    use proptest::prelude::*;

    fn stream_of(parts: &[&str]) -> String {
        let mut out = String::from(": keep-alive\n\n");
        for p in parts {
            let event = serde_json::json!({"choices": [{"delta": {"content": p}}]});
            out.push_str(&format!("data: {event}\r\n\r\n"));
        }
        out.push_str("data: [DONE]\n\n");
        out
    }

    fn text_of(events: &[SseEvent]) -> (String, bool) {
        let mut text = String::new();
        let mut done = false;
        for e in events {
            match chat_chunk(e).unwrap() {
                ChatChunk::Delta(d) => text.push_str(&d),
                ChatChunk::Done => done = true,
                _ => {}
            }
        }
        (text, done)
    }

    #[test]
    fn decodes_events_fields_and_comments() {
        let mut d = SseDecoder::new();
        let events = d
            .push(b"event: error\ndata: {\"error\": {\"message\": \"rate limited\"}}\n\n: c\n\ndata: a\ndata: b\n\n")
            .unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(
            chat_chunk(&events[0]).unwrap(),
            ChatChunk::Error("rate limited".into())
        );
        assert_eq!(events[1].data, "a\nb");
        assert!(chat_chunk(&SseEvent {
            event: None,
            data: "{oops".into()
        })
        .is_err());
        assert_eq!(d.push(b"data: tail").unwrap(), []);
        assert_eq!(d.finish().unwrap().map(|e| e.data), Some("tail".to_owned()));
    }

    #[test]
    fn an_event_that_never_ends_is_refused() {
        let mut d = SseDecoder::new();
        let chunk = vec![b'x'; 1024 * 1024];
        let mut result = Ok(Vec::new());
        for _ in 0..5 {
            result = d.push(&chunk);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(StreamError::EventTooLarge));
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_answer(
            parts in proptest::collection::vec("[a-z 舆情分析电池召回😀]{0,6}", 0..12),
            cuts in proptest::collection::vec(0usize..2000, 0..20),
        ) {
            let whole = stream_of(&parts.iter().map(String::as_str).collect::<Vec<_>>());
            let bytes = whole.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut d = SseDecoder::new();
            let mut events = Vec::new();
            let mut at = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                events.extend(d.push(&bytes[at..cut]).unwrap());
                at = cut;
            }
            events.extend(d.finish().unwrap());
            let (text, done) = text_of(&events);
            prop_assert_eq!(text, parts.concat());
            prop_assert!(done);
        }

        #[test]
        fn garbage_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8)) {
            let mut d = SseDecoder::new();
            for c in chunks {
                if let Ok(events) = d.push(&c) {
                    for e in events {
                        let _ = chat_chunk(&e);
                    }
                }
            }
            let _ = d.finish();
        }
    }
}
