//! Log fields with their control characters escaped. A client's text reaches the log in many
//! fields (a query, a path, a header, an error quoting either), and a newline in one of them
//! would forge a line of the service log, an escape sequence would drive the operator's
//! terminal. Escaping where fields are formatted covers every field of every event and span,
//! present and future, instead of trusting each call site to write `?value`.

use std::fmt;

use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::{DefaultFields, Writer};
use tracing_subscriber::fmt::FormatFields;

/// [`DefaultFields`], with every control character of the output escaped (`\n`, `\r`, `\t`,
/// `\u{1b}`…), so one event is one line whatever its fields hold.
#[derive(Debug, Default)]
pub struct EscapedFields {
    inner: DefaultFields,
}

impl<'writer> FormatFields<'writer> for EscapedFields {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut escaping = Escaping(&mut writer);
        // No ANSI styling inside fields: its escape sequences would be escaped too.
        self.inner.format_fields(Writer::new(&mut escaping), fields)
    }
}

/// A writer that passes text on with its control characters (and the other characters that
/// break or reorder a line, [`storage::text::is_escaped_when_shown`]) escaped.
struct Escaping<'a, W: fmt::Write>(&'a mut W);

impl<W: fmt::Write> fmt::Write for Escaping<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        storage::text::write_escaped(self.0, text)
    }
}

#[cfg(test)]
mod tests {
    //! Through a real subscriber: whatever a field holds, an event is one line.
    use super::*;
    use std::fmt::Write as _;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_kind_of_field_stays_on_one_line() {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .fmt_fields(EscapedFields::default())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let forged = "q\n2099-01-01T00:00:00Z  INFO forged: admin logged in\r\u{1b}[2J";
            let span = tracing::info_span!("request", path = %forged);
            let _entered = span.enter();
            tracing::info!(query = %forged, debug = ?forged, "message {forged}");
        });
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.ends_with('\n'));
        assert!(text.contains("message q\\n2099"), "{text}");
        assert!(text.contains("query=q\\n2099"), "{text}");
        assert!(text.contains("\\r\\u{1b}[2J"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("path=q\\n2099"), "span fields too: {text}");
    }

    #[test]
    fn text_without_controls_is_unchanged() {
        let mut out = String::new();
        Escaping(&mut out)
            .write_str("舆情 analysis\u{a0}ok")
            .unwrap();
        assert_eq!(out, "舆情 analysis\u{a0}ok");
        let mut out = String::new();
        Escaping(&mut out).write_str("a\tb\u{85}").unwrap();
        assert_eq!(out, "a\\tb\\u{85}");
        // Separators and bidi overrides break or reorder a line without being controls.
        let mut out = String::new();
        Escaping(&mut out)
            .write_str("q\u{2028}x\u{202e}y\u{feff}")
            .unwrap();
        assert_eq!(out, "q\\u{2028}x\\u{202e}y\\u{feff}");
    }
}
