//! The data tools: table counts, stats, recent days, and cleanup (dry run, then execute in one
//! transaction, index included).

use storage::model::{NewsItem, Topic};

use super::backends::{on_each_backend, Backend};
use super::posts::post;

on_each_backend!(
    cleanup_is_a_dry_run_until_executed,
    stats_and_recent_describe_the_data,
);

fn news(id: &str, day: &str, title: &str) -> NewsItem {
    NewsItem {
        news_id: id.into(),
        source_platform: "weibo".into(),
        title: title.into(),
        url: None,
        description: Some("热搜".into()),
        extra_info: None,
        crawl_date: day.into(),
        rank_position: Some(1),
    }
}

fn topic(id: &str, day: &str) -> Topic {
    Topic {
        topic_id: id.into(),
        topic_name: id.into(),
        topic_description: None,
        keywords: Some("[\"a\"]".into()),
        extract_date: day.into(),
        relevance_score: Some(0.5),
        news_count: 1,
        processing_status: "completed".into(),
    }
}

async fn cleanup_is_a_dry_run_until_executed(b: Backend) {
    let db = &b.db;
    let today = storage::clock::days_ago(0);
    let old_day = storage::clock::days_ago(40);
    db.upsert_news(&[
        news("n-old", &old_day, "旧闻：去年的热搜"),
        news("n-new", &today, "今日热搜：马拉松"),
    ])
    .await
    .unwrap();
    db.upsert_topics(&[topic("t-old", &old_day), topic("t-new", &today)])
        .await
        .unwrap();
    db.link_topic_news(&[
        ("t-new".into(), "n-old".into(), today.clone(), None),
        ("t-new".into(), "n-new".into(), today.clone(), Some(0.9)),
    ])
    .await
    .unwrap();
    let mut old_post = post("wb", "old", "很久以前的帖子 ancient");
    old_post.crawled_at = storage::clock::days_ago_ms(41);
    db.upsert_posts(&[old_post, post("wb", "new", "新的帖子 fresh")])
        .await
        .unwrap();

    let plan = db.cleanup(30, false).await.unwrap();
    let rows =
        |c: &storage::admin::Cleanup, t: &str| c.tables.iter().find(|x| x.table == t).unwrap().rows;
    assert!(!plan.executed);
    assert_eq!(
        (
            rows(&plan, "daily_news"),
            rows(&plan, "daily_topics"),
            rows(&plan, "topic_news_relation"),
            rows(&plan, "posts")
        ),
        (1, 1, 1, 1),
        "{}: {plan:?}",
        b.name
    );
    assert_eq!(
        db.count_posts().await.unwrap(),
        2,
        "{}: a dry run deletes nothing",
        b.name
    );
    assert_eq!(
        db.search_news("旧闻", 10).await.unwrap().len(),
        1,
        "{}",
        b.name
    );

    let done = db.cleanup(30, true).await.unwrap();
    assert!(done.executed);
    assert_eq!(done.total(), plan.total(), "{}", b.name);
    assert_eq!(db.count_posts().await.unwrap(), 1, "{}", b.name);
    assert!(
        db.search_news("旧闻", 10).await.unwrap().is_empty(),
        "{}",
        b.name
    );
    assert_eq!(
        db.search_news("马拉松", 10).await.unwrap().len(),
        1,
        "{}",
        b.name
    );
    let found = db
        .search_posts(&storage::PostSearch::new("ancient", 10))
        .await
        .unwrap();
    assert!(found.is_empty(), "{}: the index lost the row too", b.name);
    let counts = db.table_counts().await.unwrap();
    let count = |t: &str| counts.iter().find(|c| c.table == t).unwrap().rows;
    assert_eq!(
        (
            count("daily_news"),
            count("daily_topics"),
            count("topic_news_relation")
        ),
        (1, 1, 1),
        "{}",
        b.name
    );
    assert!(
        db.cleanup(0, true).await.is_err(),
        "{}: zero days is refused",
        b.name
    );
}

async fn stats_and_recent_describe_the_data(b: Backend) {
    let db = &b.db;
    let today = storage::clock::days_ago(0);
    db.upsert_news(&[news("a", &today, "一"), news("b", &today, "二")])
        .await
        .unwrap();
    let mut comment = post("xhs", "c", "评论");
    comment.kind = storage::model::PostKind::Comment;
    db.upsert_posts(&[post("xhs", "p", "帖子"), post("wb", "p", "微博"), comment])
        .await
        .unwrap();
    let stats = db.stats().await.unwrap();
    assert_eq!(stats.backend, b.name);
    assert_eq!((stats.news.total, stats.news.days), (2, 1), "{}", b.name);
    assert_eq!(
        (stats.posts.contents, stats.posts.comments),
        (2, 1),
        "{}",
        b.name
    );
    let xhs = stats
        .posts
        .by_platform
        .iter()
        .find(|p| p.platform == "xhs")
        .unwrap();
    assert_eq!((xhs.contents, xhs.comments), (1, 1), "{}", b.name);
    let recent = db.recent(7).await.unwrap();
    assert_eq!(recent.news.len(), 1, "{}", b.name);
    assert_eq!(recent.news[0].count, 2, "{}", b.name);
    assert_eq!(
        recent.posts.iter().map(|d| d.count).sum::<i64>(),
        3,
        "{}",
        b.name
    );
    let invalid = news("x", "2026-13-01", "bad day");
    assert!(db.upsert_news(&[invalid]).await.is_err(), "{}", b.name);
}
