//! One MediaCrawler record as a post of the unified model: the platform's field names (see
//! `shapes`), counts written as "1.5万", times in seconds, milliseconds or text, and NULs that
//! PostgreSQL refuses.

use serde_json::{Map, Value};

use super::counts;
use super::shapes::{Fields, Shape};
use crate::clock;
use crate::model::{Post, PostKind};

/// Text of the first present field: strings trimmed, numbers as written; NULs removed
/// (PostgreSQL refuses them).
fn text(record: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        let value = match record.get(*name)? {
            Value::String(s) => s.trim().replace('\0', ""),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!value.is_empty()).then_some(value)
    })
}

fn count(record: &Map<String, Value>, names: &[&str]) -> std::result::Result<i64, String> {
    for name in names {
        if let Some(value) = record.get(*name) {
            return counts::parse_count(value)
                .ok_or_else(|| format!("{name}: `{value}` is not a count"));
        }
    }
    Ok(0)
}

fn time(record: &Map<String, Value>, names: &[&str]) -> Option<i64> {
    names.iter().find_map(|name| match record.get(*name)? {
        Value::Number(n) => n.as_i64().and_then(clock::epoch),
        Value::String(s) => clock::parse_time(s),
        _ => None,
    })
}

/// Removes NULs from every string, keys included, so the record can be stored as JSON on
/// PostgreSQL.
fn without_nuls(value: Value) -> Value {
    match value {
        Value::String(s) if s.contains('\0') => Value::String(s.replace('\0', "")),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nuls).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.replace('\0', ""), without_nuls(v)))
                .collect(),
        ),
        other => other,
    }
}

/// One MediaCrawler record as a post.
pub fn to_post(
    shape: &Shape,
    kind: PostKind,
    record: Map<String, Value>,
    now: i64,
    topic: Option<&str>,
) -> std::result::Result<Post, String> {
    let fields: &Fields = match kind {
        PostKind::Content => &shape.content,
        PostKind::Comment => &shape.comment,
    };
    let id = text(&record, fields.id)
        .ok_or_else(|| format!("no id (expected {})", fields.id.join(" or ")))?;
    let content_id = text(&record, fields.content_ref);
    if kind == PostKind::Comment && content_id.is_none() {
        return Err(format!(
            "comment {id} does not say what it belongs to (expected {})",
            fields.content_ref.join(" or ")
        ));
    }
    let title = text(&record, fields.title);
    let body = text(&record, fields.body)
        .or_else(|| title.clone())
        .ok_or_else(|| format!("{id} has no text (expected {})", fields.body.join(" or ")))?;
    Ok(Post {
        platform: shape.platform.to_owned(),
        kind,
        platform_id: id,
        content_id,
        parent_id: text(&record, fields.parent).filter(|p| p != "0"),
        author_id: text(&record, fields.author_id),
        author_name: text(&record, fields.author_name),
        title,
        body,
        url: text(&record, fields.url),
        liked_count: count(&record, fields.liked)?,
        comment_count: count(&record, fields.comments)?,
        share_count: count(&record, fields.shares)?,
        collected_count: count(&record, fields.collected)?,
        published_at: time(&record, fields.published),
        crawled_at: time(&record, &["last_modify_ts", "add_ts"]).unwrap_or(now),
        source_keyword: text(&record, &["source_keyword"]),
        topic_id: topic
            .map(str::to_owned)
            .or_else(|| text(&record, &["topic_id"])),
        raw: Some(without_nuls(Value::Object(record))),
    })
}
