//! Excerpts of real posts cut where a reader expects: after whole sentences, never inside a
//! Weibo `#hashtag#`, an `@mention`, a URL, a `[表情]` emoticon or an English word or number.
//!
//! Reports used to cut quotes at a fixed number of characters, which left `#滨海马拉` and
//! `https://wei` on the page. [`sentences`] keeps as many whole sentences as fit; only when
//! the first sentence alone is too long does it cut inside it — at a comma or a space if it can
//! — and then says so with `…`. [`split`] gives the same sentences one by one.

/// Marks the end of an excerpt cut inside a sentence.
pub const ELLIPSIS: char = '…';

/// Characters that end a sentence (`.` is handled apart: `3.5` and `example.com` go on).
const SENTENCE_ENDS: &[char] = &['。', '！', '？', '!', '?', '；', ';', '…', '\n'];

/// Characters that close what a sentence end sits in (`“好。”`), kept with the sentence.
const CLOSERS: &[char] = &['”', '’', '」', '』', '）', ')', '】', '》'];

/// Where a sentence may be cut when it must be: after these, or at a space.
const SOFT_BREAKS: &[char] = &['，', ',', '、', '：', ':', '—'];

/// The longest `#…#` read as one hashtag; a `#` with no partner this close is a lone mark.
const HASHTAG_MAX_CHARS: usize = 64;

/// The longest `[…]` read as one emoticon (`[doge]`, `[话题]`).
const EMOTICON_MAX_CHARS: usize = 12;

fn is_hash(c: char) -> bool {
    c == '#' || c == '＃'
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first index at or after `from` where `keep` stops holding.
fn run_end(chars: &[char], from: usize, keep: impl Fn(char) -> bool) -> usize {
    chars[from..]
        .iter()
        .position(|&c| !keep(c))
        .map_or(chars.len(), |p| from + p)
}

/// The index of the closing `close` of a pair opened at `open`, within `max` characters and
/// with no whitespace inside; `None` when there is no such partner.
fn partner(chars: &[char], open: usize, max: usize, close: impl Fn(char) -> bool) -> Option<usize> {
    let limit = chars.len().min(open + 2 + max);
    (open + 1..limit)
        .take_while(|&j| !chars[j].is_whitespace())
        .find(|&j| close(chars[j]))
        .filter(|&j| j > open + 1)
}

fn starts_url(chars: &[char], at: usize) -> bool {
    ["http://", "https://", "www."].iter().any(|prefix| {
        prefix.chars().enumerate().all(|(k, p)| {
            chars
                .get(at + k)
                .is_some_and(|c| c.to_ascii_lowercase() == p)
        })
    })
}

/// For each cut position `0..=len` (a cut at `c` keeps `chars[..c]`), whether it falls inside
/// something that must stay whole.
fn blocked_cuts(chars: &[char]) -> Vec<bool> {
    let n = chars.len();
    let mut blocked = vec![false; n + 1];
    let mut block = |start: usize, end: usize| {
        for cut in blocked.iter_mut().take(end).skip(start + 1) {
            *cut = true;
        }
    };
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let end = if is_hash(c) {
            // `#话题#` (Weibo, Xiaohongshu) as a pair; `#tag` (Douyin) up to its last letter.
            match partner(chars, i, HASHTAG_MAX_CHARS, is_hash) {
                Some(j) => j + 1,
                None => run_end(chars, i + 1, is_word_char),
            }
        } else if c == '@' {
            run_end(chars, i + 1, |c| is_word_char(c) || c == '-')
        } else if starts_url(chars, i) {
            run_end(chars, i, |c| c.is_ascii_graphic())
        } else if c == '[' {
            partner(chars, i, EMOTICON_MAX_CHARS, |c| c == ']').map_or(i + 1, |j| j + 1)
        } else if c.is_ascii_alphanumeric() {
            // A word or number, with the `'`, `-`, `.` and `,` inside it (`don't`, `3.5`).
            let mut j = i + 1;
            while j < n
                && (chars[j].is_ascii_alphanumeric()
                    || (matches!(chars[j], '\'' | '-' | '.' | ',' | '’')
                        && chars.get(j + 1).is_some_and(char::is_ascii_alphanumeric)))
            {
                j += 1;
            }
            j
        } else {
            i + 1
        };
        let end = end.max(i + 1);
        block(i, end);
        i = end;
    }
    blocked
}

/// Whether a sentence ends after `chars[i]`.
fn ends_sentence(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    SENTENCE_ENDS.contains(&c)
        || (c == '.'
            && chars
                .get(i + 1)
                .is_none_or(|next| next.is_whitespace() || !next.is_ascii()))
}

/// Whether `chars[j]` closes what the sentence before it sits in. A straight quote is
/// ambiguous (it may open the next sentence), so it closes only when a space or the end follows.
fn closes(chars: &[char], j: usize) -> bool {
    match chars[j] {
        '"' | '\'' => chars.get(j + 1).is_none_or(|c| c.is_whitespace()),
        c => CLOSERS.contains(&c),
    }
}

/// The cut positions after whole sentences (with their closing quotes and repeated marks),
/// in order, not counting the end of the text.
fn sentence_cuts(chars: &[char], blocked: &[bool]) -> Vec<usize> {
    let n = chars.len();
    let mut cuts = Vec::new();
    let mut i = 0;
    while i < n {
        if ends_sentence(chars, i) {
            let mut j = i + 1;
            while j < n && (ends_sentence(chars, j) || closes(chars, j)) {
                j += 1;
            }
            if j < n && !blocked[j] {
                cuts.push(j);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    cuts
}

/// The start of `text` (surrounding whitespace trimmed) up to `max_chars` characters, cut
/// after a whole sentence; when the first sentence alone is longer, cut inside it at the last
/// comma or space that fits (else between two characters that may part) and end with `…`.
/// Never cuts inside a `#hashtag#`, an `@mention`, a URL, a `[表情]` or an English word or
/// number: when one of those starts the text and is longer than `max_chars`, it is kept whole
/// (up to a hashtag's length past the limit) rather than broken.
///
/// The result is always a prefix of the trimmed text, plus `…` when cut inside a sentence.
pub fn sentences(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    if n <= max_chars {
        return text.to_owned();
    }
    if max_chars == 0 {
        return String::new();
    }
    let blocked = blocked_cuts(&chars);
    let prefix = |cut: usize| chars[..cut].iter().collect::<String>();

    if let Some(&cut) = sentence_cuts(&chars, &blocked)
        .iter()
        .rev()
        .find(|&&cut| cut <= max_chars)
    {
        return prefix(cut).trim_end().to_owned();
    }
    let cut_inside = |cut: usize| {
        let kept = prefix(cut);
        let kept = kept.trim_end_matches(|c: char| c.is_whitespace() || SOFT_BREAKS.contains(&c));
        (!kept.is_empty()).then(|| format!("{kept}{ELLIPSIS}"))
    };
    let soft = (1..=max_chars).rev().filter(|&cut| {
        !blocked[cut]
            && (SOFT_BREAKS.contains(&chars[cut - 1])
                || chars[cut - 1].is_whitespace()
                || chars[cut].is_whitespace())
    });
    let any = (1..=max_chars).rev().filter(|&cut| !blocked[cut]);
    if let Some(out) = soft.chain(any).find_map(cut_inside) {
        return out;
    }
    // Something that must stay whole runs past the limit from the start: keep it whole,
    // unless it is far longer than any hashtag (a bare 300-character URL), then cut it.
    let whole = (max_chars + 1..=n).find(|&cut| !blocked[cut]).unwrap_or(n);
    let cut = if whole > max_chars + HASHTAG_MAX_CHARS + 2 {
        max_chars
    } else {
        whole
    };
    if cut == n {
        text.to_owned()
    } else {
        format!("{}{ELLIPSIS}", prefix(cut).trim_end())
    }
}

/// The sentences of `text`, trimmed, empty ones left out, cut where [`sentences`] would cut.
pub fn split(text: &str) -> Vec<&str> {
    let char_starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    let chars: Vec<char> = text.chars().collect();
    let blocked = blocked_cuts(&chars);
    let byte_at = |cut: usize| char_starts.get(cut).copied().unwrap_or(text.len());
    let mut out = Vec::new();
    let mut start = 0;
    for cut in sentence_cuts(&chars, &blocked)
        .into_iter()
        .chain([chars.len()])
    {
        let sentence = text[byte_at(start)..byte_at(cut)].trim();
        if !sentence.is_empty() {
            out.push(sentence);
        }
        start = cut;
    }
    out
}

#[cfg(test)]
mod tests;
