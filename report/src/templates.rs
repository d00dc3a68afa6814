//! Report templates: the original's six kinds, written anew in Chinese and English as files in
//! `report/templates/` (`<kind>.<lang>.md`, embedded in the binary), chosen by rules from the
//! query, and custom templates given with a request, validated.
//!
//! A template is Markdown: `# title`, then one `## chapter` heading per chapter, each followed
//! by a line saying what it covers. A chapter heading may end with `{angle}` naming what the
//! built-in writer draws it from; without one the angle is inferred from its words.
//!
//! One parser ([`parse_custom`], and `parse` inside) reads both the built-in files and the
//! templates users send, so the built-ins are held to the rules users are.

mod keywords;
mod parse;

use serde::{Deserialize, Serialize};

use crate::document::Language;

pub use parse::{MAX_CHAPTERS, MAX_TEMPLATE_BYTES, MAX_TITLE_CHARS};

/// The report kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    BrandReputation,
    CompetitiveLandscape,
    DailyMonitoring,
    PolicyImpact,
    HotTopicEvent,
    CrisisPr,
    /// Given with the request.
    Custom,
}

/// What a chapter is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Angle {
    /// Key figures and the gist.
    Summary,
    /// What happened, who is involved.
    Overview,
    /// When it began, peaked, faded.
    Timeline,
    /// Where it is discussed.
    Platforms,
    /// How people feel.
    Sentiment,
    /// Representative posts.
    Voices,
    /// Complaints and demands.
    Complaints,
    /// Understanding and support.
    Support,
    /// The recurring words and questions.
    Focus,
    /// The most engaged posts.
    TopPosts,
    /// What the three engines reported.
    Engines,
    /// What the forum's agents and host concluded.
    Forum,
    /// What to watch and do next.
    Outlook,
    /// How the report was made.
    Method,
    /// Anything else: drawn from the engines' paragraphs that match its words.
    General,
}

impl Angle {
    /// Every angle, in the order a report would usually take them.
    pub const ALL: [Angle; 15] = [
        Self::Summary,
        Self::Overview,
        Self::Timeline,
        Self::Platforms,
        Self::Sentiment,
        Self::Voices,
        Self::Complaints,
        Self::Support,
        Self::Focus,
        Self::TopPosts,
        Self::Engines,
        Self::Forum,
        Self::Outlook,
        Self::Method,
        Self::General,
    ];

    /// `summary`, `top_posts`…: as written in a template's `{angle}` and in JSON.
    pub const fn id(self) -> &'static str {
        match self {
            Self::Summary => "summary",
            Self::Overview => "overview",
            Self::Timeline => "timeline",
            Self::Platforms => "platforms",
            Self::Sentiment => "sentiment",
            Self::Voices => "voices",
            Self::Complaints => "complaints",
            Self::Support => "support",
            Self::Focus => "focus",
            Self::TopPosts => "top_posts",
            Self::Engines => "engines",
            Self::Forum => "forum",
            Self::Outlook => "outlook",
            Self::Method => "method",
            Self::General => "general",
        }
    }

    /// The angle of this id.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }
}

/// One chapter to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapterPlan {
    pub id: String,
    pub title: String,
    pub intent: String,
    pub angle: Angle,
}

/// A template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub kind: TemplateKind,
    pub language: Language,
    pub title: String,
    pub description: String,
    pub chapters: Vec<ChapterPlan>,
}

/// Why a custom template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the template is empty")]
    Empty,
    #[error("the template is longer than {max} bytes")]
    TooLong { max: usize },
    #[error("the template has no `## chapter` heading")]
    NoChapters,
    #[error("the template has more than {max} chapters")]
    TooManyChapters { max: usize },
    #[error("line {line}: {reason}")]
    Line { line: usize, reason: String },
}

impl TemplateKind {
    /// The six built-in kinds.
    pub const BUILTIN: [TemplateKind; 6] = [
        Self::BrandReputation,
        Self::CompetitiveLandscape,
        Self::DailyMonitoring,
        Self::PolicyImpact,
        Self::HotTopicEvent,
        Self::CrisisPr,
    ];

    /// `brand_reputation`…: the file name's stem and the API's value.
    pub const fn id(self) -> &'static str {
        match self {
            Self::BrandReputation => "brand_reputation",
            Self::CompetitiveLandscape => "competitive_landscape",
            Self::DailyMonitoring => "daily_monitoring",
            Self::PolicyImpact => "policy_impact",
            Self::HotTopicEvent => "hot_topic_event",
            Self::CrisisPr => "crisis_pr",
            Self::Custom => "custom",
        }
    }

    /// The built-in kind of this id.
    pub fn parse(id: &str) -> Option<Self> {
        Self::BUILTIN.into_iter().find(|k| k.id() == id)
    }
}

/// The built-in templates, every kind in both languages.
#[derive(Debug, Clone)]
pub struct Templates {
    all: Vec<Template>,
}

impl Templates {
    /// The templates embedded in the binary (`report/templates/`), read by the same parser
    /// as custom templates. A file that failed to parse would be missing from [`Self::get`];
    /// the tests prove every kind parses in both languages, so that never ships.
    pub fn builtin() -> Self {
        let all = BUILTIN_FILES
            .iter()
            .filter_map(|&(kind, language, text)| parse::template(text, kind, language).ok())
            .collect();
        Self { all }
    }

    /// Every template.
    pub fn all(&self) -> &[Template] {
        &self.all
    }

    /// The template of `kind` in `language`.
    pub fn get(&self, kind: TemplateKind, language: Language) -> Option<&Template> {
        self.all
            .iter()
            .find(|t| t.kind == kind && t.language == language)
    }

    /// The kind whose rules the query fits best (hot-topic event when none fits).
    ///
    /// The rules are keyword lists in Chinese and English (`keywords::KIND_RULES`), tried
    /// in this order, the first that matches winning:
    ///
    /// 1. crisis PR — 危机, 道歉, 召回, 事故, 泄露…; crisis, recall, apology, scandal…
    ///    (first: a brand's recall is a crisis before it is a brand story);
    /// 2. policy impact — 政策, 新规, 条例, 监管…; policy, regulation, law, reform…;
    /// 3. competitive landscape — 对比, 竞品, 竞争, vs…; versus, competitor, comparison…;
    /// 4. brand reputation — 品牌, 口碑, 声誉…; brand, reputation, perception…;
    /// 5. daily monitoring — 今日, 每日, 监测, 日报…; daily, today, monitoring…;
    /// 6. otherwise a hot-topic event.
    ///
    /// Chinese keywords match anywhere (Chinese has no spaces); English ones match whole
    /// words, case-insensitively, so `act` is not found in `impact`.
    pub fn choose(&self, query: &str) -> TemplateKind {
        keywords::kind_for(query)
    }
}

/// The embedded template files: every built-in kind in both languages.
const BUILTIN_FILES: [(TemplateKind, Language, &str); 12] = [
    (
        TemplateKind::BrandReputation,
        Language::Zh,
        include_str!("../templates/brand_reputation.zh.md"),
    ),
    (
        TemplateKind::BrandReputation,
        Language::En,
        include_str!("../templates/brand_reputation.en.md"),
    ),
    (
        TemplateKind::CompetitiveLandscape,
        Language::Zh,
        include_str!("../templates/competitive_landscape.zh.md"),
    ),
    (
        TemplateKind::CompetitiveLandscape,
        Language::En,
        include_str!("../templates/competitive_landscape.en.md"),
    ),
    (
        TemplateKind::DailyMonitoring,
        Language::Zh,
        include_str!("../templates/daily_monitoring.zh.md"),
    ),
    (
        TemplateKind::DailyMonitoring,
        Language::En,
        include_str!("../templates/daily_monitoring.en.md"),
    ),
    (
        TemplateKind::PolicyImpact,
        Language::Zh,
        include_str!("../templates/policy_impact.zh.md"),
    ),
    (
        TemplateKind::PolicyImpact,
        Language::En,
        include_str!("../templates/policy_impact.en.md"),
    ),
    (
        TemplateKind::HotTopicEvent,
        Language::Zh,
        include_str!("../templates/hot_topic_event.zh.md"),
    ),
    (
        TemplateKind::HotTopicEvent,
        Language::En,
        include_str!("../templates/hot_topic_event.en.md"),
    ),
    (
        TemplateKind::CrisisPr,
        Language::Zh,
        include_str!("../templates/crisis_pr.zh.md"),
    ),
    (
        TemplateKind::CrisisPr,
        Language::En,
        include_str!("../templates/crisis_pr.en.md"),
    ),
];

/// A custom template's text as a template, or why it cannot be one.
///
/// Bounded: at most [`MAX_TEMPLATE_BYTES`], [`MAX_CHAPTERS`] chapters, titles of at most
/// [`MAX_TITLE_CHARS`] characters, no control characters other than tabs. Errors:
/// [`TemplateError::Empty`], [`TemplateError::TooLong`], [`TemplateError::NoChapters`],
/// [`TemplateError::TooManyChapters`], and [`TemplateError::Line`] naming the line for the
/// rest (a control character, a title too long or empty, a second `# ` title, an unknown
/// `{angle}`).
pub fn parse_custom(text: &str, language: Language) -> Result<Template, TemplateError> {
    parse::template(text, TemplateKind::Custom, language)
}

#[cfg(test)]
mod tests;
