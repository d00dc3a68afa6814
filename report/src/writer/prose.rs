//! Wording in the report's language: counts with the right noun ("1 item", "2 items",
//! "2 条"), lists ("a, b and c", "a、b 和 c"), numbers with separators, and the names of
//! kinds, leanings, engines and forum speakers.

use text_analysis::evidence::KindCounts;
use text_analysis::sentiment::Leaning;

use crate::document::{Language, Span};

/// How the writer words things in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prose {
    pub zh: bool,
}

impl Prose {
    pub fn of(language: Language) -> Self {
        Self {
            zh: language == Language::Zh,
        }
    }

    /// The Chinese or the English.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        if self.zh {
            zh
        } else {
            en
        }
    }

    /// `n` of a noun: `1 item`, `2 items`; in Chinese `2 条` (the measure word says it).
    pub fn count(self, n: usize, singular: &str, plural: &str) -> String {
        if self.zh {
            format!("{n} 条")
        } else if n == 1 {
            format!("1 {singular}")
        } else {
            format!("{n} {plural}")
        }
    }

    /// `1 item` / `2 items` / `2 条`.
    pub fn items(self, n: usize) -> String {
        self.count(n, "item", "items")
    }

    /// English agreement: `is` for one, `are` for the rest.
    pub fn is_are(self, n: usize) -> &'static str {
        if n == 1 {
            "is"
        } else {
            "are"
        }
    }

    /// English agreement: `was` for one, `were` for the rest.
    pub fn was_were(self, n: usize) -> &'static str {
        if n == 1 {
            "was"
        } else {
            "were"
        }
    }

    /// The separator between list parts before the last one, and before the last.
    fn separators(self, len: usize) -> (&'static str, &'static str) {
        match (self.zh, len) {
            (true, _) => ("、", "和"),
            (false, 2) => ("", " and "),
            (false, _) => (", ", " and "),
        }
    }

    /// Parts as one list: `a, b and c` / `a、b和c`.
    pub fn list(self, parts: &[String]) -> String {
        let mut out = String::new();
        let (comma, and) = self.separators(parts.len());
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push_str(if i + 1 == parts.len() { and } else { comma });
            }
            out.push_str(part);
        }
        out
    }

    /// Spans as one list, with the separators as plain text between them.
    pub fn list_spans(self, parts: Vec<Span>) -> Vec<Span> {
        let len = parts.len();
        let (comma, and) = self.separators(len);
        let mut out = Vec::with_capacity(len * 2);
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push(Span::text(if i + 1 == len { and } else { comma }));
            }
            out.push(part);
        }
        out
    }

    /// A number with thousands separators: `12,345`.
    pub fn number(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(d);
        }
        if n < 0 {
            format!("-{out}")
        } else {
            out
        }
    }

    /// A text in quotation marks: `「…」` / `“…”`.
    pub fn quoted(self, text: &str) -> String {
        if self.zh {
            format!("「{text}」")
        } else {
            format!("“{text}”")
        }
    }

    /// The kinds present, each with its count: `30 posts` / `帖子 30 条`.
    pub fn kinds(self, kinds: &KindCounts) -> Vec<String> {
        let all = [
            (kinds.posts, "帖子", "post", "posts"),
            (kinds.comments, "评论", "comment", "comments"),
            (kinds.news, "新闻", "news item", "news items"),
            (kinds.web, "网页", "web page", "web pages"),
        ];
        all.iter()
            .filter(|(n, ..)| *n > 0)
            .map(|&(n, zh, one, many)| {
                if self.zh {
                    format!("{zh} {n} 条")
                } else {
                    self.count(n, one, many)
                }
            })
            .collect()
    }

    /// A leaning's name: `正面` / `positive`.
    pub fn leaning(self, leaning: Leaning) -> &'static str {
        match leaning {
            Leaning::Positive => self.pick("正面", "positive"),
            Leaning::Neutral => self.pick("中性", "neutral"),
            Leaning::Negative => self.pick("负面", "negative"),
        }
    }

    /// A platform's display name from its canonical code.
    pub fn platform(self, code: &str) -> String {
        text_analysis::platform::display(code, self.zh)
    }

    /// An engine's name (`query` → `查询引擎` / `Query engine`).
    pub fn engine(self, engine: &str) -> String {
        match engine.to_ascii_lowercase().as_str() {
            "query" => self.pick("查询引擎", "Query engine").to_owned(),
            "media" => self.pick("媒体引擎", "Media engine").to_owned(),
            "insight" => self.pick("洞察引擎", "Insight engine").to_owned(),
            "host" => self.pick("主持人", "Host").to_owned(),
            _ => engine.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Plurals, lists and numbers in both languages.
    use super::*;

    const EN: Prose = Prose { zh: false };
    const ZH: Prose = Prose { zh: true };

    #[test]
    fn one_and_many() {
        assert_eq!(EN.items(1), "1 item");
        assert_eq!(EN.items(0), "0 items");
        assert_eq!(EN.items(2), "2 items");
        assert_eq!(ZH.items(2), "2 条");
        assert_eq!(EN.is_are(1), "is");
        assert_eq!(EN.is_are(3), "are");
    }

    #[test]
    fn lists() {
        let parts = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(EN.list(&parts(&["a"])), "a");
        assert_eq!(EN.list(&parts(&["a", "b"])), "a and b");
        assert_eq!(EN.list(&parts(&["a", "b", "c"])), "a, b and c");
        assert_eq!(ZH.list(&parts(&["甲", "乙", "丙"])), "甲、乙和丙");
        assert_eq!(EN.list(&[]), "");
    }

    #[test]
    fn numbers_and_kinds() {
        assert_eq!(EN.number(0), "0");
        assert_eq!(EN.number(999), "999");
        assert_eq!(EN.number(1000), "1,000");
        assert_eq!(EN.number(1234567), "1,234,567");
        assert_eq!(EN.number(-1234), "-1,234");
        let kinds = KindCounts {
            posts: 1,
            comments: 0,
            news: 2,
            web: 1,
        };
        assert_eq!(
            EN.kinds(&kinds),
            vec!["1 post", "2 news items", "1 web page"]
        );
        assert_eq!(
            ZH.kinds(&kinds),
            vec!["帖子 1 条", "新闻 2 条", "网页 1 条"]
        );
    }
}
