//! Built-in analysis of the sample corpus: each topic's keywords, quotes and statistics are
//! its own, and its sentiment leans the way its posts do.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use storage::model::{Post, PostKind};
use text_analysis::analyse;

fn topic(id: &str) -> Vec<Post> {
    storage::sample::corpus()
        .unwrap()
        .posts
        .into_iter()
        .filter(|p| p.topic_id.as_deref() == Some(id))
        .collect()
}

#[test]
fn each_topic_gets_its_own_keywords_quotes_and_numbers() {
    let marathon = topic("city-marathon");
    let canteen = topic("canteen-prices");
    let m = analyse(&marathon, 15, 5);
    let c = analyse(&canteen, 15, 5);

    let words = |a: &text_analysis::Analysis| {
        a.keywords
            .iter()
            .map(|k| k.word.clone())
            .collect::<Vec<_>>()
    };
    let mw = words(&m);
    assert!(
        mw.iter().any(|w| w.contains("马拉松") || w == "marathon"),
        "{mw:?}"
    );
    for other in ["食堂", "涨价", "召回", "canteen", "recall"] {
        assert!(
            !mw.iter().any(|w| w.contains(other)),
            "{other} in marathon keywords {mw:?}"
        );
    }
    let cw = words(&c);
    assert!(
        cw.iter().any(|w| w.contains("食堂") || w == "canteen"),
        "{cw:?}"
    );

    // Quotes are real posts of the topic, with where they came from.
    assert_eq!(m.quotes.len(), 5);
    for q in &m.quotes {
        let source = marathon
            .iter()
            .find(|p| p.body.starts_with(q.text.trim_end_matches('…')))
            .unwrap();
        assert_eq!(Some(&q.platform), Some(&source.platform));
        assert_eq!(q.url, source.url);
    }

    // Numbers add up.
    assert_eq!(m.posts, marathon.len());
    assert_eq!(m.by_platform.values().sum::<usize>(), marathon.len());
    assert_eq!(m.by_day.values().sum::<usize>(), marathon.len());
    assert_eq!(
        m.sentiment.positive + m.sentiment.neutral + m.sentiment.negative,
        marathon.len()
    );
    let top = &m.top_posts[0];
    assert_eq!(
        top.engagement,
        marathon.iter().map(Post::engagement).max().unwrap()
    );

    // The marathon story is the happy one, the canteen prices the angry one.
    assert!(
        m.mean_sentiment > c.mean_sentiment,
        "{} vs {}",
        m.mean_sentiment,
        c.mean_sentiment
    );
    assert!(
        m.sentiment.positive > m.sentiment.negative,
        "{:?}",
        m.sentiment
    );
    assert!(
        c.sentiment.negative > c.sentiment.positive,
        "{:?}",
        c.sentiment
    );
    assert!(marathon
        .iter()
        .all(|p| p.kind == PostKind::Content || p.content_id.is_some()));
}
