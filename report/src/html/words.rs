//! The words both renderers print around a report's own text (section names, counts, the
//! generation time, item references), in Chinese and English, kept in one place so the HTML
//! and the Markdown say the same thing.

use storage::model::ItemRef;
use time::{format_description::BorrowedFormatItem, macros::format_description};
use time::{OffsetDateTime, UtcOffset};

use crate::document::{ChapterOrigin, Language, Tone};
use crate::templates::TemplateKind;

/// The fixed words of one language.
#[derive(Debug)]
pub(crate) struct Words {
    pub contents: &'static str,
    pub sources: &'static str,
    pub notes: &'static str,
    pub generated: &'static str,
    pub query: &'static str,
    pub template: &'static str,
    /// The column of a chart's labels in its data table.
    pub item: &'static str,
    /// The column of a single unnamed series.
    pub value: &'static str,
    /// A chart's data table, folded under the chart.
    pub data: &'static str,
    pub kpi_label: &'static str,
    pub kpi_note: &'static str,
    /// Between a label and what follows (`：` or `: `).
    pub colon: &'static str,
    /// Between items of a run (`、` or `, `).
    pub comma: &'static str,
    /// Around an aside (`（…）` or ` (…)`).
    pub open_paren: &'static str,
    pub close_paren: &'static str,
    /// Quote marks around a quoted post.
    pub open_quote: &'static str,
    pub close_quote: &'static str,
    pub back_to_contents: &'static str,
}

const ZH: Words = Words {
    contents: "目录",
    sources: "来源",
    notes: "说明",
    generated: "生成时间",
    query: "查询",
    template: "模板",
    item: "项目",
    value: "数值",
    data: "数据",
    kpi_label: "指标",
    kpi_note: "备注",
    colon: "：",
    comma: "、",
    open_paren: "（",
    close_paren: "）",
    open_quote: "“",
    close_quote: "”",
    back_to_contents: "返回目录",
};

const EN: Words = Words {
    contents: "Contents",
    sources: "Sources",
    notes: "Notes",
    generated: "Generated",
    query: "Query",
    template: "Template",
    item: "Item",
    value: "Value",
    data: "Data",
    kpi_label: "Figure",
    kpi_note: "Note",
    colon: ": ",
    comma: ", ",
    open_paren: " (",
    close_paren: ")",
    open_quote: "“",
    close_quote: "”",
    back_to_contents: "Back to contents",
};

/// The words of `language`.
pub(crate) fn words(language: Language) -> &'static Words {
    match language {
        Language::Zh => &ZH,
        Language::En => &EN,
    }
}

/// `48 条来源` / `48 sources`.
pub(crate) fn source_count(language: Language, n: usize) -> String {
    match (language, n) {
        (Language::Zh, _) => format!("{n} 条来源"),
        (Language::En, 1) => "1 source".to_owned(),
        (Language::En, _) => format!("{n} sources"),
    }
}

/// What a callout says it is when it has no title of its own, so its tone survives print
/// and grayscale.
pub(crate) fn tone(language: Language, tone: Tone) -> &'static str {
    match (language, tone) {
        (Language::Zh, Tone::Info) => "提示",
        (Language::Zh, Tone::Positive) => "积极信号",
        (Language::Zh, Tone::Negative) => "负面信号",
        (Language::Zh, Tone::Warning) => "注意",
        (Language::En, Tone::Info) => "Note",
        (Language::En, Tone::Positive) => "Positive signal",
        (Language::En, Tone::Negative) => "Negative signal",
        (Language::En, Tone::Warning) => "Caution",
    }
}

/// A template id as readers know it (`crisis_pr` → `突发事件与危机公关`).
pub(crate) fn template_name(language: Language, id: &str) -> String {
    let kind = if id == TemplateKind::Custom.id() {
        Some(TemplateKind::Custom)
    } else {
        TemplateKind::parse(id)
    };
    let name = match (language, kind) {
        (_, None) => return id.to_owned(),
        (Language::Zh, Some(kind)) => match kind {
            TemplateKind::BrandReputation => "品牌声誉",
            TemplateKind::CompetitiveLandscape => "竞争格局",
            TemplateKind::DailyMonitoring => "日常监测",
            TemplateKind::PolicyImpact => "政策影响",
            TemplateKind::HotTopicEvent => "社会公共热点事件",
            TemplateKind::CrisisPr => "突发事件与危机公关",
            TemplateKind::Custom => "自定义",
        },
        (Language::En, Some(kind)) => match kind {
            TemplateKind::BrandReputation => "Brand reputation",
            TemplateKind::CompetitiveLandscape => "Competitive landscape",
            TemplateKind::DailyMonitoring => "Daily monitoring",
            TemplateKind::PolicyImpact => "Policy impact",
            TemplateKind::HotTopicEvent => "Public event",
            TemplateKind::CrisisPr => "Crisis response",
            TemplateKind::Custom => "Custom",
        },
    };
    name.to_owned()
}

/// A source without a URL, named by what it is in storage (`帖子 #123`, `post #123`).
pub(crate) fn item_ref(language: Language, item: &ItemRef) -> String {
    match (language, item) {
        (Language::Zh, ItemRef::Post(id)) => format!("帖子 #{id}"),
        (Language::Zh, ItemRef::Comment(id)) => format!("评论 #{id}"),
        (Language::Zh, ItemRef::News(id)) => format!("新闻 {id}"),
        (Language::En, ItemRef::Post(id)) => format!("post #{id}"),
        (Language::En, ItemRef::Comment(id)) => format!("comment #{id}"),
        (Language::En, ItemRef::News(id)) => format!("news {id}"),
        (_, ItemRef::Web(url)) => url.clone(),
    }
}

/// Who wrote a chapter, when it was not the built-in writer; `None` for built-in chapters
/// and placeholders (a placeholder's own text says why it is one).
pub(crate) fn origin(language: Language, origin: &ChapterOrigin) -> Option<String> {
    match origin {
        ChapterOrigin::Builtin | ChapterOrigin::Placeholder { .. } => None,
        ChapterOrigin::Llm { model, repairs } => {
            let mut names: Vec<&str> = repairs
                .iter()
                .map(|r| r.split(':').next().unwrap_or(r).trim())
                .collect();
            names.dedup();
            Some(match (language, names.is_empty()) {
                (Language::Zh, true) => format!("本章由模型 {model} 撰写。"),
                (Language::Zh, false) => format!(
                    "本章由模型 {model} 撰写，其输出经过本地修复（{}）。",
                    names.join("、")
                ),
                (Language::En, true) => format!("Written by the model {model}."),
                (Language::En, false) => format!(
                    "Written by the model {model}; its output was repaired locally ({}).",
                    names.join(", ")
                ),
            })
        }
        ChapterOrigin::Fallback { model, why } => Some(match language {
            Language::Zh => format!("本章由备用模型 {model} 撰写（首选模型未能给出可用章节：{why}）。"),
            Language::En => format!(
                "Written by the fallback model {model} (the first model gave no usable chapter: {why})."
            ),
        }),
    }
}

/// The time a report was generated, in its time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GeneratedAt {
    /// `2026-03-03T09:06:40+08:00`, for a `<time datetime>`.
    pub machine: String,
    /// `2026-03-03 09:06 (UTC+08:00)`.
    pub human: String,
}

const MACHINE: &[BorrowedFormatItem<'_>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
);
const HUMAN: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]");

/// `epoch_ms` in the zone `+08:00` (or `Z`/`UTC`); UTC when the zone cannot be read, and
/// `None` when the instant is out of range.
pub(crate) fn generated_at(epoch_ms: i64, zone: &str) -> Option<GeneratedAt> {
    let offset = parse_offset(zone).unwrap_or(UtcOffset::UTC);
    let instant =
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(epoch_ms) * 1_000_000).ok()?;
    let local = instant.to_offset(offset);
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    Some(GeneratedAt {
        machine: local.format(MACHINE).ok()?,
        human: format!(
            "{} (UTC{sign}{:02}:{:02})",
            local.format(HUMAN).ok()?,
            h.unsigned_abs(),
            m.unsigned_abs()
        ),
    })
}

fn parse_offset(zone: &str) -> Option<UtcOffset> {
    let zone = zone.trim();
    if zone.eq_ignore_ascii_case("z") || zone.eq_ignore_ascii_case("utc") {
        return Some(UtcOffset::UTC);
    }
    let (sign, rest) = match zone.as_bytes().first()? {
        b'+' => (1i8, &zone[1..]),
        b'-' => (-1i8, &zone[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let h: i8 = h.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_time_is_shown_in_the_report_zone() {
        let at = generated_at(1_772_500_000_000, "+08:00").unwrap();
        assert_eq!(at.machine, "2026-03-03T09:06:40+08:00");
        assert_eq!(at.human, "2026-03-03 09:06 (UTC+08:00)");
        let at = generated_at(1_772_500_000_000, "-05:30").unwrap();
        assert_eq!(at.human, "2026-03-02 19:36 (UTC-05:30)");
        let at = generated_at(1_772_500_000_000, "nonsense").unwrap();
        assert_eq!(at.human, "2026-03-03 01:06 (UTC+00:00)");
        assert_eq!(generated_at(i64::MAX, "Z"), None);
    }

    #[test]
    fn origins_name_the_model_and_the_repairs() {
        let origin_text = origin(
            Language::En,
            &ChapterOrigin::Llm {
                model: "m".to_owned(),
                repairs: vec!["fence".to_owned(), "block_dropped: block 2: x".to_owned()],
            },
        );
        assert_eq!(
            origin_text.as_deref(),
            Some("Written by the model m; its output was repaired locally (fence, block_dropped).")
        );
        assert_eq!(origin(Language::Zh, &ChapterOrigin::Builtin), None);
    }
}
