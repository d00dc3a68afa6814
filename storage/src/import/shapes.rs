//! What MediaCrawler writes for each platform, contents and comments: which fields hold the
//! id, the text, the counts, the time. One table, so a new platform or a renamed field is a
//! line here, not a new parser. Field names are MediaCrawler's (its store modules); several
//! candidates are tried in order where versions differ.

/// Where a record's fields are, for one platform and kind.
#[derive(Debug)]
pub struct Fields {
    pub id: &'static [&'static str],
    /// For comments: the content they belong to.
    pub content_ref: &'static [&'static str],
    pub parent: &'static [&'static str],
    pub author_id: &'static [&'static str],
    pub author_name: &'static [&'static str],
    pub title: &'static [&'static str],
    pub body: &'static [&'static str],
    pub url: &'static [&'static str],
    pub liked: &'static [&'static str],
    pub comments: &'static [&'static str],
    pub shares: &'static [&'static str],
    pub collected: &'static [&'static str],
    /// Publication time: epoch seconds or milliseconds, or text.
    pub published: &'static [&'static str],
}

/// One platform: its code, the directory names MediaCrawler uses for it, and its fields.
#[derive(Debug)]
pub struct Shape {
    pub platform: &'static str,
    pub dirs: &'static [&'static str],
    /// Fields that mark this platform's records, to recognise a file without a telling path.
    /// Shapes are tried in order, so a later shape's marks may be generic (`note_id` for
    /// xhs): earlier platforms with the same field also carry a mark of their own.
    pub marks: &'static [&'static str],
    pub content: Fields,
    pub comment: Fields,
}

const NONE: &[&str] = &[];

pub const SHAPES: [Shape; 7] = [
    Shape {
        platform: "dy",
        dirs: &["dy", "douyin"],
        marks: &["aweme_id"],
        content: Fields {
            id: &["aweme_id"],
            content_ref: NONE,
            parent: NONE,
            author_id: &["user_id", "sec_uid"],
            author_name: &["nickname"],
            title: &["title"],
            body: &["desc", "title"],
            url: &["aweme_url"],
            liked: &["liked_count"],
            comments: &["comment_count"],
            shares: &["share_count"],
            collected: &["collected_count"],
            published: &["create_time"],
        },
        comment: Fields {
            id: &["comment_id"],
            content_ref: &["aweme_id"],
            parent: &["parent_comment_id", "reply_id"],
            author_id: &["user_id", "sec_uid"],
            author_name: &["nickname"],
            title: NONE,
            body: &["content"],
            url: NONE,
            liked: &["like_count"],
            comments: &["sub_comment_count"],
            shares: NONE,
            collected: NONE,
            published: &["create_time"],
        },
    },
    Shape {
        platform: "bili",
        dirs: &["bili", "bilibili"],
        marks: &[
            "video_danmaku",
            "video_play_count",
            "video_coin_count",
            "sign",
            "sex",
        ],
        content: Fields {
            id: &["video_id"],
            content_ref: NONE,
            parent: NONE,
            author_id: &["user_id"],
            author_name: &["nickname"],
            title: &["title"],
            body: &["desc", "title"],
            url: &["video_url"],
            liked: &["liked_count"],
            comments: &["video_comment"],
            shares: &["video_share_count"],
            collected: &["video_favorite_count"],
            published: &["create_time"],
        },
        comment: Fields {
            id: &["comment_id"],
            content_ref: &["video_id"],
            parent: &["parent_comment_id"],
            author_id: &["user_id"],
            author_name: &["nickname"],
            title: NONE,
            body: &["content"],
            url: NONE,
            liked: &["like_count"],
            comments: &["sub_comment_count"],
            shares: NONE,
            collected: NONE,
            published: &["create_time"],
        },
    },
    Shape {
        platform: "ks",
        dirs: &["ks", "kuaishou"],
        marks: &["viewd_count", "video_play_url", "video_id"],
        content: Fields {
            id: &["video_id"],
            content_ref: NONE,
            parent: NONE,
            author_id: &["user_id"],
            author_name: &["nickname"],
            title: &["title"],
            body: &["desc", "title"],
            url: &["video_url"],
            liked: &["liked_count"],
            comments: NONE,
            shares: NONE,
            collected: NONE,
            published: &["create_time"],
        },
        comment: Fields {
            id: &["comment_id"],
            content_ref: &["video_id"],
            parent: NONE,
            author_id: &["user_id"],
            author_name: &["nickname"],
            title: NONE,
            body: &["content"],
            url: NONE,
            liked: NONE,
            comments: &["sub_comment_count"],
            shares: NONE,
            collected: NONE,
            published: &["create_time"],
        },
    },
    Shape {
        platform: "wb",
        dirs: &["wb", "weibo"],
        marks: &[
            "create_date_time",
            "comments_count",
            "shared_count",
            "comment_like_count",
        ],
        content: Fields {
            id: &["note_id"],
            content_ref: NONE,
            parent: NONE,
            author_id: &["user_id"],
            author_name: &["nickname"],
            title: NONE,
            body: &["content"],
            url: &["note_url"],
            liked: &["liked_count"],
            comments: &["comments_count"],
            shares: &["shared_count"],
            collected: NONE,
            // create_time is shifted by 8 h in MediaCrawler's Weibo store; the text is right.
            published: &["create_date_time", "create_time"],
        },
        comment: Fields {
            id: &["comment_id"],
            content_ref: &["note_id"],
            parent: &["parent_comment_id"],
            author_id: &["user_id"],
            author_name: &["nickname"],
            title: NONE,
            body: &["content"],
            url: NONE,
            liked: &["comment_like_count", "like_count"],
            comments: &["sub_comment_count"],
            shares: NONE,
            collected: NONE,
            published: &["create_date_time", "create_time"],
        },
    },
    Shape {
        platform: "tieba",
        dirs: &["tieba"],
        marks: &["tieba_name", "tieba_id", "total_replay_num"],
        content: Fields {
            id: &["note_id"],
            content_ref: NONE,
            parent: NONE,
            author_id: &["user_link"],
            author_name: &["user_nickname"],
            title: &["title"],
            body: &["desc", "title"],
            url: &["note_url"],
            liked: NONE,
            comments: &["total_replay_num"],
            shares: NONE,
            collected: NONE,
            published: &["publish_time"],
        },
        comment: Fields {
            id: &["comment_id"],
            content_ref: &["note_id"],
            parent: &["parent_comment_id", "parment_comment_id"],
            author_id: &["user_link"],
            author_name: &["user_nickname"],
            title: NONE,
            body: &["content"],
            url: &["note_url"],
            liked: NONE,
            comments: &["sub_comment_count"],
            shares: NONE,
            collected: NONE,
            published: &["publish_time"],
        },
    },
    Shape {
        platform: "zhihu",
        dirs: &["zhihu"],
        marks: &[
            "voteup_count",
            "content_type",
            "user_url_token",
            "content_id",
        ],
        content: Fields {
            id: &["content_id"],
            content_ref: NONE,
            parent: NONE,
            author_id: &["user_id"],
            author_name: &["user_nickname"],
            title: &["title"],
            body: &["content_text", "desc", "title"],
            url: &["content_url"],
            liked: &["voteup_count"],
            comments: &["comment_count"],
            shares: NONE,
            collected: NONE,
            published: &["created_time"],
        },
        comment: Fields {
            id: &["comment_id"],
            content_ref: &["content_id"],
            parent: &["parent_comment_id"],
            author_id: &["user_id"],
            author_name: &["user_nickname"],
            title: NONE,
            body: &["content"],
            url: NONE,
            liked: &["like_count"],
            comments: &["sub_comment_count"],
            shares: NONE,
            collected: NONE,
            published: &["publish_time"],
        },
    },
    Shape {
        platform: "xhs",
        dirs: &["xhs", "xiaohongshu"],
        marks: &["xsec_token", "note_id"],
        content: Fields {
            id: &["note_id"],
            content_ref: NONE,
            parent: NONE,
            author_id: &["user_id"],
            author_name: &["nickname"],
            title: &["title"],
            body: &["desc"],
            url: &["note_url"],
            liked: &["liked_count"],
            comments: &["comment_count"],
            shares: &["share_count"],
            collected: &["collected_count"],
            published: &["time"],
        },
        comment: Fields {
            id: &["comment_id"],
            content_ref: &["note_id"],
            parent: &["parent_comment_id"],
            author_id: &["user_id"],
            author_name: &["nickname"],
            title: NONE,
            body: &["content"],
            url: NONE,
            liked: &["like_count"],
            comments: &["sub_comment_count"],
            shares: NONE,
            collected: NONE,
            published: &["create_time"],
        },
    },
];

/// The platform a path names (`data/xhs/json/…`, `douyin`), if any.
pub fn shape_for_path(path: &std::path::Path) -> Option<&'static Shape> {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .map(str::to_ascii_lowercase)
        .collect();
    // The nearest directory wins (a `data/zhihu/weibo-export/…` path means weibo).
    parts
        .iter()
        .rev()
        .skip(1)
        .find_map(|part| SHAPES.iter().find(|s| s.dirs.iter().any(|d| part == d)))
}

/// The platform a record's fields suggest: the first shape one of whose marks it has.
pub fn shape_for_record(
    record: &serde_json::Map<String, serde_json::Value>,
) -> Option<&'static Shape> {
    SHAPES
        .iter()
        .find(|s| s.marks.iter().any(|m| record.contains_key(*m)))
}

/// The platform a code or directory name names (`wb`, `weibo`…).
pub fn shape_named(name: &str) -> Option<&'static Shape> {
    let name = name.to_ascii_lowercase();
    SHAPES
        .iter()
        .find(|s| s.platform == name || s.dirs.contains(&name.as_str()))
}
