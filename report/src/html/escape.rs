//! Escaping for HTML and SVG, and the one rule for which URLs may become links. Everything a
//! report shows comes from posts, LLM answers and users, so all of it passes through here.

use std::borrow::Cow;

/// `text` safe as element content and as a quoted attribute value (`&`, `<`, `>`, `"`, `'`).
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `url` if it may be a link target: `http` or `https` (any case), with no whitespace or
/// control characters in it. Anything else (`javascript:`, `data:`, relative paths) is shown
/// as text, never followed.
pub(crate) fn http_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let scheme_end = url.find(':')?;
    let scheme = &url[..scheme_end];
    let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (web && clean && url[scheme_end..].starts_with("://") && url.len() > scheme_end + 3)
        .then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert!(matches!(escape("微博 plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn only_web_urls_are_links() {
        assert_eq!(
            http_url("https://a.example/p?q=1"),
            Some("https://a.example/p?q=1")
        );
        assert_eq!(http_url(" HTTP://a.example "), Some("HTTP://a.example"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt://x",
            "data:text/html,<script>",
            "/relative",
            "https://",
            "https://a b",
            "https:/x",
            "ftp://a.example",
            "",
        ] {
            assert_eq!(http_url(bad), None, "{bad}");
        }
    }
}
