//! Evidence sets on both backends: stored whole, replaced whole, read back in rank order; and
//! the rows they point at, looked up by id in the order asked, beyond one statement's worth.

use storage::evidence::StoredEvidenceItem;
use storage::model::{ItemRef, NewsItem, PostKind};
use storage::{Database, PostSearch};

use super::backends::{on_each_backend, Backend};
use super::posts::post;

on_each_backend!(
    a_set_is_stored_replaced_and_read_in_rank_order,
    posts_and_news_are_found_by_id_in_the_order_asked,
);

fn item(rank: i64, item: ItemRef) -> StoredEvidenceItem {
    StoredEvidenceItem {
        rank,
        snapshot: format!("{{\"rank\":{rank}}}"),
        item,
    }
}

fn news(id: &str, title: &str) -> NewsItem {
    NewsItem {
        news_id: id.into(),
        source_platform: "weibo".into(),
        title: title.into(),
        url: Some(format!("https://example.invalid/{id}")),
        description: None,
        extra_info: None,
        crawl_date: "2026-03-01".into(),
        rank_position: Some(3),
    }
}

async fn a_set_is_stored_replaced_and_read_in_rank_order(b: Backend) {
    let db = &b.db;
    assert_eq!(db.evidence("a-1").await.unwrap(), None);
    let items = vec![
        item(2, ItemRef::Web("https://example.invalid/page?q=1".into())),
        item(0, ItemRef::Post(17)),
        item(1, ItemRef::Comment(18)),
        item(3, ItemRef::News("n-9".into())),
    ];
    db.store_evidence("a-1", "{\"query\":\"q\"}", "{\"n\":4}", &items, 1_000)
        .await
        .unwrap();
    let stored = db.evidence("a-1").await.unwrap().unwrap();
    assert_eq!(stored.definition, "{\"query\":\"q\"}");
    assert_eq!(stored.stats, "{\"n\":4}");
    assert_eq!(stored.created_at, 1_000);
    let mut by_rank = items.clone();
    by_rank.sort_by_key(|i| i.rank);
    assert_eq!(stored.items, by_rank, "{}", b.name);

    // Replaced whole: nothing of the first set's items or figures is left.
    let many: Vec<StoredEvidenceItem> = (0..1_234).map(|r| item(r, ItemRef::Post(r))).collect();
    db.store_evidence("a-1", "{\"query\":\"q2\"}", "{\"n\":1234}", &many, 2_000)
        .await
        .unwrap();
    let replaced = db.evidence("a-1").await.unwrap().unwrap();
    assert_eq!(
        (replaced.stats.as_str(), replaced.created_at),
        ("{\"n\":1234}", 2_000)
    );
    assert_eq!(replaced.items, many);

    // Sets are apart; an empty one is a set.
    db.store_evidence("t-1", "{}", "{}", &[], 3_000)
        .await
        .unwrap();
    assert_eq!(db.evidence("t-1").await.unwrap().unwrap().items, []);
    assert_eq!(
        db.evidence("a-1").await.unwrap().unwrap().items.len(),
        1_234
    );

    // A set that cannot be stored leaves the one before it.
    let clash = vec![item(0, ItemRef::Post(1)), item(0, ItemRef::Post(2))];
    assert!(db
        .store_evidence("a-1", "{}", "{}", &clash, 4_000)
        .await
        .is_err());
    assert_eq!(db.evidence("a-1").await.unwrap().unwrap().created_at, 2_000);
}

/// The row id of the post holding `word`.
async fn id_of(db: &Database, word: &str) -> i64 {
    let hits = db.search_posts(&PostSearch::new(word, 5)).await.unwrap();
    assert_eq!(hits.len(), 1, "{word}: {hits:?}");
    hits[0].id
}

async fn posts_and_news_are_found_by_id_in_the_order_asked(b: Backend) {
    let db = &b.db;
    let mut comment = post("wb", "c1", "zebra comment on the recall");
    comment.kind = PostKind::Comment;
    comment.content_id = Some("p1".into());
    let written = [
        post("wb", "p1", "aardvark recall announced"),
        post("xhs", "p2", "badger queue at the canteen"),
        comment,
    ];
    db.upsert_posts(&written).await.unwrap();
    let (p1, p2, c1) = (
        id_of(db, "aardvark").await,
        id_of(db, "badger").await,
        id_of(db, "zebra").await,
    );
    let missing = p1.max(p2).max(c1) + 1_000;
    let found = db.posts_by_ids(&[c1, missing, p1, c1]).await.unwrap();
    let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [c1, p1], "{}", b.name);
    assert_eq!(found[0].1, written[2], "read back as written");
    assert_eq!(found[1].1, written[0]);
    assert_eq!(db.posts_by_ids(&[]).await.unwrap(), []);
    // More ids than one statement takes: the rows are found across statements.
    let mut wide: Vec<i64> = (missing..missing + 2_500).collect();
    wide.push(p2);
    wide.insert(0, c1);
    let found = db.posts_by_ids(&wide).await.unwrap();
    assert_eq!(
        found.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [c1, p2]
    );

    db.upsert_news(&[news("n-1", "hot one"), news("n-2", "hot two")])
        .await
        .unwrap();
    let asked: Vec<String> = ["n-2", "n-none", "n-1", "n-2"].map(String::from).into();
    let found = db.news_by_ids(&asked).await.unwrap();
    assert_eq!(found, [news("n-2", "hot two"), news("n-1", "hot one")]);
    let mut wide: Vec<String> = (0..2_100).map(|i| format!("n-x{i}")).collect();
    wide.push("n-1".into());
    let found = db.news_by_ids(&wide).await.unwrap();
    assert_eq!(found, [news("n-1", "hot one")]);
}
