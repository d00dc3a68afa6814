//! The research steps done by an LLM: the same steps as the original's nodes (report
//! structure, first search, first summary, reflection, reflection summary, formatting), each
//! asking for JSON and reading it leniently. Every step returns why it could not answer, so
//! the loop can fall back to built-in analysis for that step and say so.

use serde_json::{json, Value};

use super::figures::Figures;
use super::report::Paragraph;
use super::EngineKind;
use llm::{text::parse_json, LlmClient, Message};
use search::SearchHit;

/// At most this many hits go into a prompt, each cut after whole sentences within `HIT_CHARS`
/// characters (a hashtag cut in half reads as another word to the model, and it may quote it).
const PROMPT_HITS: usize = 10;
const HIT_CHARS: usize = 300;

fn role(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Query => "a news researcher who establishes facts, timelines and who said what",
        EngineKind::Media => {
            "a media analyst who studies where content spreads and which posts draw engagement"
        }
        EngineKind::Insight => {
            "a public-opinion analyst who reads sentiment, complaints and support in social posts"
        }
    }
}

async fn ask(llm: &LlmClient, system: String, user: Value) -> Result<Value, String> {
    let answer = llm
        .chat(&[Message::system(system), Message::user(user.to_string())])
        .await
        .map_err(|e| e.to_string())?;
    parse_json(&answer)
}

fn field(value: &Value, key: &str) -> Result<String, String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| format!("the answer has no `{key}`"))
}

/// What the model is told about an analysis's figures, where it is given them.
const FIGURES_RULE: &str = "The input's `figures` were computed once from the analysis's whole \
     evidence set, and the other reports of the analysis state them too: state totals, per-day \
     volume, platform split, engagement, sentiment split and mean, top posts and keyword counts \
     only as `figures` gives them, copying the numbers; never count the search results \
     yourself, and name platforms as `figures` names them. Where you state the sentiment mean, \
     say once what the scale is (`figures.sentiment.scale`).";

fn hits_json(hits: &[SearchHit], zh: bool) -> Value {
    Value::Array(
        hits.iter()
            .take(PROMPT_HITS)
            .map(|h| {
                // Platforms by one name, so the model never writes `wb` beside `weibo`.
                let platform = h.platform.as_deref().map(|p| {
                    text_analysis::platform::display(&text_analysis::platform::canonical(p), zh)
                });
                json!({
                    "title": h.title,
                    "content": text_analysis::excerpt::sentences(&h.content, HIT_CHARS),
                    "url": h.url,
                    "platform": platform,
                    "published": h.published,
                    "engagement": h.engagement,
                })
            })
            .collect(),
    )
}

/// The report's paragraphs: `(title, what it covers)`.
pub async fn plan(
    llm: &LlmClient,
    kind: EngineKind,
    query: &str,
    max: usize,
) -> Result<Vec<(String, String)>, String> {
    let system = format!(
        "You are {}. Plan a short research report. Step: report_structure. Answer with JSON only: \
         an array of at most {max} objects {{\"title\": string, \"content\": string}}, where content \
         says what the paragraph will cover. Write in the language of the query.",
        role(kind)
    );
    let value = ask(llm, system, json!({"query": query})).await?;
    let items = value
        .as_array()
        .or_else(|| value.get("paragraphs").and_then(Value::as_array))
        .ok_or("the answer is not an array of paragraphs")?;
    let paragraphs: Vec<(String, String)> = items
        .iter()
        .filter_map(|p| {
            Some((
                field(p, "title").ok()?,
                field(p, "content").unwrap_or_default(),
            ))
        })
        .take(max.max(1))
        .collect();
    if paragraphs.is_empty() {
        return Err("the plan has no paragraphs".into());
    }
    Ok(paragraphs)
}

/// The first search query for a paragraph.
pub async fn first_search(
    llm: &LlmClient,
    kind: EngineKind,
    query: &str,
    p: &Paragraph,
) -> Result<String, String> {
    let system = format!(
        "You are {}. Step: first_search. Given a paragraph to write, answer with JSON only: \
         {{\"search_query\": string, \"reasoning\": string}}. Keep the search query short: a few \
         keywords a search engine or a social-media search would match.",
        role(kind)
    );
    let value = ask(
        llm,
        system,
        json!({"query": query, "title": p.title, "content": p.intent}),
    )
    .await?;
    field(&value, "search_query")
}

/// What a summary step writes from.
pub struct SummaryInput<'a> {
    pub paragraph: &'a Paragraph,
    pub search_query: &'a str,
    pub hits: &'a [SearchHit],
    /// The paragraph so far, when this is a reflection's summary.
    pub previous: Option<&'a str>,
    /// The analysis's figures, the only numbers the paragraph may state (None for a job
    /// without an evidence set).
    pub figures: Option<&'a Figures>,
    pub zh: bool,
}

/// The paragraph written from what a search found (and a reflection's, from the paragraph so
/// far too).
pub async fn summary(
    llm: &LlmClient,
    kind: EngineKind,
    input: &SummaryInput<'_>,
) -> Result<String, String> {
    let (step, key) = match input.previous {
        None => ("first_summary", "paragraph_latest_state"),
        Some(_) => ("reflection_summary", "updated_paragraph_latest_state"),
    };
    let mut system = format!(
        "You are {}. Step: {step}. Write the paragraph from the search results, citing sources \
         by platform and date; do not invent facts that are not in the results. Answer with JSON \
         only: {{\"{key}\": string}}.",
        role(kind)
    );
    let p = input.paragraph;
    let mut user = json!({"title": p.title, "content": p.intent, "search_query": input.search_query, "search_results": hits_json(input.hits, input.zh)});
    if let Some(text) = input.previous {
        user["paragraph_latest_state"] = json!(text);
    }
    if let Some(figures) = input.figures {
        system.push(' ');
        system.push_str(FIGURES_RULE);
        user["figures"] = json!(figures);
    }
    let value = ask(llm, system, user).await?;
    field(&value, key)
}

/// What to search next to make a paragraph better.
pub async fn reflect(llm: &LlmClient, kind: EngineKind, p: &Paragraph) -> Result<String, String> {
    let system = format!(
        "You are {}. Step: reflection. Read the paragraph so far, find what it is missing, and \
         answer with JSON only: {{\"search_query\": string, \"reasoning\": string}}.",
        role(kind)
    );
    let value = ask(
        llm,
        system,
        json!({"title": p.title, "content": p.intent, "paragraph_latest_state": p.summary}),
    )
    .await?;
    field(&value, "search_query")
}

/// The whole report in Markdown.
pub async fn format_report(
    llm: &LlmClient,
    kind: EngineKind,
    query: &str,
    paragraphs: &[Paragraph],
    figures: Option<&Figures>,
) -> Result<String, String> {
    let mut system = format!(
        "You are {}. Step: report_formatting. Turn the paragraphs into one Markdown report with a \
         title and a section per paragraph; keep every cited source. Answer with the Markdown only.",
        role(kind)
    );
    let input: Vec<Value> = paragraphs
        .iter()
        .map(|p| json!({"title": p.title, "paragraph_latest_state": p.summary}))
        .collect();
    let mut user = json!({"query": query, "paragraphs": input});
    if let Some(figures) = figures {
        system.push(' ');
        system.push_str(FIGURES_RULE);
        user["figures"] = json!(figures);
    }
    let answer = llm
        .chat(&[Message::system(system), Message::user(user.to_string())])
        .await
        .map_err(|e| e.to_string())?;
    let text = llm::text::strip_think(&answer).trim().to_owned();
    if text.is_empty() {
        return Err("the report came back empty".into());
    }
    Ok(text)
}
