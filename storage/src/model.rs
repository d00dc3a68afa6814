//! The rows storage reads and writes: platform content (posts and comments in one model),
//! MindSpider's news and topics, and search hits.

use serde::{Deserialize, Serialize};

/// A post is a platform's unit of content (note, video, answer, thread); a comment hangs off
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    Content,
    Comment,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Content => "content",
            Self::Comment => "comment",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "content" => Some(Self::Content),
            "comment" => Some(Self::Comment),
            _ => None,
        }
    }
}

/// The platforms MediaCrawler crawls, by their short codes.
pub const PLATFORMS: [&str; 7] = ["xhs", "dy", "ks", "bili", "wb", "tieba", "zhihu"];

/// One piece of platform content, upserted on (platform, kind, platform_id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub platform: String,
    pub kind: PostKind,
    pub platform_id: String,
    /// For a comment: the id of the content it belongs to.
    pub content_id: Option<String>,
    /// For a reply: the comment it answers.
    pub parent_id: Option<String>,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub title: Option<String>,
    pub body: String,
    pub url: Option<String>,
    pub liked_count: i64,
    pub comment_count: i64,
    pub share_count: i64,
    pub collected_count: i64,
    /// Epoch milliseconds.
    pub published_at: Option<i64>,
    /// Epoch milliseconds.
    pub crawled_at: i64,
    pub source_keyword: Option<String>,
    pub topic_id: Option<String>,
    /// The record as the crawler wrote it.
    pub raw: Option<serde_json::Value>,
}

impl Post {
    /// What full-text search indexes: the title and the text.
    pub fn searchable(&self) -> String {
        match &self.title {
            Some(title) if !self.body.starts_with(title.as_str()) => {
                format!("{title}\n{}", self.body)
            }
            _ => self.body.clone(),
        }
    }

    /// The full-text terms of [`Post::searchable`], made without copying the text first.
    pub fn search_terms(&self) -> String {
        post_terms(self.title.as_deref(), &self.body)
    }

    /// Likes, comments, shares and saves together: what "top posts" rank by.
    pub fn engagement(&self) -> i64 {
        self.liked_count
            .saturating_add(self.comment_count)
            .saturating_add(self.share_count)
            .saturating_add(self.collected_count)
    }
}

/// The search terms of a post's title and text (the title only when the text does not
/// already start with it).
pub fn post_terms(title: Option<&str>, body: &str) -> String {
    let body_terms = crate::terms::indexed(body);
    match title {
        Some(title) if !body.starts_with(title) => {
            let title = crate::terms::indexed(title);
            match (title.is_empty(), body_terms.is_empty()) {
                (true, _) => body_terms,
                (_, true) => title,
                _ => format!("{title} {body_terms}"),
            }
        }
        _ => body_terms,
    }
}

/// A post found by search, with its score (higher is better, comparable within one search).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostHit {
    pub id: i64,
    #[serde(flatten)]
    pub post: Post,
    pub score: f64,
}

/// One of MindSpider's daily hot-list items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsItem {
    pub news_id: String,
    pub source_platform: String,
    pub title: String,
    pub url: Option<String>,
    pub description: Option<String>,
    pub extra_info: Option<String>,
    /// ISO day.
    pub crawl_date: String,
    pub rank_position: Option<i64>,
}

/// A news item found by search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewsHit {
    #[serde(flatten)]
    pub news: NewsItem,
    pub score: f64,
}

/// One of MindSpider's daily topics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    pub topic_id: String,
    pub topic_name: String,
    pub topic_description: Option<String>,
    /// JSON array of keywords.
    pub keywords: Option<String>,
    /// ISO day.
    pub extract_date: String,
    pub relevance_score: Option<f64>,
    pub news_count: i64,
    pub processing_status: String,
}

/// Which stored (or found) item a piece of evidence is: a post or comment by its row id, a
/// hot-list news item by its news id, or a web page by its URL. What an analysis's evidence
/// set and a report's citations point at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum ItemRef {
    /// A row of `posts` whose kind is content.
    Post(i64),
    /// A row of `posts` whose kind is comment.
    Comment(i64),
    /// A row of `daily_news`, by `news_id`.
    News(String),
    /// A web page a search provider found, by URL.
    Web(String),
}
