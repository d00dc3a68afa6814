//! Search terms: how text becomes the tokens that full-text search indexes and matches, the
//! same on both backends.
//!
//! Neither SQLite's `unicode61` tokenizer nor PostgreSQL's default parser splits Chinese (a run
//! of Han characters is one "word" to them), so we tokenize here and hand both databases
//! ready-made terms: words of other scripts lowercased; runs of CJK characters as overlapping
//! bigrams plus the run's last character alone. Every CJK character thus starts some term, so a
//! one-character query is a prefix query and a longer one is the AND of its bigrams — which
//! finds "舆情" inside "网络舆情分析" without a dictionary. SQLite stores the terms in an FTS5
//! table; PostgreSQL builds a `tsvector` from them with `array_to_tsvector`, which does not
//! parse, so the locale of the server does not matter.

/// Longest word kept; longer runs (hashes, base64) are cut.
const MAX_WORD: usize = 48;

/// Whether `c` belongs to a script written without spaces (Han, kana, Hangul).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F) // CJK extensions B–F, compatibility supplement
}

/// Calls `emit` with each term of `text`, in order, without allocating per term.
fn each_term(text: &str, mut emit: impl FnMut(&str)) {
    let mut word = String::new();
    let mut word_chars = 0;
    let mut run: Vec<char> = Vec::new();
    let mut pair = String::with_capacity(8);
    let mut flush_run = |run: &mut Vec<char>, emit: &mut dyn FnMut(&str)| {
        for w in run.windows(2) {
            pair.clear();
            pair.push(w[0]);
            pair.push(w[1]);
            emit(&pair);
        }
        if let Some(&last) = run.last() {
            pair.clear();
            pair.push(last);
            emit(&pair);
        }
        run.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                emit(&word);
                word.clear();
                word_chars = 0;
            }
            run.push(c);
        } else if c.is_alphanumeric() {
            flush_run(&mut run, &mut emit);
            if word_chars < MAX_WORD {
                word.extend(c.to_lowercase());
                word_chars += 1;
            }
        } else {
            if !word.is_empty() {
                emit(&word);
                word.clear();
                word_chars = 0;
            }
            flush_run(&mut run, &mut emit);
        }
    }
    if !word.is_empty() {
        emit(&word);
    }
    flush_run(&mut run, &mut emit);
}

/// The terms of `text`, in order, each at most [`MAX_WORD`] characters.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_term(text, |t| out.push(t.to_owned()));
    out
}

/// The terms of `text` as one space-separated string, what the indexes store.
pub fn indexed(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    each_term(text, |t| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t);
    });
    out
}

/// How much a search may ask for: every term is one more condition that each candidate row
/// must meet, so a text of thousands of words would be thousands of ANDs (a 6,500-character
/// search took 0.34 s). Configured by `SEARCH_QUERY_MAX_CHARS` and `SEARCH_QUERY_MAX_TERMS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Longest text, in characters.
    pub max_chars: usize,
    /// Most distinct terms.
    pub max_terms: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_chars: 256,
            max_terms: 64,
        }
    }
}

/// Why a search was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QueryRefused {
    /// The text is longer than the limit.
    #[error("the search is longer than {max} characters")]
    TooLong { max: usize },
    /// The text makes more terms than the limit.
    #[error("the search has more than {max} terms (each word, and each pair of Chinese characters, is one)")]
    TooManyTerms { max: usize },
}

/// A parsed search: every term must match; `prefix` terms match as prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<(String, bool)>,
}

impl Query {
    /// The query for what a user typed. CJK runs of two or more characters need all their
    /// bigrams (the run's lone last character is implied by the last bigram, so it is left
    /// out); a lone CJK character matches any term it starts. Cut to [`QueryLimits::default`]
    /// whatever the caller, so no text makes an unbounded query.
    pub fn parse(text: &str) -> Self {
        Self::parse_clipped(text, &QueryLimits::default()).0
    }

    /// The query for `text`, refused when it is beyond `limits` (for a person, who can say
    /// less).
    ///
    /// # Errors
    /// [`QueryRefused`], saying which limit.
    pub fn parse_within(text: &str, limits: &QueryLimits) -> Result<Self, QueryRefused> {
        if text.chars().count() > limits.max_chars {
            return Err(QueryRefused::TooLong {
                max: limits.max_chars,
            });
        }
        match Self::build(text, limits.max_terms) {
            (query, false) => Ok(query),
            (_, true) => Err(QueryRefused::TooManyTerms {
                max: limits.max_terms,
            }),
        }
    }

    /// The query for `text` cut to `limits`: its first `max_chars` characters, its first
    /// `max_terms` terms (for a program's search, which is better partly answered than not);
    /// and whether anything was cut.
    pub fn parse_clipped(text: &str, limits: &QueryLimits) -> (Self, bool) {
        let cut = text
            .char_indices()
            .nth(limits.max_chars)
            .map_or(text, |(at, _)| &text[..at]);
        let (query, overflowed) = Self::build(cut, limits.max_terms);
        (query, overflowed || cut.len() < text.len())
    }

    /// At most `max_terms` distinct terms of `text`, and whether it had more.
    fn build(text: &str, max_terms: usize) -> (Self, bool) {
        let mut terms: Vec<(String, bool)> = Vec::new();
        let mut overflowed = false;
        let mut push = |t: String, prefix: bool| {
            if terms.iter().any(|(have, p)| *have == t && *p == prefix) {
                return;
            }
            if terms.len() < max_terms {
                terms.push((t, prefix));
            } else {
                overflowed = true;
            }
        };
        for part in text.split(|c: char| !(c.is_alphanumeric() || is_cjk(c))) {
            let mut run: Vec<char> = Vec::new();
            let mut word = String::new();
            let emit_run = |run: &mut Vec<char>, push: &mut dyn FnMut(String, bool)| {
                match run.len() {
                    0 => {}
                    1 => push(run[0].to_string(), true),
                    _ => {
                        for pair in run.windows(2) {
                            push(pair.iter().collect(), false);
                        }
                    }
                }
                run.clear();
            };
            for c in part.chars() {
                if is_cjk(c) {
                    if !word.is_empty() {
                        push(std::mem::take(&mut word), false);
                    }
                    run.push(c);
                } else {
                    emit_run(&mut run, &mut push);
                    if word.chars().count() < MAX_WORD {
                        word.extend(c.to_lowercase());
                    }
                }
            }
            emit_run(&mut run, &mut push);
            if !word.is_empty() {
                push(word, false);
            }
        }
        (Self { terms }, overflowed)
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// As an FTS5 MATCH expression: `"a" AND "b"*`. Terms hold only letters and digits, so
    /// quoting cannot be escaped from.
    pub fn fts5(&self) -> String {
        self.terms
            .iter()
            .map(|(t, prefix)| format!("\"{t}\"{}", if *prefix { "*" } else { "" }))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// As PostgreSQL `tsquery` input: `'a' & 'b':*` (parsed by the type, not a text parser).
    pub fn tsquery(&self) -> String {
        self.terms
            .iter()
            .map(|(t, prefix)| format!("'{t}'{}", if *prefix { ":*" } else { "" }))
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

#[cfg(test)]
mod tests {
    //! Chinese, English and mixed text; the property that every query term of a substring is
    //! found among the terms of the text that contains it.
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chinese_becomes_bigrams_and_english_words() {
        assert_eq!(terms("网络舆情"), ["网络", "络舆", "舆情", "情"]);
        assert_eq!(
            terms("Jilan Motors召回!"),
            ["jilan", "motors", "召回", "回"]
        );
        assert_eq!(terms("  ,, "), Vec::<String>::new());
        assert_eq!(terms("电"), ["电"]);
    }

    #[test]
    fn queries_render_for_both_backends() {
        let q = Query::parse("舆情 Battery 电");
        assert_eq!(
            q.terms,
            [
                ("舆情".to_owned(), false),
                ("battery".to_owned(), false),
                ("电".to_owned(), true)
            ]
        );
        assert_eq!(q.fts5(), "\"舆情\" AND \"battery\" AND \"电\"*");
        assert_eq!(q.tsquery(), "'舆情' & 'battery' & '电':*");
        assert!(Query::parse("'\" OR 1=1 --")
            .terms
            .iter()
            .all(|(t, _)| t.chars().all(|c| c.is_alphanumeric())));
    }

    fn found(text: &str, query: &str) -> bool {
        let indexed = terms(text);
        Query::parse(query).terms.iter().all(|(t, prefix)| {
            indexed.iter().any(|have| {
                if *prefix {
                    have.starts_with(t.as_str())
                } else {
                    have == t
                }
            })
        })
    }

    #[test]
    fn substrings_are_found() {
        assert!(found("极澜汽车宣布召回三万辆", "召回"));
        assert!(found("极澜汽车宣布召回三万辆", "辆"));
        assert!(found("The Binhai Marathon was great", "marathon"));
        assert!(!found("滨海马拉松", "召回"));
    }

    proptest! {
        #[test]
        fn any_substring_of_cjk_or_words_is_found(
            text in "[a-zA-Z0-9 电池召回食堂涨价马拉松版权，。!]{0,40}",
            start in 0usize..40,
            len in 1usize..8,
        ) {
            let chars: Vec<char> = text.chars().collect();
            let start = start.min(chars.len());
            let end = (start + len).min(chars.len());
            let piece: String = chars[start..end].iter().collect();
            // Only substrings that do not cut an English word in two can be found by words.
            let cuts_word = |i: usize| i > 0 && i < chars.len()
                && chars[i - 1].is_ascii_alphanumeric() && chars[i].is_ascii_alphanumeric();
            prop_assume!(!cuts_word(start) && !cuts_word(end));
            prop_assert!(found(&text, &piece), "{piece:?} in {text:?}");
        }

        #[test]
        fn terms_never_panic_and_stay_short(text in any::<String>()) {
            for t in terms(&text) {
                prop_assert!(t.chars().count() <= MAX_WORD * 3);
            }
            let _ = Query::parse(&text).fts5();
        }
    }
}
