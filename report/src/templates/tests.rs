//! Templates: the built-in files all parse and keep their shape, the choice rules, and custom
//! templates' bounds and errors.

use std::collections::HashSet;

use super::*;

#[test]
fn every_builtin_kind_parses_in_both_languages() {
    for (kind, language, text) in BUILTIN_FILES {
        if let Err(e) = parse::template(text, kind, language) {
            panic!("{}.{}.md: {e}", kind.id(), language.code());
        }
    }
    let templates = Templates::builtin();
    assert_eq!(templates.all().len(), 12);
    for kind in TemplateKind::BUILTIN {
        for language in [Language::Zh, Language::En] {
            let template = templates.get(kind, language);
            assert!(template.is_some(), "no {kind:?} in {language:?}");
        }
    }
}

#[test]
fn builtin_templates_have_the_agreed_shape() {
    for template in Templates::builtin().all() {
        let name = format!("{}.{}", template.kind.id(), template.language.code());
        let chapters = &template.chapters;
        assert!(
            (5..=8).contains(&chapters.len()),
            "{name}: {} chapters",
            chapters.len()
        );
        assert_eq!(
            chapters[0].angle,
            Angle::Summary,
            "{name} starts with a summary"
        );
        assert_eq!(
            chapters.last().map(|c| c.angle),
            Some(Angle::Method),
            "{name}"
        );
        let ids: HashSet<&str> = chapters.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), chapters.len(), "{name}: chapter ids are unique");
        assert!(
            !template.title.is_empty() && !template.description.is_empty(),
            "{name}"
        );
        for chapter in chapters {
            assert_eq!(chapter.id, chapter.angle.id(), "{name}: ids are the angles");
            assert_ne!(
                chapter.intent, chapter.title,
                "{name}: {} has an intent",
                chapter.id
            );
        }
    }
}

#[test]
fn both_languages_of_a_kind_have_the_same_chapters() {
    let templates = Templates::builtin();
    for kind in TemplateKind::BUILTIN {
        let ids = |language| {
            templates
                .get(kind, language)
                .map(|t| t.chapters.iter().map(|c| c.id.clone()).collect::<Vec<_>>())
        };
        assert_eq!(ids(Language::Zh), ids(Language::En), "{kind:?}");
    }
}

#[test]
fn builtin_titles_infer_their_own_angles() {
    // The inference rules read the built-in titles as their authors meant them: a check
    // that the keyword lists fit the words reports actually use.
    for template in Templates::builtin().all() {
        for chapter in &template.chapters {
            assert_eq!(
                keywords::angle_for(&chapter.title),
                chapter.angle,
                "{}: {}",
                template.kind.id(),
                chapter.title
            );
        }
    }
}

#[test]
fn queries_choose_their_kind() {
    let templates = Templates::builtin();
    let cases = [
        ("某品牌汽车召回事件", TemplateKind::CrisisPr),
        ("CEO apology after data breach", TemplateKind::CrisisPr),
        ("Acme recall", TemplateKind::CrisisPr),
        ("个人所得税新规", TemplateKind::PolicyImpact),
        ("EU AI regulation", TemplateKind::PolicyImpact),
        ("华为VS苹果", TemplateKind::CompetitiveLandscape),
        ("iPhone vs. Pixel", TemplateKind::CompetitiveLandscape),
        ("Tesla versus BYD", TemplateKind::CompetitiveLandscape),
        ("小米品牌口碑", TemplateKind::BrandReputation),
        ("Nike brand reputation", TemplateKind::BrandReputation),
        ("今日舆情", TemplateKind::DailyMonitoring),
        ("daily news", TemplateKind::DailyMonitoring),
        ("武汉大学图书馆事件", TemplateKind::HotTopicEvent),
        ("", TemplateKind::HotTopicEvent),
        // Whole words only: no `law` in `lawn`, no `ban` in `banana`, no `vs` in `cvs`.
        (
            "lawn mowers and banana prices at cvs",
            TemplateKind::HotTopicEvent,
        ),
        // Earlier rules win: a brand's recall is a crisis.
        ("品牌召回", TemplateKind::CrisisPr),
    ];
    for (query, kind) in cases {
        assert_eq!(templates.choose(query), kind, "{query:?}");
    }
}

#[test]
fn a_custom_template_reads_like_a_builtin() {
    let text = "\u{feff}# 新品上市观察\n\n关注新品发布后的反响。\n\n## 摘要\n一句话结论。\n\n## 用户怎么说 {voices}\n### 好评\n### 差评\n- 尤其是价格\n\n## 其他\n## 其他二\n";
    let template = parse_custom(text, Language::Zh).unwrap();
    assert_eq!(template.kind, TemplateKind::Custom);
    assert_eq!(template.title, "新品上市观察");
    assert_eq!(template.description, "关注新品发布后的反响。");
    let got: Vec<(&str, &str, Angle, &str)> = template
        .chapters
        .iter()
        .map(|c| (c.id.as_str(), c.title.as_str(), c.angle, c.intent.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("summary", "摘要", Angle::Summary, "一句话结论。"),
            (
                "voices",
                "用户怎么说",
                Angle::Voices,
                "好评 差评 - 尤其是价格"
            ),
            // Two chapters of one angle: ids by position. No intent: the title says it.
            ("c3", "其他", Angle::General, "其他"),
            ("c4", "其他二", Angle::General, "其他二"),
        ]
    );
}

#[test]
fn custom_angles_are_inferred_in_both_languages() {
    let text = "## Sentiment by week\n## 投诉与维权\n## What to watch\n## Notes on #hashtags\n## 关于{品牌}的讨论\n";
    let template = parse_custom(text, Language::En).unwrap();
    let angles: Vec<Angle> = template.chapters.iter().map(|c| c.angle).collect();
    assert_eq!(
        angles,
        [
            Angle::Sentiment,
            Angle::Complaints,
            Angle::Outlook,
            Angle::General,
            Angle::General
        ]
    );
    assert_eq!(template.title, "Custom report");
    assert_eq!(template.chapters[4].title, "关于{品牌}的讨论");
}

#[test]
fn hashtags_are_text_not_headings() {
    let template = parse_custom("## 话题\n#某品牌# 的讨论\n", Language::Zh).unwrap();
    assert_eq!(template.chapters[0].intent, "#某品牌# 的讨论");
}

#[test]
fn custom_templates_are_bounded() {
    assert_eq!(
        parse_custom(" \n\t\n", Language::Zh),
        Err(TemplateError::Empty)
    );
    assert_eq!(
        parse_custom(&"## a\n".repeat(4000), Language::Zh),
        Err(TemplateError::TooLong {
            max: MAX_TEMPLATE_BYTES
        })
    );
    assert_eq!(
        parse_custom("# 只有标题\n说明\n", Language::Zh),
        Err(TemplateError::NoChapters)
    );
    assert_eq!(
        parse_custom(&"## 章\n".repeat(MAX_CHAPTERS + 1), Language::Zh),
        Err(TemplateError::TooManyChapters { max: MAX_CHAPTERS })
    );
    assert!(parse_custom(&"## 章\n".repeat(MAX_CHAPTERS), Language::Zh).is_ok());
}

#[test]
fn custom_template_errors_name_the_line() {
    let line_error = |text: &str| match parse_custom(text, Language::En) {
        Err(TemplateError::Line { line, reason }) => (line, reason),
        other => panic!("{text:?} gave {other:?}"),
    };
    assert_eq!(
        line_error("# T\n## ok\nbell \u{7} here\n"),
        (3, "a control character (U+0007)".to_owned())
    );
    assert_eq!(
        line_error("## a\r\n## b\rc\n"),
        (2, "a control character (U+000D)".to_owned())
    );
    let (line, reason) = line_error(&format!("## ok\n\n## {}\n", "长".repeat(81)));
    assert_eq!(
        (line, reason.as_str()),
        (3, "the title has 81 characters, more than 80")
    );
    assert!(parse_custom(&format!("## {}\n", "长".repeat(80)), Language::Zh).is_ok());
    let (line, reason) = line_error(&format!("# {}\n## ok\n", "t".repeat(81)));
    assert_eq!(line, 1, "{reason}");
    assert_eq!(
        line_error("## ok\n##\n"),
        (2, "the heading has no title".to_owned())
    );
    assert_eq!(
        line_error("## ok {summary}\n# Late title\n"),
        (
            2,
            "a second `# ` title (chapters are `## ` headings)".to_owned()
        )
    );
    let (line, reason) = line_error("## a\n## b {sentimnet}\n");
    assert_eq!(line, 2);
    assert!(
        reason.starts_with("unknown angle `{sentimnet}` (one of: summary, overview"),
        "{reason}"
    );
}

#[test]
fn angle_ids_round_trip_and_match_serde() {
    for angle in Angle::ALL {
        assert_eq!(Angle::parse(angle.id()), Some(angle));
        let json = serde_json::to_string(&angle).unwrap();
        assert_eq!(json, format!("\"{}\"", angle.id()));
    }
    assert_eq!(Angle::parse("nope"), None);
}
