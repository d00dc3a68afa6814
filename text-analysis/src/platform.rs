//! Platform names spelled one way: the crawlers' codes (`wb`, `xhs`, `dy`…) and their long
//! forms (`weibo`) become one canonical code, shown by one display name per language.
//!
//! Reports used to show `wb` and `weibo` side by side as if they were two platforms, because
//! each crawler and search provider names platforms its own way. Every name goes through
//! [`canonical`] once, when an item joins an evidence set; readers only ever see [`display`].

/// A known platform: its canonical code, every spelling that means it, and its display names.
struct Known {
    code: &'static str,
    /// Lowercased spellings (codes, long forms, Chinese names).
    aliases: &'static [&'static str],
    /// Web hosts whose pages are the platform's (a search provider may name a page by host).
    hosts: &'static [&'static str],
    zh: &'static str,
    en: &'static str,
}

const KNOWN: &[Known] = &[
    Known {
        code: "weibo",
        aliases: &[
            "wb",
            "weibo",
            "sina weibo",
            "sina_weibo",
            "微博",
            "新浪微博",
        ],
        hosts: &["weibo.com", "weibo.cn"],
        zh: "微博",
        en: "Weibo",
    },
    Known {
        code: "xiaohongshu",
        aliases: &["xhs", "xiaohongshu", "小红书"],
        hosts: &["xiaohongshu.com", "xhslink.com"],
        zh: "小红书",
        en: "Xiaohongshu",
    },
    Known {
        code: "douyin",
        aliases: &["dy", "douyin", "抖音"],
        hosts: &["douyin.com", "iesdouyin.com"],
        zh: "抖音",
        en: "Douyin",
    },
    Known {
        code: "kuaishou",
        aliases: &["ks", "kuaishou", "快手"],
        hosts: &["kuaishou.com"],
        zh: "快手",
        en: "Kuaishou",
    },
    Known {
        code: "bilibili",
        aliases: &["bili", "bilibili", "哔哩哔哩", "b站"],
        hosts: &["bilibili.com", "b23.tv"],
        zh: "哔哩哔哩",
        en: "Bilibili",
    },
    Known {
        code: "tieba",
        aliases: &["tieba", "baidu tieba", "贴吧", "百度贴吧"],
        hosts: &["tieba.baidu.com"],
        zh: "百度贴吧",
        en: "Tieba",
    },
    Known {
        code: "zhihu",
        aliases: &["zhihu", "知乎"],
        hosts: &["zhihu.com"],
        zh: "知乎",
        en: "Zhihu",
    },
    Known {
        code: "toutiao",
        aliases: &["toutiao", "今日头条", "头条"],
        hosts: &["toutiao.com"],
        zh: "今日头条",
        en: "Toutiao",
    },
    // The hot lists MindSpider reads (newsnow ids), so news items name their source properly.
    Known {
        code: "thepaper",
        aliases: &["thepaper", "the paper", "澎湃", "澎湃新闻"],
        hosts: &["thepaper.cn"],
        zh: "澎湃新闻",
        en: "The Paper",
    },
    Known {
        code: "wallstreetcn",
        aliases: &["wallstreetcn", "华尔街见闻"],
        hosts: &["wallstreetcn.com"],
        zh: "华尔街见闻",
        en: "Wallstreetcn",
    },
    Known {
        code: "cls",
        aliases: &["cls", "cls-hot", "财联社"],
        hosts: &["cls.cn"],
        zh: "财联社",
        en: "CLS",
    },
    Known {
        code: "xueqiu",
        aliases: &["xueqiu", "雪球"],
        hosts: &["xueqiu.com"],
        zh: "雪球",
        en: "Xueqiu",
    },
    Known {
        code: "coolapk",
        aliases: &["coolapk", "酷安"],
        hosts: &["coolapk.com"],
        zh: "酷安",
        en: "Coolapk",
    },
];

/// The code an item gets when nothing named its platform, so it still counts somewhere.
pub const UNKNOWN: &str = "unknown";

/// The host of `name` when it is a URL or a bare host (`https://m.weibo.cn/…`, `www.zhihu.com`).
fn host_of(name: &str) -> Option<&str> {
    let rest = name
        .strip_prefix("https://")
        .or_else(|| name.strip_prefix("http://"))
        .unwrap_or(name);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let looks_like_host =
        host.contains('.') && host.is_ascii() && !host.contains(char::is_whitespace);
    looks_like_host.then_some(host)
}

/// The canonical code of a platform as a crawler or search provider named it (`wb` and
/// `weibo` → `weibo`); an unknown name is kept, lowercased and trimmed, and an empty one is
/// [`UNKNOWN`].
pub fn canonical(name: &str) -> String {
    let lowered = name.trim().to_lowercase();
    if lowered.is_empty() {
        return UNKNOWN.to_owned();
    }
    if let Some(known) = KNOWN.iter().find(|k| k.aliases.contains(&lowered.as_str())) {
        return known.code.to_owned();
    }
    if let Some(host) = host_of(&lowered) {
        let on = |h: &&str| host == *h || host.ends_with(&format!(".{h}"));
        if let Some(known) = KNOWN.iter().find(|k| k.hosts.iter().any(on)) {
            return known.code.to_owned();
        }
    }
    lowered
}

/// Whether `word` (lowercased) names a known platform in any spelling: such words say where
/// something was posted, not what it is about, so they are not keywords.
pub fn is_platform_name(word: &str) -> bool {
    KNOWN
        .iter()
        .any(|k| k.aliases.contains(&word) || k.zh == word || k.en.eq_ignore_ascii_case(word))
}

/// The display name of a canonical code (`weibo` → `微博` / `Weibo`); an unknown code is
/// shown as it is (a news source's own name), [`UNKNOWN`] as "unknown" in the language.
pub fn display(code: &str, zh: bool) -> String {
    if let Some(known) = KNOWN.iter().find(|k| k.code == code) {
        return (if zh { known.zh } else { known.en }).to_owned();
    }
    match (code, zh) {
        (UNKNOWN, true) => "未知平台".to_owned(),
        (UNKNOWN, false) => "Unknown".to_owned(),
        _ => code.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    //! Every spelling of a platform is one code, and each code one name per language.
    use super::*;

    #[test]
    fn every_spelling_becomes_one_code() {
        let cases = [
            (
                "weibo",
                &["wb", "weibo", "WB", " Weibo ", "sina weibo", "微博"][..],
            ),
            ("xiaohongshu", &["xhs", "xiaohongshu", "小红书"]),
            ("douyin", &["dy", "douyin", "抖音"]),
            ("kuaishou", &["ks", "kuaishou", "快手"]),
            ("bilibili", &["bili", "bilibili", "哔哩哔哩", "b站", "B站"]),
            ("tieba", &["tieba", "贴吧"]),
            ("zhihu", &["zhihu", "知乎"]),
            ("toutiao", &["toutiao", "今日头条"]),
        ];
        for (code, spellings) in cases {
            for s in spellings {
                assert_eq!(canonical(s), code, "{s}");
            }
        }
    }

    #[test]
    fn hosts_of_known_platforms_are_the_platform() {
        assert_eq!(canonical("https://m.weibo.cn/status/1"), "weibo");
        assert_eq!(canonical("www.zhihu.com"), "zhihu");
        assert_eq!(canonical("tieba.baidu.com"), "tieba");
        // A look-alike host is not the platform.
        assert_eq!(canonical("notweibo.com"), "notweibo.com");
    }

    #[test]
    fn unknown_names_are_kept_lowercased_and_trimmed() {
        assert_eq!(canonical("  Xinhua "), "xinhua");
        assert_eq!(canonical("新华社"), "新华社");
        assert_eq!(canonical("澎湃新闻"), "thepaper");
        assert_eq!(canonical("  "), UNKNOWN);
        assert_eq!(canonical("Baidu search"), "baidu search");
    }

    #[test]
    fn display_names_per_language() {
        assert_eq!(display("weibo", true), "微博");
        assert_eq!(display("weibo", false), "Weibo");
        assert_eq!(display("xiaohongshu", true), "小红书");
        assert_eq!(display("douyin", false), "Douyin");
        assert_eq!(display("kuaishou", true), "快手");
        assert_eq!(display("bilibili", true), "哔哩哔哩");
        assert_eq!(display("tieba", true), "百度贴吧");
        assert_eq!(display("tieba", false), "Tieba");
        assert_eq!(display("zhihu", false), "Zhihu");
        assert_eq!(display("toutiao", true), "今日头条");
        assert_eq!(display("xinhua", true), "xinhua");
        assert_eq!(display(UNKNOWN, false), "Unknown");
        // What display shows, canonical reads back.
        for k in KNOWN {
            assert_eq!(canonical(&display(k.code, true)), k.code);
            assert_eq!(canonical(&display(k.code, false)), k.code);
        }
    }
}
