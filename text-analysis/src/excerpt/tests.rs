//! Excerpts: whole sentences when they fit, careful cuts when they don't, and properties over
//! generated posts (never a split hashtag, never a panic, always a prefix).

use proptest::prelude::*;

use super::*;

#[test]
fn whole_text_when_it_fits() {
    assert_eq!(sentences("  周日开跑。  ", 20), "周日开跑。");
    assert_eq!(sentences("", 10), "");
}

#[test]
fn whole_sentences_when_they_fit() {
    let text = "志愿者很热情。补给站也充足！就是终点太挤了，出站排了四十分钟。";
    assert_eq!(sentences(text, 15), "志愿者很热情。补给站也充足！");
    assert_eq!(sentences(text, 8), "志愿者很热情。");
    let english = "The race was great. Volunteers were everywhere! Parking was a mess.";
    assert_eq!(
        sentences(english, 50),
        "The race was great. Volunteers were everywhere!"
    );
}

#[test]
fn closing_quotes_stay_with_their_sentence() {
    let text = "他说：“跑完了。”然后就走了，没有再回来看看大家。";
    assert_eq!(sentences(text, 12), "他说：“跑完了。”");
}

#[test]
fn numbers_and_domains_are_not_sentence_ends() {
    let text = "配速 3.5 分钟每公里，详见 example.com 的说明";
    let out = sentences(text, 9);
    assert!(!out.ends_with("3…") && !out.ends_with("3.…"), "{out}");
    assert_eq!(
        split("气温 3.5 度。风很大。"),
        vec!["气温 3.5 度。", "风很大。"]
    );
}

#[test]
fn a_long_first_sentence_is_cut_at_a_comma_with_an_ellipsis() {
    let text = "今天的马拉松组织得非常好，志愿者热情，补给充足，终点的奖牌也很漂亮";
    assert_eq!(sentences(text, 20), "今天的马拉松组织得非常好，志愿者热情…");
}

#[test]
fn hashtags_mentions_urls_and_words_stay_whole() {
    let text = "#滨海马拉松#今天跑完全程感觉很好";
    let out = sentences(text, 4);
    assert_eq!(out, "#滨海马拉松#…");

    let text = "跑完了，#滨海马拉松2026#真的太累了没力气";
    assert_eq!(sentences(text, 8), "跑完了…");

    let text = "感谢@滨海马拉松组委会 的安排和照顾";
    let out = sentences(text, 6);
    assert!(!out.contains('@'), "{out}");

    let text = "详情见 https://weibo.com/123/abc 里面说得很清楚";
    let out = sentences(text, 10);
    assert_eq!(out, "详情见…");

    let text = "Volunteers everywhere and wonderful support";
    assert_eq!(sentences(text, 14), "Volunteers…");
    assert_eq!(sentences(text, 9), "Volunteers…");
}

#[test]
fn emoticons_stay_whole() {
    let text = "哈哈[doge][doge]太好笑了吧这个";
    let out = sentences(text, 4);
    assert!(!out.contains('['), "{out}");
}

#[test]
fn a_long_url_alone_is_cut_rather_than_kept() {
    let url = format!("https://example.com/{}", "a".repeat(300));
    let out = sentences(&url, 20);
    assert_eq!(out.chars().count(), 21);
}

#[test]
fn split_gives_each_sentence() {
    assert_eq!(
        split("第一句。第二句！\n第三句"),
        vec!["第一句。", "第二句！", "第三句"]
    );
    assert_eq!(split("#话题！#很好。"), vec!["#话题！#很好。"]);
    assert!(split("  ").is_empty());
}

/// A generated post: plain Chinese and English runs, sentence ends, commas, spaces, and
/// hashtags whose spans (in characters) are known.
fn post() -> impl Strategy<Value = (String, Vec<(usize, usize)>)> {
    let piece = prop_oneof![
        "[一-龥]{1,12}".prop_map(|s| (s, false)),
        "[a-z]{1,8}".prop_map(|s| (s, false)),
        "[0-9]{1,4}(\\.[0-9]{1,2})?".prop_map(|s| (s, false)),
        prop::sample::select(vec![
            "。", "！", "？", "，", "、", " ", "\n", ". ", "……", "；"
        ])
        .prop_map(|s| (s.to_owned(), false)),
        "[一-龥a-z0-9]{1,10}".prop_map(|s| (format!("#{s}#"), true)),
        "[一-龥a-z]{1,6}".prop_map(|s| (format!("#{s}[话题]#"), true)),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| {
        let mut text = String::new();
        let mut tags = Vec::new();
        let mut at = 0;
        for (s, tag) in pieces {
            let len = s.chars().count();
            if tag {
                tags.push((at, at + len));
            }
            text.push_str(&s);
            at += len;
        }
        (text, tags)
    })
}

proptest! {
    #[test]
    fn never_splits_a_hashtag((text, tags) in post(), max in 1usize..60) {
        let out = sentences(&text, max);
        let kept = out.strip_suffix(ELLIPSIS).unwrap_or(&out);
        // Positions in the untrimmed text: the text starts with no whitespace unless a piece
        // put it there, and trimming moves every position by the same amount.
        let lead = text.chars().take_while(|c| c.is_whitespace()).count();
        let end = lead + kept.chars().count();
        for (start, stop) in tags {
            prop_assert!(!(start < end && end < stop), "{text:?} → {out:?} splits {start}..{stop}");
        }
    }

    #[test]
    fn is_a_prefix_plus_ellipsis(text in "\\PC{0,200}", max in 0usize..80) {
        let out = sentences(&text, max);
        let kept = out.strip_suffix(ELLIPSIS).unwrap_or(&out);
        prop_assert!(text.trim().starts_with(kept), "{text:?} → {out:?}");
    }

    #[test]
    fn never_panics_on_any_text(text in ".{0,300}", max in 0usize..200) {
        let _ = sentences(&text, max);
        let _ = split(&text);
    }

    #[test]
    fn split_keeps_every_non_blank_character(text in "\\PC{0,200}") {
        let joined: String = split(&text).concat();
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        prop_assert_eq!(squeeze(&joined), squeeze(&text));
    }
}
