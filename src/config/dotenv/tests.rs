//! `.env` parsing and editing: formats the original's files use, edits that keep everything
//! else, refusal of line injection, and a round-trip property over arbitrary values.

use proptest::prelude::*;

use super::{Dotenv, DotenvError};

const SAMPLE: &str = "# BettaFish settings\n\
HOST=0.0.0.0\n\
export PORT=5000 # the web port\n\
\n\
QUERY_ENGINE_API_KEY=\"sk-abc\\\"def\"\n\
INSIGHT_ENGINE_MODEL_NAME='kimi-k2'\n\
UNKNOWN_TO_US=keep me\n\
HOST=127.0.0.1\n";

#[test]
fn parses_the_formats_in_use() {
    let env = Dotenv::parse(SAMPLE).unwrap();
    assert_eq!(
        env.get("HOST"),
        Some("127.0.0.1"),
        "the last assignment wins"
    );
    assert_eq!(env.get("PORT"), Some("5000"));
    assert_eq!(env.get("QUERY_ENGINE_API_KEY"), Some("sk-abc\"def"));
    assert_eq!(env.get("INSIGHT_ENGINE_MODEL_NAME"), Some("kimi-k2"));
    assert_eq!(env.get("UNKNOWN_TO_US"), Some("keep me"));
    assert_eq!(env.get("MISSING"), None);
}

#[test]
fn editing_keeps_comments_order_and_unknown_lines() {
    let mut env = Dotenv::parse(SAMPLE).unwrap();
    env.set("PORT", "6000").unwrap();
    env.set("HOST", "10.0.0.1").unwrap();
    env.set("NEW_KEY", "a b").unwrap();
    assert_eq!(
        env.render(),
        "# BettaFish settings\n\
HOST=\"10.0.0.1\"\n\
PORT=\"6000\"\n\
\n\
QUERY_ENGINE_API_KEY=\"sk-abc\\\"def\"\n\
INSIGHT_ENGINE_MODEL_NAME='kimi-k2'\n\
UNKNOWN_TO_US=keep me\n\
NEW_KEY=\"a b\"\n"
    );
}

#[test]
fn line_injection_is_refused() {
    let mut env = Dotenv::parse(SAMPLE).unwrap();
    for evil in ["x\nEVIL=1", "x\rEVIL=1", "x\0"] {
        assert!(matches!(
            env.set("HOST", evil),
            Err(DotenvError::InvalidValue(_))
        ));
    }
    assert!(matches!(
        env.set("EVIL=1\nX", "v"),
        Err(DotenvError::InvalidKey(_))
    ));
    assert_eq!(env.get("HOST"), Some("127.0.0.1"));
    assert!(!env.render().contains("EVIL"));
}

#[test]
fn bad_lines_are_named() {
    let err = Dotenv::parse("OK=1\nnot an assignment\n").unwrap_err();
    assert!(matches!(err, DotenvError::Syntax { line: 2, .. }), "{err}");
    let err = Dotenv::parse("A=\"open\n").unwrap_err();
    assert!(matches!(err, DotenvError::Syntax { line: 1, .. }), "{err}");
}

#[test]
fn save_is_atomic_and_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    let mut env = Dotenv::load(&path).unwrap();
    env.set("TAVILY_API_KEY", "secret").unwrap();
    env.save(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(
        Dotenv::load(&path).unwrap().get("TAVILY_API_KEY"),
        Some("secret")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

proptest! {
    /// Any value without CR/LF/NUL survives set → render → parse, and other lines are untouched.
    #[test]
    fn values_round_trip(value in "[^\r\n\u{0}]{0,64}", other in "[A-Z]{1,8}") {
        let text = format!("# c\n{other}_X=1\n");
        let mut env = Dotenv::parse(&text).unwrap();
        env.set("KEY", &value).unwrap();
        let back = Dotenv::parse(&env.render()).unwrap();
        prop_assert_eq!(back.get("KEY"), Some(value.as_str()));
        let other_key = format!("{other}_X");
        prop_assert_eq!(back.get(&other_key), Some("1"));
        prop_assert!(back.render().starts_with("# c\n"));
    }

    /// The parser never panics, whatever the input.
    #[test]
    fn parser_never_panics(text in "\\PC{0,200}") {
        let _ = Dotenv::parse(&text);
    }
}
