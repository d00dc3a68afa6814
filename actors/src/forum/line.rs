//! One `forum.log` line in the original's format: `[HH:MM:SS] [SOURCE] [session] content`,
//! where the session tag (an 8-character search id) is absent in older logs, the source tag
//! may be absent too, and the content's newlines are written as `\n` (and carriage returns
//! as `\r`) so that a message is one line.

/// A parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForumLine {
    /// `HH:MM:SS`.
    pub time: String,
    /// `INSIGHT`, `MEDIA`, `QUERY`, `HOST`, `SYSTEM`…
    pub source: Option<String>,
    pub session: Option<String>,
    /// With newlines restored.
    pub content: String,
}

impl ForumLine {
    /// Lines the original writes about itself (start markers, session ids).
    pub fn is_system(&self) -> bool {
        self.source.as_deref() == Some("SYSTEM")
    }
}

/// `[12:34:56]` at the start of `s`, and the rest.
fn time(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let ok = b.len() >= 10
        && b[0] == b'['
        && b[9] == b']'
        && b[3] == b':'
        && b[6] == b':'
        && [1, 2, 4, 5, 7, 8].iter().all(|&i| b[i].is_ascii_digit());
    ok.then(|| (&s[1..9], &s[10..]))
}

/// A `[TAG]` at the start of `s` whose inside satisfies `valid`, and the rest.
fn tag(s: &str, valid: impl Fn(&str) -> bool) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('[')?;
    let end = inner.find(']')?;
    let value = &inner[..end];
    valid(value).then(|| (value, &inner[end + 1..]))
}

fn is_source(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

fn is_session(s: &str) -> bool {
    (4..=36).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// Parses a line (without its newline); None for anything not in the format.
pub fn parse(line: &str) -> Option<ForumLine> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let (time, rest) = time(line)?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let (source, rest) = match tag(rest, is_source) {
        Some((source, rest)) => (
            Some(source.to_owned()),
            rest.strip_prefix(' ').unwrap_or(rest),
        ),
        None => (None, rest),
    };
    let (session, rest) = match source.as_ref().and_then(|_| tag(rest, is_session)) {
        Some((session, rest)) => (
            Some(session.to_owned()),
            rest.strip_prefix(' ').unwrap_or(rest),
        ),
        // A source without a session tag: the original still wrote the space for it.
        None => (
            None,
            if source.is_some() {
                rest.strip_prefix(' ').unwrap_or(rest)
            } else {
                rest
            },
        ),
    };
    Some(ForumLine {
        time: time.to_owned(),
        source,
        session,
        content: unescape(rest),
    })
}

fn unescape(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\r", "\r")
}

/// Writes a message as one line in the original's format (no trailing newline).
pub fn format(time: &str, source: &str, session: Option<&str>, content: &str) -> String {
    let content = content.replace('\n', "\\n").replace('\r', "\\r");
    let session = session.map(|s| format!("[{s}]")).unwrap_or_default();
    format!("[{time}] [{source}] {session} {content}")
}

#[cfg(test)]
mod tests {
    //! Every shape the original writes; round trips; any input.
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_originals_shapes() {
        let with = parse("[10:15:30] [INSIGHT] [1a2b3c4d] 第一段总结\\n第二行").unwrap();
        assert_eq!(
            (
                with.time.as_str(),
                with.source.as_deref(),
                with.session.as_deref(),
                with.content.as_str()
            ),
            (
                "10:15:30",
                Some("INSIGHT"),
                Some("1a2b3c4d"),
                "第一段总结\n第二行"
            )
        );
        let without = parse("[10:15:31] [MEDIA] media says [hi] there").unwrap();
        assert_eq!(
            (without.session, without.content.as_str()),
            (None, "media says [hi] there")
        );
        let empty_session = parse("[10:15:32] [QUERY]  two spaces before").unwrap();
        assert_eq!(empty_session.content, "two spaces before");
        let bare = parse("[10:15:33] no source at all").unwrap();
        assert_eq!(
            (bare.source, bare.content.as_str()),
            (None, "no source at all")
        );
        assert!(
            parse("[10:15:34] [SYSTEM] [1a2b3c4d] === 搜索会话ID: 1a2b3c4d ===")
                .unwrap()
                .is_system()
        );
        for bad in ["", "10:15:30 x", "[1:15:30] x", "[aa:bb:cc] x", "[10:15:30"] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn formatted_messages_parse_back(
            source in "[A-Z]{1,10}",
            session in proptest::option::of("[0-9a-f]{8}"),
            content in "[^\\\\]{0,80}",
        ) {
            let line = format("09:08:07", &source, session.as_deref(), &content);
            prop_assert!(!line.contains('\n'));
            let parsed = parse(&line).unwrap();
            prop_assert_eq!(parsed.source.as_deref(), Some(source.as_str()));
            prop_assert_eq!(parsed.session, session);
            prop_assert_eq!(parsed.content.trim_start(), content.trim_start());
        }

        #[test]
        fn any_line_is_parsed_or_refused_without_panicking(line in "\\PC{0,60}") {
            let _ = parse(&line);
        }
    }
}
