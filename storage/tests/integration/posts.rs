//! Upserts are idempotent and keep the search index current; search works in Chinese and
//! English on both backends.

use storage::model::{Post, PostKind};
use storage::PostSearch;

use super::backends::{on_each_backend, Backend};

on_each_backend!(
    upserts_are_idempotent_and_keep_the_index_current,
    full_text_search_in_chinese_and_english,
    rows_written_by_other_programs_become_searchable_after_a_reindex,
);

pub fn post(platform: &str, id: &str, body: &str) -> Post {
    Post {
        platform: platform.into(),
        kind: PostKind::Content,
        platform_id: id.into(),
        content_id: None,
        parent_id: None,
        author_id: Some("u1".into()),
        author_name: Some("someone".into()),
        title: None,
        body: body.into(),
        url: Some(format!("https://example.invalid/{id}")),
        liked_count: 10,
        comment_count: 1,
        share_count: 0,
        collected_count: 0,
        published_at: Some(storage::clock::now_ms()),
        crawled_at: storage::clock::now_ms(),
        source_keyword: None,
        topic_id: None,
        raw: Some(serde_json::json!({"id": id})),
    }
}

async fn ids(db: &storage::Database, text: &str) -> Vec<String> {
    let mut found: Vec<String> = db
        .search_posts(&PostSearch::new(text, 50))
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.post.platform_id)
        .collect();
    found.sort();
    found
}

async fn upserts_are_idempotent_and_keep_the_index_current(b: Backend) {
    let db = &b.db;
    let mut batch = vec![
        post("wb", "1", "极澜汽车宣布召回三万辆电动车"),
        post("xhs", "1", "江北大学食堂又涨价了"),
        post(
            "wb",
            "2",
            "Jilan Motors recalls 30,000 cars over battery fires",
        ),
    ];
    // The same row twice in one batch: the last one wins.
    batch.push(post(
        "wb",
        "2",
        "Jilan Motors recalls cars over battery overheating",
    ));
    assert_eq!(db.upsert_posts(&batch).await.unwrap(), 3, "{}", b.name);
    assert_eq!(db.upsert_posts(&batch).await.unwrap(), 3, "{}", b.name);
    assert_eq!(
        db.count_posts().await.unwrap(),
        3,
        "{}: no duplicates",
        b.name
    );
    assert_eq!(ids(db, "overheating").await, ["2"], "{}", b.name);
    assert!(
        ids(db, "fires").await.is_empty(),
        "{}: replaced text is gone",
        b.name
    );

    // An update rewrites the fields and the index.
    let mut changed = post("wb", "1", "极澜汽车回应：召回车辆免费更换电池");
    changed.liked_count = 5000;
    db.upsert_posts(&[changed]).await.unwrap();
    assert_eq!(db.count_posts().await.unwrap(), 3, "{}", b.name);
    let hits = db
        .search_posts(&PostSearch::new("免费更换", 10))
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "{}", b.name);
    assert_eq!(hits[0].post.liked_count, 5000, "{}", b.name);
    assert_eq!(
        hits[0].post.raw,
        Some(serde_json::json!({"id": "1"})),
        "{}",
        b.name
    );
    assert!(ids(db, "三万辆").await.is_empty(), "{}", b.name);

    // Comments are their own rows even with a content's id.
    let mut comment = post("wb", "1", "支持召回，负责任的做法");
    comment.kind = PostKind::Comment;
    comment.content_id = Some("1".into());
    db.upsert_posts(&[comment]).await.unwrap();
    assert_eq!(db.count_posts().await.unwrap(), 4, "{}", b.name);

    // Bad rows are refused before anything is written.
    let bad = vec![post("wb", "9", "fine"), post("wb", "", "no id")];
    assert!(db.upsert_posts(&bad).await.is_err(), "{}", b.name);
    assert_eq!(db.count_posts().await.unwrap(), 4, "{}", b.name);
}

async fn full_text_search_in_chinese_and_english(b: Backend) {
    let db = &b.db;
    db.upsert_posts(&[
        post("wb", "c1", "滨海马拉松今天开跑，志愿者特别热情！"),
        post("dy", "c2", "马拉松封路导致上班迟到，希望下次提前通知"),
        post("xhs", "c3", "江北大学食堂的红烧肉涨到十八块了"),
        post("bili", "e1", "The Binhai Marathon volunteers were amazing"),
        post(
            "zhihu",
            "e2",
            "Canteen prices at Jiangbei University keep rising",
        ),
        post("wb", "m1", "Binhai marathon 马拉松 medal 奖牌 looks great"),
    ])
    .await
    .unwrap();
    assert_eq!(ids(db, "马拉松").await, ["c1", "c2", "m1"], "{}", b.name);
    assert_eq!(ids(db, "志愿者").await, ["c1"], "{}", b.name);
    assert_eq!(ids(db, "食堂 涨").await, ["c3"], "{}", b.name);
    assert_eq!(ids(db, "marathon").await, ["e1", "m1"], "{}", b.name);
    assert_eq!(ids(db, "MARATHON volunteers").await, ["e1"], "{}", b.name);
    assert_eq!(ids(db, "奖牌 medal").await, ["m1"], "{}", b.name);
    assert_eq!(ids(db, "牌").await, ["m1"], "{}: one character", b.name);
    assert!(ids(db, "召回").await.is_empty(), "{}", b.name);
    assert!(ids(db, "\"' OR 1=1 --").await.is_empty(), "{}", b.name);
    assert!(ids(db, "").await.is_empty(), "{}", b.name);
    let mut only_dy = PostSearch::new("马拉松", 10);
    only_dy.platform = Some("dy".into());
    let hits = db.search_posts(&only_dy).await.unwrap();
    assert_eq!(hits.len(), 1, "{}", b.name);
    assert_eq!(hits[0].post.platform, "dy", "{}", b.name);

    // The better match ranks first.
    let hits = db
        .search_posts(&PostSearch::new("marathon", 10))
        .await
        .unwrap();
    assert!(hits[0].score >= hits[hits.len() - 1].score, "{}", b.name);
}

async fn rows_written_by_other_programs_become_searchable_after_a_reindex(b: Backend) {
    let db = &b.db;
    db.upsert_posts(&[post("wb", "ours", "我们写入的 ours")])
        .await
        .unwrap();
    // Another program (MindSpider, a SQL import) writes rows without search terms.
    let insert = "INSERT INTO posts (platform, kind, platform_id, body, crawled_at) \
                  VALUES ('wb', 'content', 'theirs', '别人写入的马拉松 theirs', 1)";
    let news = "INSERT INTO daily_news (news_id, source_platform, title, crawl_date, add_ts, \
                last_modify_ts) VALUES ('n1', 'weibo', '外部热搜 outside', '2026-11-20', 1, 1)";
    if b.name == "sqlite" {
        let pool = sqlx::SqlitePool::connect(&b.url).await.unwrap();
        sqlx::query(insert).execute(&pool).await.unwrap();
        sqlx::query(news).execute(&pool).await.unwrap();
    } else {
        let pool = sqlx::PgPool::connect(&b.url).await.unwrap();
        sqlx::query(insert).execute(&pool).await.unwrap();
        sqlx::query(news).execute(&pool).await.unwrap();
    }
    assert!(ids(db, "theirs").await.is_empty(), "{}", b.name);
    let done = db.reindex().await.unwrap();
    assert_eq!((done.posts, done.news), (2, 1), "{}", b.name);
    assert_eq!(ids(db, "theirs").await, ["theirs"], "{}", b.name);
    assert_eq!(ids(db, "马拉松").await, ["theirs"], "{}", b.name);
    assert_eq!(
        ids(db, "ours").await,
        ["ours"],
        "{}: nothing lost or doubled",
        b.name
    );
    assert_eq!(
        db.search_news("外部", 5).await.unwrap().len(),
        1,
        "{}",
        b.name
    );
    // Twice is the same as once.
    db.reindex().await.unwrap();
    assert_eq!(ids(db, "ours").await, ["ours"], "{}", b.name);
}
