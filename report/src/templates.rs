//! Report templates: the original's six kinds, written anew in Chinese and English as files in
//! `report/templates/` (`<kind>.<lang>.md`, embedded in the binary), chosen by rules from the
//! query, and custom templates given with a request, validated.
//!
//! A template is Markdown: `# title`, then one `## chapter` heading per chapter, each followed
//! by a line saying what it covers. A chapter heading may end with `{angle}` naming what the
//! built-in writer draws it from; without one the angle is inferred from its words.

use serde::{Deserialize, Serialize};

use crate::document::Language;

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
    /// The templates embedded in the binary (`report/templates/`).
    pub fn builtin() -> Self {
        todo!("H-render")
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
    pub fn choose(&self, query: &str) -> TemplateKind {
        let _ = query;
        todo!("H-render")
    }
}

/// A custom template's text as a template, or why it cannot be one.
pub fn parse_custom(text: &str, language: Language) -> Result<Template, TemplateError> {
    let _ = (text, language);
    todo!("H-render")
}
