//! MediaCrawler's files of every platform, in every format, into the unified model: fields
//! mapped, repeated imports idempotent, bad rows reported with file and line, a broken file
//! leaving nothing behind.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use storage::import::{import_file, ImportOptions};
use storage::model::PostKind;
use storage::{Database, PostSearch};

use super::backends::{on_each_backend, Backend};

on_each_backend!(
    every_platform_and_format_maps_into_the_unified_model,
    bad_rows_are_reported_with_file_and_line_and_broken_files_leave_nothing,
    the_sample_is_offered_once,
    the_sample_is_never_loaded_beside_data,
);

/// One content record and one comment record per platform, with MediaCrawler's field names.
fn records(platform: &str) -> (Value, Value) {
    match platform {
        "xhs" => (
            json!({"note_id": "65a1b2c3d4e5f60718293a4b", "type": "normal", "title": "食堂涨价实测",
                   "desc": "江北大学食堂红烧肉涨到18块", "time": 1763520000000i64, "user_id": "u-x",
                   "nickname": "小红", "liked_count": "1.2万", "collected_count": "350",
                   "comment_count": "88", "share_count": "12", "note_url": "https://www.xiaohongshu.com/explore/65a1",
                   "source_keyword": "食堂 涨价", "xsec_token": "abc", "last_modify_ts": 1763530000000i64}),
            json!({"comment_id": "c-x1", "note_id": "65a1b2c3d4e5f60718293a4b", "parent_comment_id": "0",
                   "content": "学生党真的吃不起了", "create_time": 1763521000000i64, "user_id": "u-y",
                   "nickname": "阿明", "like_count": 25, "sub_comment_count": 2}),
        ),
        "dy" => (
            json!({"aweme_id": "7301234567890123456", "aweme_type": "0", "title": "马拉松现场",
                   "desc": "滨海马拉松终点冲线瞬间", "create_time": 1763520000, "user_id": "d1",
                   "nickname": "跑者", "liked_count": "5432", "collected_count": "100",
                   "comment_count": "321", "share_count": "45", "aweme_url": "https://www.douyin.com/video/7301234567890123456",
                   "source_keyword": "马拉松"}),
            json!({"comment_id": "7301", "aweme_id": "7301234567890123456", "parent_comment_id": "0",
                   "content": "志愿者太棒了", "create_time": 1763521000, "like_count": "9",
                   "nickname": "路人", "user_id": "d2", "pictures": ""}),
        ),
        "ks" => (
            json!({"video_id": "3xabc", "video_type": "1", "title": "电池召回", "desc": "极澜汽车电池召回说明",
                   "create_time": 1763520000000i64, "user_id": "k1", "nickname": "车评人",
                   "liked_count": "2.5w", "viewd_count": "100000", "video_url": "https://www.kuaishou.com/short-video/3xabc",
                   "video_play_url": "https://v.example/3xabc.mp4", "source_keyword": "召回"}),
            json!({"comment_id": 998877, "video_id": "3xabc", "content": "我家那辆也在召回范围",
                   "create_time": 1763521000000i64, "user_id": "k2", "nickname": "车主", "sub_comment_count": "0"}),
        ),
        "bili" => (
            json!({"video_id": "1234567", "video_type": "video", "title": "AI 翻唱版权",
                   "desc": "AI 生成歌曲的版权到底归谁", "create_time": 1763520000, "user_id": "b1",
                   "nickname": "UP主", "liked_count": "777", "video_play_count": "10000",
                   "video_favorite_count": "66", "video_share_count": "5", "video_coin_count": "8",
                   "video_danmaku": "40", "video_comment": "55", "video_url": "https://www.bilibili.com/video/av1234567",
                   "source_keyword": "AI 版权"}),
            json!({"comment_id": "55001", "parent_comment_id": "0", "video_id": "1234567",
                   "content": "声音太像了", "create_time": 1763521000, "user_id": "b2", "nickname": "观众",
                   "sex": "保密", "sign": "", "like_count": "3", "sub_comment_count": "1"}),
        ),
        "wb" => (
            json!({"note_id": 4956123456789012i64, "content": "极澜汽车召回三万辆，车主怎么办？",
                   "create_time": 1763548800, "create_date_time": "2025-11-19 10:40:00",
                   "liked_count": "1024", "comments_count": "256", "shared_count": "64",
                   "note_url": "https://m.weibo.cn/detail/4956123456789012", "user_id": "w1",
                   "nickname": "汽车观察", "source_keyword": "极澜 召回"}),
            json!({"comment_id": "4956000000000001", "note_id": "4956123456789012", "parent_comment_id": "",
                   "content": "希望厂家给个说法", "create_time": 1763549000,
                   "create_date_time": "2025-11-19 10:43:20", "comment_like_count": "12",
                   "sub_comment_count": "0", "user_id": "w2", "nickname": "车主小王"}),
        ),
        "tieba" => (
            json!({"note_id": "9001", "title": "食堂涨价吧", "desc": "有没有人觉得二食堂最近贵了",
                   "note_url": "https://tieba.baidu.com/p/9001", "publish_time": "2025-11-19 09:00",
                   "user_link": "https://tieba.baidu.com/home/main?id=t1", "user_nickname": "吧友",
                   "tieba_name": "江北大学", "tieba_id": "t", "total_replay_num": 30,
                   "source_keyword": "食堂"}),
            json!({"comment_id": "9001-1", "parment_comment_id": "", "content": "确实贵了不少",
                   "publish_time": "2025-11-19 09:30", "note_id": "9001", "tieba_name": "江北大学",
                   "user_nickname": "楼主", "note_url": "https://tieba.baidu.com/p/9001"}),
        ),
        "zhihu" => (
            json!({"content_id": "z100", "content_type": "answer", "content_text": "从法律角度看，AI 模仿声音涉及人格权",
                   "content_url": "https://www.zhihu.com/question/1/answer/100", "question_id": "1",
                   "title": "如何看待 AI 翻唱", "created_time": "1763520000", "voteup_count": 4200,
                   "comment_count": 310, "user_id": "z1", "user_nickname": "律师", "source_keyword": "AI 翻唱"}),
            json!({"comment_id": "zc1", "parent_comment_id": "0", "content": "说得很清楚",
                   "publish_time": "1763521000", "like_count": 17, "content_id": "z100",
                   "content_type": "answer", "user_id": "z2", "user_nickname": "网友"}),
        ),
        other => panic!("{other}"),
    }
}

/// MediaCrawler's directory name for each platform.
const DIRS: [(&str, &str); 7] = [
    ("xhs", "xhs"),
    ("dy", "douyin"),
    ("ks", "kuaishou"),
    ("bili", "bili"),
    ("wb", "weibo"),
    ("tieba", "tieba"),
    ("zhihu", "zhihu"),
];

fn csv_of(record: &Value) -> String {
    let map = record.as_object().unwrap();
    let quote = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
    let header: Vec<String> = map.keys().map(|k| quote(k)).collect();
    let values: Vec<String> = map
        .values()
        .map(|v| match v {
            Value::String(s) => quote(s),
            other => quote(&other.to_string()),
        })
        .collect();
    // MediaCrawler writes CSV as utf-8-sig: a BOM first.
    format!("\u{feff}{}\n{}\n", header.join(","), values.join(","))
}

pub(super) fn write(dir: &Path, relative: &str, text: &str) -> PathBuf {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

pub(super) async fn import(
    db: &Database,
    path: &Path,
) -> storage::Result<storage::import::FileReport> {
    import_file(db, path, &ImportOptions::default(), &mut |_| {}).await
}

async fn every_platform_and_format_maps_into_the_unified_model(b: Backend) {
    let db = &b.db;
    let dir = tempfile::tempdir().unwrap();
    for (platform, folder) in DIRS {
        let (content, comment) = records(platform);
        // Contents as MediaCrawler's JSON (an indented array), comments as its CSV.
        let json = serde_json::to_string_pretty(&json!([content])).unwrap();
        let contents = write(
            dir.path(),
            &format!("data/{folder}/json/search_contents_2025-11-19.json"),
            &json,
        );
        let comments = write(
            dir.path(),
            &format!("data/{folder}/csv/search_comments_2025-11-19.csv"),
            &csv_of(&comment),
        );
        let report = import(db, &contents).await.unwrap();
        assert_eq!(
            (report.contents, report.written, report.skipped),
            (1, 1, 0),
            "{} {platform}: {report:?}",
            b.name
        );
        let report = import(db, &comments).await.unwrap();
        assert_eq!(
            (report.comments, report.written, report.skipped),
            (1, 1, 0),
            "{} {platform}: {report:?}",
            b.name
        );
        // A second import changes nothing.
        import(db, &contents).await.unwrap();
        import(db, &comments).await.unwrap();
    }
    assert_eq!(db.count_posts().await.unwrap(), 14, "{}", b.name);

    let find = |text: &'static str| async move {
        let hits = db.search_posts(&PostSearch::new(text, 5)).await.unwrap();
        assert_eq!(hits.len(), 1, "{}: {text}", b.name);
        hits.into_iter().next().unwrap().post
    };
    let xhs = find("红烧肉").await;
    assert_eq!(
        (xhs.platform.as_str(), xhs.kind),
        ("xhs", PostKind::Content)
    );
    assert_eq!(xhs.title.as_deref(), Some("食堂涨价实测"));
    assert_eq!(
        (
            xhs.liked_count,
            xhs.collected_count,
            xhs.comment_count,
            xhs.share_count
        ),
        (12_000, 350, 88, 12)
    );
    assert_eq!(
        (xhs.published_at, xhs.crawled_at),
        (Some(1_763_520_000_000), 1_763_530_000_000)
    );
    assert_eq!(xhs.source_keyword.as_deref(), Some("食堂 涨价"));
    let xhs_comment = find("吃不起").await;
    assert_eq!(xhs_comment.kind, PostKind::Comment);
    assert_eq!(
        xhs_comment.content_id.as_deref(),
        Some("65a1b2c3d4e5f60718293a4b")
    );
    assert_eq!((xhs_comment.parent_id, xhs_comment.liked_count), (None, 25));

    let dy = find("冲线").await;
    assert_eq!(
        (dy.platform.as_str(), dy.published_at),
        ("dy", Some(1_763_520_000_000))
    );
    let ks = find("召回说明").await;
    assert_eq!((ks.platform.as_str(), ks.liked_count), ("ks", 25_000));
    let ks_comment = find("召回范围").await;
    assert_eq!(
        (
            ks_comment.platform_id.as_str(),
            ks_comment.content_id.as_deref()
        ),
        ("998877", Some("3xabc"))
    );
    let bili = find("版权到底").await;
    assert_eq!(
        (bili.comment_count, bili.collected_count, bili.share_count),
        (55, 66, 5)
    );
    let wb = find("车主怎么办").await;
    assert_eq!(wb.platform_id, "4956123456789012");
    // The text time (China time), not MediaCrawler's shifted epoch.
    assert_eq!(
        wb.published_at,
        storage::clock::parse_time("2025-11-19T10:40:00+08:00")
    );
    assert_eq!((wb.comment_count, wb.share_count), (256, 64));
    let wb_comment = find("给个说法").await;
    assert_eq!((wb_comment.liked_count, wb_comment.parent_id), (12, None));
    let tieba = find("二食堂").await;
    assert_eq!(
        (tieba.platform.as_str(), tieba.comment_count),
        ("tieba", 30)
    );
    assert_eq!(tieba.author_name.as_deref(), Some("吧友"));
    let zhihu = find("人格权").await;
    assert_eq!((zhihu.liked_count, zhihu.comment_count), (4200, 310));
    assert_eq!(
        zhihu.raw.as_ref().unwrap()["question_id"],
        "1",
        "the raw record is kept"
    );
}

async fn bad_rows_are_reported_with_file_and_line_and_broken_files_leave_nothing(b: Backend) {
    let db = &b.db;
    let dir = tempfile::tempdir().unwrap();
    let (good, _) = records("dy");
    let mut no_id = good.clone();
    no_id.as_object_mut().unwrap().remove("aweme_id");
    let mut bad_count = good.clone();
    bad_count["aweme_id"] = json!("7301234567890000000");
    bad_count["liked_count"] = json!("lots");
    let lines = [
        good.to_string(),
        "{not json".to_owned(),
        String::new(),
        no_id.to_string(),
        "[1, 2]".to_owned(),
        bad_count.to_string(),
    ];
    let path = write(
        dir.path(),
        "data/douyin/jsonl/search_contents_x.jsonl",
        &lines.join("\n"),
    );
    let report = import(db, &path).await.unwrap();
    assert_eq!(
        (report.rows, report.written, report.skipped),
        (5, 1, 4),
        "{}: {report:?}",
        b.name
    );
    let problems: Vec<(u64, &str)> = report
        .problems
        .iter()
        .map(|p| (p.line, p.reason.as_str()))
        .collect();
    assert_eq!(
        problems.iter().map(|p| p.0).collect::<Vec<_>>(),
        [2, 4, 5, 6],
        "{}",
        b.name
    );
    assert!(problems[0].1.contains("malformed JSON"), "{problems:?}");
    assert!(problems[1].1.contains("no id"), "{problems:?}");
    assert!(
        problems[2].1.contains("expected a JSON object"),
        "{problems:?}"
    );
    assert!(problems[3].1.contains("liked_count"), "{problems:?}");
    assert!(report.problems[0]
        .to_string()
        .starts_with(&format!("{}:2: ", path.display())));

    // A CSV row with the wrong number of fields.
    let csv = "comment_id,aweme_id,content\nc1,a1,好\nc2,a1\nc3,a1,也好\n";
    let path = write(dir.path(), "data/douyin/csv/search_comments_x.csv", csv);
    let report = import(db, &path).await.unwrap();
    assert_eq!(
        (report.written, report.skipped),
        (2, 1),
        "{}: {report:?}",
        b.name
    );
    assert_eq!(report.problems[0].line, 3, "{}", b.name);

    // A JSON array cut short is fatal: nothing of it is written.
    let before = db.count_posts().await.unwrap();
    let (content, _) = records("xhs");
    let broken = format!("[{content}, {content}");
    let path = write(dir.path(), "data/xhs/json/search_contents_x.json", &broken);
    let err = import(db, &path).await.unwrap_err();
    assert!(err.to_string().contains("search_contents_x.json"), "{err}");
    assert_eq!(db.count_posts().await.unwrap(), before, "{}", b.name);

    // Unknown platform and format are clear errors.
    let path = write(
        dir.path(),
        "elsewhere/things.json",
        "[{\"id\": 1, \"text\": \"x\"}]",
    );
    let report = import(db, &path).await.unwrap();
    assert!(
        report.problems[0]
            .reason
            .contains("cannot tell the platform"),
        "{report:?}"
    );
    let path = write(dir.path(), "data/xhs/notes.txt", "hello");
    assert!(import(db, &path).await.is_err());
    let unknown = ImportOptions {
        platform: Some("myspace".into()),
        ..ImportOptions::default()
    };
    assert!(import_file(db, &path, &unknown, &mut |_| {}).await.is_err());
}

async fn the_sample_is_offered_once(b: Backend) {
    let db = &b.db;
    use storage::sample::FirstSeed;
    assert!(
        matches!(db.seed_sample_once().await.unwrap(), FirstSeed::Loaded(_)),
        "{}",
        b.name
    );
    assert!(
        matches!(db.seed_sample_once().await.unwrap(), FirstSeed::Skipped),
        "{}",
        b.name
    );
    // Emptied later (by hand): still not offered again.
    if b.name == "sqlite" {
        let pool = sqlx::SqlitePool::connect(&b.url).await.unwrap();
        sqlx::query("DELETE FROM posts_fts")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("DELETE FROM posts")
            .execute(&pool)
            .await
            .unwrap();
    } else {
        let pool = sqlx::PgPool::connect(&b.url).await.unwrap();
        sqlx::query("DELETE FROM posts")
            .execute(&pool)
            .await
            .unwrap();
    }
    assert_eq!(db.count_posts().await.unwrap(), 0, "{}", b.name);
    assert!(
        matches!(db.seed_sample_once().await.unwrap(), FirstSeed::Skipped),
        "{}",
        b.name
    );
}

async fn the_sample_is_never_loaded_beside_data(b: Backend) {
    let db = &b.db;
    db.upsert_posts(&[super::posts::post("wb", "real", "真实数据 real data")])
        .await
        .unwrap();
    assert!(matches!(
        db.seed_sample_once().await.unwrap(),
        storage::sample::FirstSeed::Skipped
    ));
    assert_eq!(
        db.count_posts().await.unwrap(),
        1,
        "{}: no sample beside real data",
        b.name
    );
}
