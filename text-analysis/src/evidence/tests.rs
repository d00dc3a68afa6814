//! Figures of an evidence set: counted once, adding up, in the configured time zone, with
//! platforms spelled one way and sentiment as stored.

use proptest::prelude::*;
use storage::model::ItemRef;
use time::UtcOffset;

use super::*;

fn set(query: &str, items: Vec<EvidenceItem>) -> EvidenceSet {
    EvidenceSet {
        definition: Definition {
            query: query.to_owned(),
            terms: Vec::new(),
            max_items: 200,
        },
        items,
    }
}

fn post(id: i64, platform: &str, text: &str, published_ms: Option<i64>) -> EvidenceItem {
    let mut item = EvidenceItem::scored(ItemRef::Post(id), platform, None, text.to_owned());
    item.published_ms = published_ms;
    item
}

fn east8() -> UtcOffset {
    crate::time_zone::parse_offset("+08:00").unwrap()
}

/// 2026-11-11T16:30:00Z: the 11th in UTC, the 12th in China.
const LATE_EVENING_UTC: i64 = 1_794_414_600_000;
const HOUR_MS: i64 = 3_600_000;

#[test]
fn days_are_counted_in_the_given_offset_and_add_up_with_the_undated() {
    let items = vec![
        post(1, "wb", "周日马拉松", Some(LATE_EVENING_UTC)),
        post(2, "wb", "周日马拉松", Some(LATE_EVENING_UTC - 10 * HOUR_MS)),
        post(3, "wb", "周日马拉松", None),
    ];
    let stats = EvidenceStats::compute(&set("马拉松", items.clone()), east8());
    assert_eq!(stats.time_zone, "+08:00");
    let days: Vec<(&str, usize)> = stats
        .per_day
        .iter()
        .map(|d| (d.key.as_str(), d.count()))
        .collect();
    assert_eq!(days, vec![("2026-11-11", 1), ("2026-11-12", 1)]);
    assert_eq!(stats.undated, vec![2]);

    let utc = EvidenceStats::compute(&set("马拉松", items), UtcOffset::UTC);
    assert_eq!(utc.time_zone, "+00:00");
    assert_eq!(utc.per_day.len(), 1);
    assert_eq!(utc.per_day[0].items, vec![0, 1]);
}

#[test]
fn every_spelling_of_a_platform_counts_as_one() {
    let mut items = vec![
        post(1, "wb", "a", None),
        post(2, "weibo", "b", None),
        post(3, "xhs", "c", None),
        post(4, "dy", "d", None),
    ];
    // A set stored before platforms were canonical.
    items[1].platform = "Weibo".into();
    let stats = EvidenceStats::compute(&set("q", items), UtcOffset::UTC);
    let platforms: Vec<(&str, usize)> = stats
        .platforms
        .iter()
        .map(|p| (p.key.as_str(), p.count()))
        .collect();
    assert_eq!(
        platforms,
        vec![("weibo", 2), ("douyin", 1), ("xiaohongshu", 1)]
    );
}

#[test]
fn sentiment_is_read_as_stored_not_rescored() {
    let mut items = vec![
        post(1, "wb", "志愿者非常热情，组织得很好，点赞！", None),
        post(2, "wb", "太贵了，很失望", None),
        post(3, "wb", "周日开跑", None),
    ];
    assert_eq!(items[0].leaning, Leaning::Positive);
    assert!(items[0].sentiment > 0.25 && items[0].sentiment <= 1.0);
    assert_eq!(items[1].leaning, Leaning::Negative);
    assert_eq!(items[2].leaning, Leaning::Neutral);
    // What the set recorded wins over what the text would score today.
    items[2].leaning = Leaning::Negative;
    items[2].sentiment = -0.5;
    let stats = EvidenceStats::compute(&set("q", items.clone()), UtcOffset::UTC);
    assert_eq!(stats.sentiment.positive, vec![0]);
    assert_eq!(stats.sentiment.negative, vec![1, 2]);
    assert!(stats.sentiment.neutral.is_empty());
    let mean = items.iter().map(|i| i.sentiment).sum::<f32>() / 3.0;
    assert!((stats.sentiment.mean - mean).abs() < 1e-6);
}

#[test]
fn kinds_and_engagement_are_summed() {
    let mut items = vec![
        post(1, "wb", "a", None),
        EvidenceItem::scored(ItemRef::Comment(2), "wb", None, "b".into()),
        EvidenceItem::scored(
            ItemRef::News("n1".into()),
            "Xinhua",
            Some("t".into()),
            "c".into(),
        ),
        EvidenceItem::scored(ItemRef::Web("https://x".into()), "", None, "d".into()),
    ];
    items[0].likes = 5;
    items[0].shares = 2;
    items[1].comments = 3;
    items[1].saves = 1;
    let stats = EvidenceStats::compute(&set("q", items), UtcOffset::UTC);
    assert_eq!(
        stats.kinds,
        KindCounts {
            posts: 1,
            comments: 1,
            news: 1,
            web: 1
        }
    );
    assert_eq!(
        stats.engagement,
        Engagement {
            likes: 5,
            comments: 3,
            shares: 2,
            saves: 1,
            total: 11
        }
    );
    assert!(stats.platforms.iter().any(|p| p.key == "xinhua"));
    assert!(stats
        .platforms
        .iter()
        .any(|p| p.key == crate::platform::UNKNOWN));
}

#[test]
fn top_ranks_engaged_items_ties_by_rank_at_most_ten() {
    let mut items: Vec<EvidenceItem> = (0..14).map(|i| post(i, "wb", "x", None)).collect();
    for (i, item) in items.iter_mut().enumerate() {
        item.likes = match i {
            0 | 1 => 0,
            5 | 3 => 50,
            _ => i as i64,
        };
    }
    let stats = EvidenceStats::compute(&set("q", items), UtcOffset::UTC);
    assert_eq!(stats.top, vec![3, 5, 13, 12, 11, 10, 9, 8, 7, 6]);
    assert!(!stats.top.contains(&0) && !stats.top.contains(&1));
}

#[test]
fn keywords_count_items_and_leave_out_the_query_and_platforms() {
    let items = vec![
        post(
            1,
            "wb",
            "滨海马拉松的志愿者很热情，微博上都在夸志愿者",
            None,
        ),
        post(2, "wb", "马拉松志愿者辛苦了", None),
        post(3, "wb", "马拉松交通管制太久了", None),
        post(4, "wb", "交通管制影响出行，马拉松", None),
        post(5, "wb", "马拉松奖牌很漂亮", None),
        post(6, "wb", "奖牌设计不错，志愿者也好", None),
    ];
    let stats = EvidenceStats::compute(&set("滨海马拉松", items), UtcOffset::UTC);
    let words: Vec<(&str, usize)> = stats
        .keywords
        .iter()
        .map(|k| (k.key.as_str(), k.count()))
        .collect();
    assert_eq!(words.first(), Some(&("志愿者", 3)), "{words:?}");
    let volunteers = &stats.keywords[0];
    assert_eq!(volunteers.items, vec![0, 1, 5]);
    for (word, count) in &words {
        assert!(!"滨海马拉松".contains(word), "{word}");
        assert_ne!(*word, "微博");
        assert!(*count >= 2, "{word} recurs in fewer than two items");
    }
    assert!(
        words.iter().any(|(w, c)| *w == "奖牌" && *c == 2),
        "{words:?}"
    );
    assert!(words.len() <= stats::KEYWORDS);
}

#[test]
fn an_empty_set_has_zero_figures() {
    let stats = EvidenceStats::compute(&set("q", Vec::new()), east8());
    assert_eq!(stats.total, 0);
    assert!(stats.per_day.is_empty() && stats.undated.is_empty());
    assert!(stats.platforms.is_empty() && stats.top.is_empty() && stats.keywords.is_empty());
    assert_eq!(stats.sentiment.mean, 0.0);
}

#[test]
fn from_post_keeps_what_the_post_says() {
    let post = storage::model::Post {
        platform: "wb".into(),
        kind: storage::model::PostKind::Comment,
        platform_id: "9".into(),
        content_id: None,
        parent_id: None,
        author_id: None,
        author_name: Some("跑友".into()),
        title: None,
        body: "太失望了".into(),
        url: Some("https://weibo.com/1/9".into()),
        liked_count: 1,
        comment_count: 2,
        share_count: 3,
        collected_count: 4,
        published_at: Some(LATE_EVENING_UTC),
        crawled_at: 0,
        source_keyword: None,
        topic_id: None,
        raw: None,
    };
    let found = FoundBy {
        engine: "insight".into(),
        provider: "local".into(),
        query: "马拉松".into(),
    };
    let item = EvidenceItem::from_post(7, &post, found.clone());
    assert_eq!(item.item, ItemRef::Comment(7));
    assert_eq!(item.platform, "weibo");
    assert_eq!(item.engagement(), 10);
    assert_eq!(item.leaning, Leaning::Negative);
    assert_eq!(item.found_by, vec![found]);
}

proptest! {
    #[test]
    fn per_day_and_undated_add_up_to_the_total(
        times in prop::collection::vec(prop::option::of(-4_000_000_000_000i64..4_000_000_000_000), 0..60),
        offset_minutes in -720i32..=840,
    ) {
        let offset = UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap();
        let items: Vec<EvidenceItem> = times
            .iter()
            .enumerate()
            .map(|(i, t)| post(i as i64, if i % 2 == 0 { "wb" } else { "weibo" }, "x", *t))
            .collect();
        let stats = EvidenceStats::compute(&set("q", items), offset);
        let dated: usize = stats.per_day.iter().map(Counted::count).sum();
        prop_assert_eq!(dated + stats.undated.len(), stats.total);
        prop_assert!(stats.per_day.windows(2).all(|w| w[0].key < w[1].key));
        let mut seen: Vec<usize> = stats
            .per_day
            .iter()
            .flat_map(|d| d.items.iter().copied())
            .chain(stats.undated.iter().copied())
            .collect();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..stats.total).collect::<Vec<_>>());
        prop_assert!(stats.platforms.len() <= 1);
    }
}
