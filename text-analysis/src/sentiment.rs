//! Lexicon sentiment for Chinese and English, with negation and intensifiers.
//!
//! The lexicons (`lexicon/*.txt`) were written for this project and carry its licence: a few
//! hundred words of public-opinion talk each (praise, anger, worry, prices, safety, rights),
//! weighted -3..3. Chinese text is segmented with jieba first; a negator (不, 没有…) flips the
//! next sentiment word, an intensifier (非常, 太…) scales it, and both reset at punctuation.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

/// The built-in lexicons, parsed once.
struct Lexicon {
    words: HashMap<&'static str, f32>,
    negators: HashMap<&'static str, ()>,
    intensifiers: HashMap<&'static str, f32>,
}

fn parse(lexicon: &'static str, modifiers: &'static str, into: &mut Lexicon) {
    for line in lexicon
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        if let Some((word, weight)) = line.split_once('\t') {
            if let Ok(w) = weight.trim().parse::<f32>() {
                into.words.insert(word.trim(), w);
            }
        }
    }
    for line in modifiers
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut parts = line.split('\t');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("neg"), Some(word), _) => {
                into.negators.insert(word.trim(), ());
            }
            (Some("int"), Some(word), Some(factor)) => {
                if let Ok(f) = factor.trim().parse::<f32>() {
                    into.intensifiers.insert(word.trim(), f);
                }
            }
            _ => {}
        }
    }
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut lexicon = Lexicon {
            words: HashMap::new(),
            negators: HashMap::new(),
            intensifiers: HashMap::new(),
        };
        parse(
            include_str!("lexicon/zh.txt"),
            include_str!("lexicon/zh_modifiers.txt"),
            &mut lexicon,
        );
        parse(
            include_str!("lexicon/en.txt"),
            include_str!("lexicon/en_modifiers.txt"),
            &mut lexicon,
        );
        lexicon
    })
}

/// The raw score from which a text leans positive (and, negated, negative).
pub const LEANING_FROM_RAW: f32 = 0.5;

/// How [`Sentiment::unit`] squeezes a raw score into −1…+1: `raw / (|raw| + UNIT_SOFTNESS)`.
/// 1.5 puts the leaning cut-off ([`LEANING_FROM_RAW`]) at exactly ±0.25 on the unit scale, a
/// figure a report can state plainly, and keeps one strong word (weight 3) short of +1.
const UNIT_SOFTNESS: f32 = 1.5;

/// The unit-scale score from which a text leans positive (and, negated, negative): the raw
/// cut-off [`LEANING_FROM_RAW`] on the scale reports show.
pub const LEANING_FROM: f32 = LEANING_FROM_RAW / (LEANING_FROM_RAW + UNIT_SOFTNESS);

/// Where a text leans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Leaning {
    Positive,
    Neutral,
    Negative,
}

/// A text's sentiment: the summed weights, normalised by how many sentiment words it has.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sentiment {
    /// The raw score: unbounded (weights run −3…3, intensifiers scale them); see
    /// [`Sentiment::unit`] for the −1…+1 scale reports show.
    pub score: f32,
    pub leaning: Leaning,
    /// Sentiment words found.
    pub hits: u32,
}

/// Scores a text from its tokens (jieba's for Chinese, words for English; lowercased).
pub fn score<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Sentiment {
    let lexicon = lexicon();
    let tokens: Vec<&str> = tokens
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let mut total = 0.0f32;
    let mut hits = 0u32;
    let mut negated = false;
    let mut factor = 1.0f32;
    let mut joined = String::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        // A lexicon entry the segmenter cut in two (值了 → 值 + 了) still counts, as one.
        joined.clear();
        if let Some(next) = tokens.get(i + 1) {
            joined.push_str(token);
            joined.push_str(next);
        }
        let (word, width) = match lexicon.words.get(joined.as_str()) {
            Some(w) if !joined.is_empty() => (Some(w), 2),
            _ => (lexicon.words.get(token), 1),
        };
        i += width;
        if word.is_none() && token.chars().all(|c| !c.is_alphanumeric()) {
            negated = false;
            factor = 1.0;
            continue;
        }
        if word.is_none() && lexicon.negators.contains_key(token) {
            negated = !negated;
            continue;
        }
        if let Some(f) = lexicon.intensifiers.get(token) {
            factor *= f;
            continue;
        }
        if let Some(w) = word {
            let w = w * factor;
            total += if negated { -w * 0.8 } else { w };
            hits += 1;
            negated = false;
            factor = 1.0;
        }
    }
    let score = if hits == 0 {
        0.0
    } else {
        total / (hits as f32).sqrt()
    };
    let leaning = if score >= LEANING_FROM_RAW {
        Leaning::Positive
    } else if score <= -LEANING_FROM_RAW {
        Leaning::Negative
    } else {
        Leaning::Neutral
    };
    Sentiment {
        score,
        leaning,
        hits,
    }
}

impl Sentiment {
    /// The score on the scale reports show: −1 most negative, 0 no sentiment words (or as
    /// many of each kind), +1 most positive. Monotonic in the raw score, so a text leans
    /// positive exactly when this is at least [`LEANING_FROM`], negative at most −[`LEANING_FROM`].
    pub fn unit(&self) -> f32 {
        self.score / (self.score.abs() + UNIT_SOFTNESS)
    }
}

#[cfg(test)]
mod tests {
    //! Lexicon words, negation, intensity, in both languages.
    use super::*;
    use crate::tokens;

    fn lean(text: &str) -> Leaning {
        score(tokens(text).iter().map(String::as_str)).leaning
    }

    #[test]
    fn leanings_in_chinese_and_english() {
        assert_eq!(
            lean("志愿者非常热情，组织得很好，点赞！"),
            Leaning::Positive
        );
        assert_eq!(
            lean("食堂又涨价了，太贵了，学生吃不起，很失望"),
            Leaning::Negative
        );
        assert_eq!(lean("这次处理不透明，我不满意"), Leaning::Negative);
        assert_eq!(
            lean("The volunteers were amazing and the race was well organised"),
            Leaning::Positive
        );
        assert_eq!(
            lean("I'm not happy, this recall is a terrible mess"),
            Leaning::Negative
        );
        assert_eq!(
            lean("The marathon starts at 7 am on Sunday"),
            Leaning::Neutral
        );
        assert!(
            score(tokens("非常好").iter().map(String::as_str)).score
                > score(tokens("好").iter().map(String::as_str)).score
        );
    }

    #[test]
    fn the_unit_scale_stays_within_one_and_keeps_the_leaning_cut_off() {
        assert_eq!(LEANING_FROM, 0.25);
        for text in [
            "非常非常好，太棒了，点赞点赞点赞！",
            "太差了，垃圾，骗子，愤怒，失望透顶",
            "The marathon starts at 7 am",
            "好",
            "不好",
        ] {
            let s = score(tokens(text).iter().map(String::as_str));
            let unit = s.unit();
            assert!((-1.0..=1.0).contains(&unit), "{text}: {unit}");
            let lean = if unit >= LEANING_FROM {
                Leaning::Positive
            } else if unit <= -LEANING_FROM {
                Leaning::Negative
            } else {
                Leaning::Neutral
            };
            assert_eq!(lean, s.leaning, "{text}: {unit}");
        }
    }
}
