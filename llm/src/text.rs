//! What LLMs wrap around the answer: `<think>…</think>` reasoning and Markdown code fences.
//! Where JSON is expected, both go before parsing.

/// `text` without `<think>…</think>` blocks (an unclosed one runs to the end).
pub fn strip_think(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<think>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</think>") {
            Some(end) => rest = &rest[start + end + "</think>".len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// The JSON inside an answer: thinking removed, then the first fenced block (```json … ```)
/// if there is one, else the text from the first `{` or `[` to the last `}` or `]`.
pub fn json_text(answer: &str) -> String {
    let text = strip_think(answer);
    if let Some(start) = text.find("```") {
        let after = &text[start + 3..];
        let body_start = after.find('\n').map(|i| i + 1).unwrap_or(0);
        let body = &after[body_start..];
        if let Some(end) = body.find("```") {
            return body[..end].trim().to_owned();
        }
    }
    let open = text.find(['{', '[']);
    let close = text.rfind(['}', ']']);
    match (open, close) {
        (Some(o), Some(c)) if c > o => text[o..=c].to_owned(),
        _ => text,
    }
}

/// The JSON value in an answer.
pub fn parse_json(answer: &str) -> Result<serde_json::Value, String> {
    let text = json_text(answer);
    serde_json::from_str(&text).map_err(|e| format!("the answer is not JSON ({e}): {text:.200}"))
}

#[cfg(test)]
mod tests {
    //! Reasoning and fences around JSON, and text without either.
    use super::*;

    #[test]
    fn thinking_and_fences_go() {
        assert_eq!(strip_think("<think>hmm\n</think>\nanswer"), "answer");
        assert_eq!(strip_think("a<think>x</think>b<think>y"), "ab");
        assert_eq!(
            parse_json("<think>plan</think>\nHere:\n```json\n{\"a\": [1, 2]}\n```\nDone.").unwrap(),
            serde_json::json!({"a": [1, 2]})
        );
        assert_eq!(
            parse_json("Sure! {\"paragraphs\": [{\"title\": \"x\"}]} hope that helps").unwrap(),
            serde_json::json!({"paragraphs": [{"title": "x"}]})
        );
        assert!(parse_json("no json here").is_err());
        assert_eq!(json_text("```\n[1]\n```"), "[1]");
    }
}
