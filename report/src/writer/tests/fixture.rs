//! A built evidence set: 40 items about a city marathon over five days (China time), on
//! Weibo (given as both `wb` and `weibo`), Xiaohongshu, Douyin and Zhihu, with hot-list news
//! and a web page, some undated, with hashtags, a repost, and every leaning.

use storage::model::ItemRef;
use text_analysis::evidence::{Definition, EvidenceItem, EvidenceSet, EvidenceStats, FoundBy};

use crate::document::Language;
use crate::writer::{EngineSummary, ForumLine, WriterInput};

/// 2026-11-10T00:00:00+08:00.
const NOV_10_CHINA_MS: i64 = 1_794_240_000_000;
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// (platform as a crawler named it, day 0–4 or none, engagement, text).
const POSTS: &[(&str, Option<i64>, i64, &str)] = &[
    (
        "wb",
        Some(0),
        12,
        "#滨海马拉松#报名成功了！志愿者培训也很专业，期待周日的比赛。",
    ),
    (
        "weibo",
        Some(0),
        3,
        "周日住滨海大道附近的朋友记得提前安排出行，早上5点就开始交通管制了。[doge]",
    ),
    (
        "xhs",
        Some(0),
        40,
        "第一次跑全马，装备清单分享给大家：跑鞋、能量胶、盐丸。#滨海马拉松[话题]#",
    ),
    (
        "wb",
        Some(1),
        5,
        "交通管制的通知太晚了，公交改线也没说清楚，很失望。",
    ),
    (
        "dy",
        Some(1),
        88,
        "#滨海马拉松# 赛道路线公布了，沿海风景真的很漂亮！",
    ),
    (
        "weibo",
        Some(1),
        0,
        "明天去领物，听说今年的奖牌设计很漂亮。",
    ),
    (
        "zhihu",
        Some(1),
        9,
        "马拉松封路对城市交通的影响到底有多大？交通管制的范围应该更早公布。",
    ),
    (
        "wb",
        Some(2),
        560,
        "#滨海马拉松#完赛！志愿者非常热情，补给站也很充足，点赞！",
    ),
    (
        "wb",
        Some(2),
        230,
        "终点出站排了四十分钟，组织太混乱了，很失望。#滨海马拉松#",
    ),
    (
        "xhs",
        Some(2),
        120,
        "奖牌真的太好看了，沿途观众加油也很热情，感动。",
    ),
    (
        "dy",
        Some(2),
        310,
        "补给站的香蕉早就发完了，后面的跑者什么都没有，太差了。",
    ),
    (
        "weibo",
        Some(2),
        45,
        "交通管制导致上班迟到，公交停运也没有提前通知，愤怒。",
    ),
    (
        "wb",
        Some(2),
        18,
        "志愿者小哥帮我找到了丢失的手机，谢谢你们！",
    ),
    (
        "zhihu",
        Some(2),
        64,
        "从组织角度看，今年的补给站数量比去年多，但终点疏散明显不足。",
    ),
    (
        "wb",
        Some(2),
        7,
        "#滨海马拉松#完赛！志愿者非常热情，补给站也很充足，点赞！",
    ),
    (
        "xhs",
        Some(2),
        95,
        "沿海赛道风景太美了，跑完全程也不觉得累，推荐大家明年来跑。",
    ),
    (
        "dy",
        Some(2),
        150,
        "医疗志愿者及时救助了一位抽筋的跑者，专业又负责，点赞。",
    ),
    (
        "wb",
        Some(3),
        76,
        "赛后交通管制解除得太慢，晚上还在堵车，很失望。",
    ),
    (
        "weibo",
        Some(3),
        33,
        "官方发布了完赛数据，奖牌和证书可以在线查询了。",
    ),
    (
        "xhs",
        Some(3),
        58,
        "补给站的志愿者一直在喊加油，真的很感动，谢谢！",
    ),
    (
        "zhihu",
        Some(3),
        27,
        "终点疏散问题不透明，组委会应该公开说明原因，我不满意。",
    ),
    ("dy", Some(3), 12, "今天的恢复跑，腿还是很酸。"),
    (
        "wb",
        Some(4),
        15,
        "组委会回应了终点拥堵的问题，表示明年会增加出口。",
    ),
    (
        "weibo",
        Some(4),
        8,
        "希望明年的交通管制通知能提前一周发布，方便市民安排。",
    ),
    (
        "xhs",
        Some(4),
        22,
        "整理了赛道沿途的拍照点，奖牌照片也放上来了。",
    ),
    ("wb", Some(4), 0, "看到大家的完赛照片，明年也想报名试试。"),
    (
        "dy",
        Some(4),
        4,
        "退费规则不透明，客服电话一直打不通，很生气。",
    ),
    (
        "zhihu",
        Some(4),
        11,
        "城市马拉松的经济效益和交通成本该怎么平衡？",
    ),
    ("wb", None, 2, "有人知道马拉松的成绩证书什么时候能下载吗？"),
    ("xhs", None, 0, "滨海的日出配上马拉松，真的很美。"),
    (
        "weibo",
        Some(2),
        19,
        "补给站的志愿者都是大学生，辛苦了，点赞！",
    ),
    ("dy", Some(3), 6, "终点拥堵让人很失望，希望组委会改进。"),
    (
        "wb",
        Some(1),
        1,
        "马拉松前一天的交通管制演练，路口站满了交警。",
    ),
    ("xhs", Some(3), 37, "完赛后吃了一碗海鲜面，犒劳自己。"),
    (
        "zhihu",
        Some(0),
        14,
        "马拉松赛事对城市形象的提升作用有多大？",
    ),
    ("weibo", Some(4), 3, "组委会的回应还算及时，态度不错。"),
];

fn found(engine: &str, provider: &str) -> FoundBy {
    FoundBy {
        engine: engine.to_owned(),
        provider: provider.to_owned(),
        query: "滨海马拉松".to_owned(),
    }
}

fn at(day: Option<i64>, i: usize) -> Option<i64> {
    day.map(|d| NOV_10_CHINA_MS + d * DAY_MS + 8 * HOUR_MS + (i as i64 % 10) * HOUR_MS)
}

/// The 40 items: 36 posts, 3 news items and a web page.
pub(super) fn marathon() -> EvidenceSet {
    let mut items: Vec<EvidenceItem> = POSTS
        .iter()
        .enumerate()
        .map(|(i, &(platform, day, engagement, text))| {
            let mut item =
                EvidenceItem::scored(ItemRef::Post(i as i64 + 1), platform, None, text.to_owned());
            item.published_ms = at(day, i);
            item.likes = engagement * 2 / 3;
            item.comments = engagement - item.likes;
            item.url = Some(format!("https://example.com/post/{}", i + 1));
            item.found_by.push(found("insight", "local"));
            item
        })
        .collect();
    let news = [
        (
            "n1",
            "滨海日报",
            Some(1),
            "滨海马拉松周日开跑，三万名跑者参赛",
            "赛事当天沿海大道实行交通管制。",
        ),
        (
            "n2",
            "今日头条",
            Some(2),
            "滨海马拉松终点拥堵引发讨论",
            "有跑者反映终点出站排队时间过长。",
        ),
        (
            "n3",
            "澎湃新闻",
            Some(3),
            "组委会回应滨海马拉松终点拥堵",
            "组委会表示将优化明年的终点疏散方案。",
        ),
    ];
    for (i, (id, source, day, title, text)) in news.into_iter().enumerate() {
        let mut item = EvidenceItem::scored(
            ItemRef::News(id.to_owned()),
            source,
            Some(title.to_owned()),
            text.to_owned(),
        );
        item.published_ms = at(day, i);
        item.found_by.push(found("query", "local"));
        items.push(item);
    }
    let mut page = EvidenceItem::scored(
        ItemRef::Web("https://example.org/marathon-guide".to_owned()),
        "example.org",
        Some("滨海马拉松观赛与出行指南".to_owned()),
        "比赛当天多条公交线路调整，建议乘坐地铁前往观赛点。".to_owned(),
    );
    page.found_by.push(found("query", "tavily"));
    items.push(page);
    EvidenceSet {
        definition: Definition {
            query: "滨海马拉松".to_owned(),
            terms: Vec::new(),
            max_items: 200,
        },
        items,
    }
}

pub(super) fn stats(set: &EvidenceSet) -> EvidenceStats {
    let offset = text_analysis::time_zone::parse_offset("+08:00").unwrap_or(time::UtcOffset::UTC);
    EvidenceStats::compute(set, offset)
}

pub(super) fn engines() -> Vec<EngineSummary> {
    vec![
        EngineSummary {
            engine: "query".to_owned(),
            title: "滨海马拉松舆情".to_owned(),
            paragraphs: vec![
                (
                    "事件概述".to_owned(),
                    "围绕「滨海马拉松」共找到 36 条相关内容，来自 wb、xhs。赛事整体组织受到肯定。终点疏散是主要争议。".to_owned(),
                ),
                (
                    "交通管制".to_owned(),
                    "交通管制的通知时间引发不满。完赛（17 条）。".to_owned(),
                ),
            ],
        },
        EngineSummary {
            engine: "insight".to_owned(),
            title: "情感洞察".to_owned(),
            paragraphs: vec![(
                "情感倾向".to_owned(),
                "48 条内容中，正面 20（42%）。志愿者服务是正面评价的来源。".to_owned(),
            )],
        },
    ]
}

pub(super) fn forum() -> Vec<ForumLine> {
    let line = |speaker: &str, content: &str| ForumLine {
        speaker: speaker.to_owned(),
        content: content.to_owned(),
    };
    vec![
        line("QUERY", "新闻报道集中在终点拥堵和交通管制。"),
        line("INSIGHT", "负面情绪主要来自交通管制和终点疏散，正面评价集中在志愿者。"),
        line("HOST", "【主持人小结】本轮 2 条发言（QUERY、INSIGHT）。讨论焦点：交通管制、终点疏散。请各方围绕焦点补充证据。"),
        line("MEDIA", "dy 上的高互动视频多是赛道风景。"),
        line("SYSTEM", "forum started"),
    ]
}

/// An input over `set`, in `language`.
pub(super) fn input<'a>(
    set: &'a EvidenceSet,
    stats: &'a EvidenceStats,
    engines: &'a [EngineSummary],
    forum: &'a [ForumLine],
    language: Language,
) -> WriterInput<'a> {
    WriterInput {
        query: &set.definition.query,
        language,
        evidence: set,
        stats,
        engines,
        forum,
        generated_at: NOV_10_CHINA_MS + 6 * DAY_MS,
    }
}
