//! The research steps done by an LLM: the same steps as the original's nodes (report
//! structure, first search, first summary, reflection, reflection summary, formatting), each
//! asking for JSON and reading it leniently. Every step returns why it could not answer, so
//! the loop can fall back to built-in analysis for that step and say so.

use serde_json::{json, Value};

use super::report::Paragraph;
use super::EngineKind;
use llm::{text::parse_json, LlmClient, Message};
use search::SearchHit;

/// At most this many hits go into a prompt, each cut to `HIT_CHARS` characters.
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

fn hits_json(hits: &[SearchHit]) -> Value {
    Value::Array(
        hits.iter()
            .take(PROMPT_HITS)
            .map(|h| {
                json!({
                    "title": h.title,
                    "content": h.content.chars().take(HIT_CHARS).collect::<String>(),
                    "url": h.url,
                    "platform": h.platform,
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

/// The paragraph written from what a search found (`previous` when it is a reflection's).
pub async fn summary(
    llm: &LlmClient,
    kind: EngineKind,
    p: &Paragraph,
    search_query: &str,
    hits: &[SearchHit],
    previous: Option<&str>,
) -> Result<String, String> {
    let (step, key) = match previous {
        None => ("first_summary", "paragraph_latest_state"),
        Some(_) => ("reflection_summary", "updated_paragraph_latest_state"),
    };
    let system = format!(
        "You are {}. Step: {step}. Write the paragraph from the search results, citing sources \
         by platform and date; do not invent facts that are not in the results. Answer with JSON \
         only: {{\"{key}\": string}}.",
        role(kind)
    );
    let mut input = json!({"title": p.title, "content": p.intent, "search_query": search_query, "search_results": hits_json(hits)});
    if let Some(text) = previous {
        input["paragraph_latest_state"] = json!(text);
    }
    let value = ask(llm, system, input).await?;
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
) -> Result<String, String> {
    let system = format!(
        "You are {}. Step: report_formatting. Turn the paragraphs into one Markdown report with a \
         title and a section per paragraph; keep every cited source. Answer with the Markdown only.",
        role(kind)
    );
    let input: Vec<Value> = paragraphs
        .iter()
        .map(|p| json!({"title": p.title, "paragraph_latest_state": p.summary}))
        .collect();
    let answer = llm
        .chat(&[
            Message::system(system),
            Message::user(json!({"query": query, "paragraphs": input}).to_string()),
        ])
        .await
        .map_err(|e| e.to_string())?;
    let text = llm::text::strip_think(&answer).trim().to_owned();
    if text.is_empty() {
        return Err("the report came back empty".into());
    }
    Ok(text)
}
