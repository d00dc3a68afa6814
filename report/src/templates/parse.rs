//! The one reader of template files, built-in or custom: Markdown headings into a
//! [`Template`], bounded, with errors that name the line.
//!
//! The shape it reads:
//!
//! ```text
//! # Title                        (optional for custom templates; one at most)
//! A description paragraph.       (any lines before the first chapter)
//! ## Chapter title {angle}       (one per chapter; `{angle}` optional)
//! What the chapter covers.       (any lines until the next `##`; `###` lines join it)
//! ```
//!
//! A `#` followed by text without a space (`#话题#`, a Weibo hashtag) is text, not a heading,
//! as in Markdown. A chapter's id is its angle's id when no other chapter has that angle
//! (`summary`), else `c<position>` (`c4`): stable for a given file, readable in URLs.

use std::collections::HashMap;

use super::{keywords, Angle, ChapterPlan, Template, TemplateError, TemplateKind};
use crate::document::Language;

/// The longest template text read.
pub const MAX_TEMPLATE_BYTES: usize = 16 * 1024;
/// Most chapters in a template: each costs an LLM call or a built-in chapter.
pub const MAX_CHAPTERS: usize = 12;
/// The longest title (the template's or a chapter's), in characters.
pub const MAX_TITLE_CHARS: usize = 80;

/// A chapter heading as read, before its id is known.
struct Draft {
    title: String,
    angle: Angle,
    intent: Vec<String>,
}

/// Reads `text` as a template of `kind` in `language`.
pub(super) fn template(
    text: &str,
    kind: TemplateKind,
    language: Language,
) -> Result<Template, TemplateError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(TemplateError::Empty);
    }
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(TemplateError::TooLong {
            max: MAX_TEMPLATE_BYTES,
        });
    }
    let mut title: Option<String> = None;
    let mut description = Vec::new();
    let mut drafts: Vec<Draft> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let fail = |reason: String| TemplateError::Line {
            line: number,
            reason,
        };
        if let Some(c) = line.chars().find(|&c| c.is_control() && c != '\t') {
            return Err(fail(format!(
                "a control character (U+{:04X})",
                u32::from(c)
            )));
        }
        let line = line.trim();
        match heading(line) {
            Some((1, text)) => {
                if title.is_some() || !drafts.is_empty() {
                    return Err(fail(
                        "a second `# ` title (chapters are `## ` headings)".to_owned(),
                    ));
                }
                title = Some(bounded_title(text).map_err(fail)?);
            }
            Some((2, text)) => {
                if drafts.len() == MAX_CHAPTERS {
                    return Err(TemplateError::TooManyChapters { max: MAX_CHAPTERS });
                }
                let (text, angle) = split_angle(text).map_err(fail)?;
                let title = bounded_title(text).map_err(fail)?;
                let angle = angle.unwrap_or_else(|| keywords::angle_for(&title));
                drafts.push(Draft {
                    title,
                    angle,
                    intent: Vec::new(),
                });
            }
            // Sub-headings and body lines: what the current chapter covers, or, before the
            // first chapter, the description.
            Some((_, text)) => push_line(&mut drafts, &mut description, text),
            None if line.is_empty() => {}
            None => push_line(&mut drafts, &mut description, line),
        }
    }
    if drafts.is_empty() {
        return Err(TemplateError::NoChapters);
    }
    let title = title.unwrap_or_else(|| default_title(kind, language).to_owned());
    Ok(Template {
        kind,
        language,
        title,
        description: description.join(" "),
        chapters: plans(drafts),
    })
}

/// The level and text of a Markdown ATX heading (`## text`), if the line is one.
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &line[level..];
    if rest.is_empty() {
        return Some((level, rest));
    }
    rest.starts_with([' ', '\t']).then(|| (level, rest.trim()))
}

/// Splits a trailing `{angle}` from a chapter heading. Braces around anything but a
/// lowercase identifier are part of the title (`关于{品牌}`).
fn split_angle(text: &str) -> Result<(&str, Option<Angle>), String> {
    let Some(body) = text.strip_suffix('}') else {
        return Ok((text, None));
    };
    let Some(open) = body.rfind('{') else {
        return Ok((text, None));
    };
    let id = &body[open + 1..];
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Ok((text, None));
    }
    match Angle::parse(id) {
        Some(angle) => Ok((body[..open].trim_end(), Some(angle))),
        None => {
            let known: Vec<&str> = Angle::ALL.iter().map(|a| a.id()).collect();
            Err(format!(
                "unknown angle `{{{id}}}` (one of: {})",
                known.join(", ")
            ))
        }
    }
}

fn bounded_title(text: &str) -> Result<String, String> {
    let chars = text.chars().count();
    if chars == 0 {
        Err("the heading has no title".to_owned())
    } else if chars > MAX_TITLE_CHARS {
        Err(format!(
            "the title has {chars} characters, more than {MAX_TITLE_CHARS}"
        ))
    } else {
        Ok(text.to_owned())
    }
}

fn push_line(drafts: &mut [Draft], description: &mut Vec<String>, line: &str) {
    if line.is_empty() {
        return;
    }
    match drafts.last_mut() {
        Some(draft) => draft.intent.push(line.to_owned()),
        None => description.push(line.to_owned()),
    }
}

/// The chapter plans, with ids (see the module doc) and an intent (the title when the
/// template gave none).
fn plans(drafts: Vec<Draft>) -> Vec<ChapterPlan> {
    let mut uses: HashMap<Angle, usize> = HashMap::new();
    for draft in &drafts {
        *uses.entry(draft.angle).or_default() += 1;
    }
    drafts
        .into_iter()
        .enumerate()
        .map(|(i, draft)| {
            let id = if uses.get(&draft.angle) == Some(&1) {
                draft.angle.id().to_owned()
            } else {
                format!("c{}", i + 1)
            };
            let intent = if draft.intent.is_empty() {
                draft.title.clone()
            } else {
                draft.intent.join(" ")
            };
            ChapterPlan {
                id,
                title: draft.title,
                intent,
                angle: draft.angle,
            }
        })
        .collect()
}

fn default_title(kind: TemplateKind, language: Language) -> &'static str {
    match (kind, language) {
        (TemplateKind::Custom, Language::Zh) => "自定义舆情报告",
        (TemplateKind::Custom, Language::En) => "Custom report",
        (_, Language::Zh) => "舆情分析报告",
        (_, Language::En) => "Public opinion report",
    }
}
