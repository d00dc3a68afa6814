//! Engine reports written from an evidence set of known figures: each states the set's total,
//! its timeline adds up, platforms have one name, no quote comes twice, none is cut inside a
//! hashtag — in both languages, for all three engines, with the built-in analysis.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use search::{Provider, Search, SearchError, SearchHit};
use storage::model::ItemRef;
use text_analysis::evidence::{Definition, EvidenceItem, EvidenceSet, EvidenceStats};
use time::UtcOffset;

use super::*;
use crate::engines::builtin::Angle;
use crate::engines::gather::Searcher;
use crate::engines::report::Report;
use crate::engines::research::{research, Brief, Reporter, Tools};
use crate::engines::EngineKind;

/// 2026-11-11T16:30:00Z: the 11th in UTC, the 12th at +08:00.
const LATE_EVENING_UTC: i64 = 1_794_414_600_000;
const HOUR_MS: i64 = 3_600_000;

fn east8() -> UtcOffset {
    text_analysis::time_zone::parse_offset("+08:00").unwrap()
}

/// Long enough that a cut at a fixed length would land inside its hashtag.
const LONG_RUN: &str = "沿着海边一路跑过去补给站设在每五公里处从起点到终点每一段路边都站着穿橙色马甲的工作人员路线经过大桥和老城区全程四十二公里多一点参赛的人从早上七点开始陆续出发一直到中午还有人在路上终点旁边的广场搭了很大的舞台午后有乐队演出还有本地小吃的摊位一字排开";

fn text(i: usize) -> String {
    let lead = match i % 3 {
        0 => "志愿者非常热情，组织得很好，点赞！",
        1 => "交通管制太久了，很失望，太差了！",
        _ => "",
    };
    format!("{lead}第{i}位跑者说{LONG_RUN}#滨海马拉松第{i}号赛道#，周日见。")
}

/// 24 items: Weibo under two spellings, Xiaohongshu and Douyin; three days at +08:00 (one of
/// which is another day in UTC) and three undated; engagement on most.
fn evidence() -> Evidence {
    let platforms = ["wb", "weibo", "xhs", "dy"];
    let times = [
        Some(LATE_EVENING_UTC - 10 * HOUR_MS),
        Some(LATE_EVENING_UTC),
        Some(LATE_EVENING_UTC + 30 * HOUR_MS),
        Some(LATE_EVENING_UTC + HOUR_MS),
    ];
    let items: Vec<EvidenceItem> = (0..24)
        .map(|i| {
            let mut item = EvidenceItem::scored(
                ItemRef::Post(i as i64 + 1),
                platforms[i % platforms.len()],
                None,
                text(i),
            );
            item.published_ms = if i % 8 == 7 {
                None
            } else {
                times[i % times.len()]
            };
            item.likes = (i as i64 * 7) % 50;
            item.comments = i as i64 % 4;
            item.url = Some(format!("https://example.org/{i}"));
            item
        })
        .collect();
    let set = EvidenceSet {
        definition: Definition {
            query: "滨海马拉松".into(),
            terms: Vec::new(),
            max_items: 200,
        },
        items,
    };
    let stats = EvidenceStats::compute(&set, east8());
    Evidence { set, stats }
}

/// The same six hits for every search: five items of the set and a page outside it.
struct Canned(Vec<SearchHit>);

impl Search for Canned {
    fn name(&self) -> &'static str {
        "canned"
    }

    fn search<'a>(
        &'a self,
        _query: &'a str,
        _limit: usize,
    ) -> BoxFuture<'a, Result<Vec<SearchHit>, SearchError>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

fn hits(evidence: &Evidence) -> Vec<SearchHit> {
    let mut hits: Vec<SearchHit> = [2, 5, 1, 9, 14]
        .iter()
        .map(|&i| {
            let item = &evidence.set.items[i];
            SearchHit {
                title: String::new(),
                url: item.url.clone(),
                content: item.text.clone(),
                provider: "local".into(),
                platform: Some("wb".into()),
                published: None,
                engagement: Some(item.engagement()),
                item: Some(item.item.clone()),
            }
        })
        .collect();
    hits.push(SearchHit {
        title: "外部网页".into(),
        url: Some("https://elsewhere.example/1".into()),
        content: "滨海马拉松的一篇外部报道，不在证据集里。".into(),
        provider: "canned".into(),
        platform: None,
        published: None,
        engagement: None,
        item: None,
    });
    hits
}

struct Silent;

impl Reporter for Silent {
    fn progress(&self, _stage: &str, _paragraph: usize, _of: usize, _detail: &str) {}
    fn paragraph(&self, _title: &str, _summary: &str) {}
}

async fn report(kind: EngineKind, query: &str, evidence: &Arc<Evidence>) -> Report {
    let searcher = Searcher::new(vec![Provider::On(Arc::new(Canned(hits(evidence))))]);
    let tools = Tools {
        kind,
        searcher: &searcher,
        llm: None,
    };
    let brief = Brief {
        query: query.to_owned(),
        reflections: 2,
        max_paragraphs: 10,
        evidence: Some(Arc::clone(evidence)),
    };
    research(&tools, &brief, &Silent).await
}

/// Every `YYYY-MM-DD: N` in `text`.
fn stated_days(text: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        let date: String = chars[i..].iter().take(10).collect();
        let is_date = date.len() == 10
            && date.chars().enumerate().all(|(k, c)| {
                if k == 4 || k == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !is_date || chars.get(i + 10) != Some(&':') || chars.get(i + 11) != Some(&' ') {
            continue;
        }
        let digits: String = chars[i + 12..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if let Ok(n) = digits.parse() {
            out.push((date, n));
        }
    }
    out
}

fn paragraph<'r>(report: &'r Report, angle_title: &str) -> &'r str {
    &report
        .paragraphs
        .iter()
        .find(|p| p.title == angle_title)
        .unwrap_or_else(|| panic!("no paragraph {angle_title} in {}", report.markdown()))
        .summary
}

/// What every report written from the set must hold.
fn check_report(report: &Report, evidence: &Evidence, zh: bool) {
    let markdown = report.markdown();
    // One spelling per platform, the display name.
    assert!(!markdown.contains("wb"), "{markdown}");
    assert!(!markdown.contains("weibo"), "{markdown}");
    assert!(
        markdown.contains(if zh { "微博" } else { "Weibo" }),
        "{markdown}"
    );

    let mut texts = HashSet::new();
    let mut items = HashSet::new();
    for p in &report.paragraphs {
        for source in &p.sources {
            assert!(
                texts.insert(source.text.clone()),
                "quoted twice: {}\n{markdown}",
                source.text
            );
            let i = source.evidence.expect("every quote is of an evidence item");
            assert!(items.insert(i), "item {i} quoted twice\n{markdown}");
            // Whole: a prefix of the item's text, hashtags closed.
            let item = &one_line(&evidence.set.items[i].text);
            let kept = source
                .text
                .trim_end_matches(text_analysis::excerpt::ELLIPSIS);
            assert!(item.starts_with(kept), "{} is not from {item}", source.text);
            assert_eq!(
                source.text.matches('#').count() % 2,
                0,
                "cut in a hashtag: {}",
                source.text
            );
            // Quoted in one paragraph's text only.
            let quoting = report
                .paragraphs
                .iter()
                .filter(|q| q.summary.contains(&source.text))
                .count();
            assert_eq!(quoting, 1, "{}\n{markdown}", source.text);
        }
    }
}

#[tokio::test]
async fn every_engine_states_the_sets_figures_in_both_languages() {
    let evidence = Arc::new(evidence());
    let stats = &evidence.stats;
    assert_eq!(stats.total, 24);
    assert_eq!(stats.undated.len(), 3);
    assert_eq!(stats.per_day.len(), 3, "{:?}", stats.per_day);
    // A cut at a fixed length would land inside some item's hashtag.
    assert!(evidence.set.items.iter().any(|item| {
        let naive: String = item.text.chars().take(QUOTE_CHARS).collect();
        naive.matches('#').count() % 2 == 1
    }));
    for (query, zh) in [("滨海马拉松", true), ("Binhai marathon", false)] {
        let n = stats.total;
        let query_report = report(EngineKind::Query, query, &evidence).await;
        check_report(&query_report, &evidence, zh);
        let overview = paragraph(&query_report, if zh { "事件概述" } else { "What happened" });
        let total = if zh {
            format!("共 {n} 条内容")
        } else {
            format!("holds {n} items")
        };
        assert!(overview.contains(&total), "{overview}");

        let media = report(EngineKind::Media, query, &evidence).await;
        check_report(&media, &evidence, zh);
        let platforms = paragraph(
            &media,
            if zh {
                "传播平台"
            } else {
                "Where it spreads"
            },
        );
        let weibo = &stats.platforms[0];
        assert_eq!(weibo.key, "weibo");
        let stated = if zh {
            format!("微博 {} 条（{}）", weibo.count(), percent(weibo.count(), n))
        } else {
            format!("Weibo {} ({})", weibo.count(), percent(weibo.count(), n))
        };
        assert!(platforms.contains(&stated), "{platforms}");
        let top = paragraph(
            &media,
            if zh {
                "高互动内容"
            } else {
                "Most engaged posts"
            },
        );
        assert!(top.contains(&stats.engagement.total.to_string()), "{top}");

        let insight = report(EngineKind::Insight, query, &evidence).await;
        check_report(&insight, &evidence, zh);
        let sentiment = paragraph(&insight, if zh { "情感倾向" } else { "Sentiment" });
        let negative = stats.sentiment.negative.len();
        let stated = if zh {
            format!("负面 {negative} 条")
        } else {
            format!("{negative} negative")
        };
        assert!(sentiment.contains(&stated), "{sentiment}");
        assert_eq!(
            insight.markdown().matches(sentiment_scale(zh)).count(),
            1,
            "the scale is explained once"
        );

        // Both timelines state the set's days, which add up to the total with the undated.
        for report in [&query_report, &insight] {
            let timeline = &report
                .paragraphs
                .iter()
                .find(|p| !stated_days(&p.summary).is_empty())
                .expect("a timeline")
                .summary;
            let days = stated_days(timeline);
            let expected: Vec<(String, usize)> = stats
                .per_day
                .iter()
                .map(|d| (d.key.clone(), d.count()))
                .collect();
            assert_eq!(days, expected, "{timeline}");
            let dated: usize = days.iter().map(|(_, n)| n).sum();
            assert_eq!(dated + stats.undated.len(), n);
            let rest = if zh {
                format!("另有 {} 条没有发布时间", stats.undated.len())
            } else {
                format!("{} items carry no date", stats.undated.len())
            };
            assert!(timeline.contains(&rest), "{timeline}");
            assert!(timeline.contains("+08:00"), "{timeline}");
        }
        // The same total everywhere it is stated.
        for report in [&query_report, &media, &insight] {
            let markdown = report.markdown();
            let everywhere = if zh {
                format!("{n} 条")
            } else {
                format!("{n} items")
            };
            assert!(markdown.contains(&everywhere), "{markdown}");
        }
    }
}

#[test]
fn one_dated_item_and_one_undated_read_in_the_singular() {
    let mut evidence = evidence();
    evidence.set.items.truncate(2);
    evidence.set.items[1].published_ms = None;
    evidence.stats = EvidenceStats::compute(&evidence.set, east8());
    let view = EvidenceView::new(&evidence);
    let book = quotes::QuoteBook::default();
    let (text, _) = paragraphs::summarise(Angle::Timeline, "marathon", &view, &[], false, &book);
    assert!(
        text.starts_with("The one dated item is from 2026-11-11 (UTC+08:00)."),
        "{text}"
    );
    assert!(
        text.contains(" 1 item carries no date. 2 items in all."),
        "{text}"
    );
}

#[test]
fn a_finished_paragraphs_quotes_are_not_quoted_again() {
    let evidence = evidence();
    let view = EvidenceView::new(&evidence);
    let mut book = quotes::QuoteBook::default();
    let (_, first) = paragraphs::summarise(Angle::Voices, "q", &view, &[], true, &book);
    assert_eq!(first.len(), 3);
    // A draft is not recorded: writing again picks the same quotes.
    let (_, again) = paragraphs::summarise(Angle::Voices, "q", &view, &[], true, &book);
    assert_eq!(first, again);
    book.record(&first);
    let (_, next) = paragraphs::summarise(Angle::Voices, "q", &view, &[], true, &book);
    let before: HashSet<&str> = first.iter().map(|s| s.text.as_str()).collect();
    assert!(next.iter().all(|s| !before.contains(s.text.as_str())));
}

#[test]
fn critical_voices_are_the_sets_negative_items_first_those_the_search_found() {
    let evidence = evidence();
    let view = EvidenceView::new(&evidence);
    let book = quotes::QuoteBook::default();
    let found = hits(&evidence);
    let (text, sources) = paragraphs::summarise(Angle::Critical, "q", &view, &found, true, &book);
    let negative = &evidence.stats.sentiment.negative;
    assert!(!sources.is_empty(), "{text}");
    for s in &sources {
        assert!(negative.contains(&s.evidence.unwrap()), "{text}");
    }
    // Item 1 leans negative and is among the hits: it comes first.
    assert_eq!(sources[0].evidence, Some(1), "{text}");
    assert!(
        text.contains(&format!("负面内容 {} 条", negative.len())),
        "{text}"
    );
}

#[test]
fn figures_for_an_llm_name_platforms_once_and_add_up() {
    let evidence = evidence();
    let view = EvidenceView::new(&evidence);
    let figures = Figures::of(&view, true);
    let json = serde_json::to_string(&figures).unwrap();
    assert!(!json.contains("\"wb\"") && json.contains("微博"), "{json}");
    let dated: usize = figures.per_day.iter().map(|d| d.items).sum();
    assert_eq!(dated + figures.undated, figures.total);
    let by_platform: HashMap<&str, usize> = figures
        .platforms
        .iter()
        .map(|p| (p.platform.as_str(), p.items))
        .collect();
    assert_eq!(by_platform.values().sum::<usize>(), figures.total);
    assert_eq!(figures.sentiment.scale, sentiment_scale(true));
    assert!(figures
        .top_posts
        .iter()
        .all(|p| p.text.matches('#').count() % 2 == 0));
}
