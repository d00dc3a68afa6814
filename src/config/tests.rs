//! Layering, validation and masking of the configuration, and the typed settings built from
//! it: every key they read is in the catalogue, and a key read when an actor starts restarts
//! that actor when it changes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::catalogue::{self, Affects, LlmEndpoint, Supervisor};
use super::read::Reader;
use super::{mask_url, Config, ConfigError, Inputs, RawConfig, Source};

fn inputs(dir: &tempfile::TempDir, toml: &str, dotenv: &str, env: &[(&str, &str)]) -> Inputs {
    let toml_path = dir.path().join("bettafish.toml");
    let env_path = dir.path().join(".env");
    std::fs::write(&toml_path, toml).unwrap();
    std::fs::write(&env_path, dotenv).unwrap();
    Inputs {
        toml_path,
        env_path,
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn later_layers_win() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(
        &dir,
        "port = 6000\nhost = \"0.0.0.0\"\n[supervision.engines]\nmax_restarts = 9\n",
        "PORT=7000\nSEARCH_TIMEOUT=60\n",
        &[("PORT", "8000"), ("UNRELATED", "x")],
    );
    let config = Config::load(&inputs).unwrap();
    assert_eq!(config.port, 8000);
    assert_eq!(config.raw.source("PORT"), Some(Source::Env));
    assert_eq!(config.host, "0.0.0.0");
    assert_eq!(config.raw.source("HOST"), Some(Source::Toml));
    assert_eq!(config.raw.get("SEARCH_TIMEOUT"), Some("60"));
    assert_eq!(config.supervision.of(Supervisor::Engines).max_restarts, 9);
    assert_eq!(config.supervision.of(Supervisor::Infra).max_restarts, 5);
    assert_eq!(config.search.timeout, Duration::from_secs(60));
    assert_eq!(config.raw.get("UNRELATED"), None);
    assert!(!config.is_loopback());
}

#[test]
fn defaults_alone_make_a_working_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(&inputs(&dir, "", "", &[])).unwrap();
    assert_eq!((config.host.as_str(), config.port), ("127.0.0.1", 5000));
    assert!(config.is_loopback());
    assert_eq!(config.data_dir, std::path::PathBuf::from("./data"));
}

#[test]
fn invalid_values_name_the_key_and_layer() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        ("PORT", "70000", "PORT (from Env)"),
        ("PORT", "http", "PORT (from Env)"),
        ("DB_DIALECT", "mysql", "not supported"),
        ("BETTAFISH_MAX_BODY_BYTES", "12", "BETTAFISH_MAX_BODY_BYTES"),
        ("QUERY_ENGINE_BASE_URL", "ftp://x", "QUERY_ENGINE_BASE_URL"),
        (
            "SUPERVISION_ENGINES_PERIOD_SECS",
            "0",
            "SUPERVISION_ENGINES_PERIOD_SECS",
        ),
        // Above the default BACKOFF_MAX_MS of 30 s.
        (
            "SUPERVISION_REPORTS_BACKOFF_MIN_MS",
            "40000",
            "SUPERVISION_REPORTS_BACKOFF_MIN_MS (from Env): is greater",
        ),
        ("MAX_PARAGRAPHS", "0", "MAX_PARAGRAPHS (from Env)"),
        ("DB_POOL_MIN_IDLE", "20", "DB_POOL_MIN_IDLE (from Env)"),
        // Issue 12 review: the history must hold a few maximum-size events as stored (about
        // 3× their payload each), not one payload: 16 MiB for the default 64 MiB history.
        (
            "BETTAFISH_EVENT_MAX_BYTES",
            "16777216",
            "BETTAFISH_EVENT_HISTORY_MAX_BYTES (from Default): must hold at least 4 events",
        ),
    ];
    for (key, value, expected) in cases {
        let err = Config::load(&inputs(&dir, "", "", &[(key, value)])).unwrap_err();
        assert!(err.to_string().contains(expected), "{key}={value}: {err}");
    }
    let err = Config::load(&inputs(&dir, "port = [1", "", &[])).unwrap_err();
    assert!(matches!(err, ConfigError::Toml { .. }), "{err}");
    let err = Config::load(&inputs(&dir, "", "PORT=1\nbroken line\n", &[])).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn secrets_are_masked_in_descriptions() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(&inputs(
        &dir,
        "",
        "QUERY_ENGINE_API_KEY=sk-live-123\nDATABASE_URL=postgres://u:pw@db:5432/x\n",
        &[],
    ))
    .unwrap();
    let views = config.describe();
    let find = |k: &str| views.iter().find(|v| v.key == k).unwrap().value.clone();
    assert_eq!(find("QUERY_ENGINE_API_KEY").as_deref(), Some("********"));
    assert_eq!(
        find("DATABASE_URL").as_deref(),
        Some("postgres://u:***@db:5432/x")
    );
    assert_eq!(find("PORT").as_deref(), Some("5000"));
    let all = serde_json::to_string(&views).unwrap();
    assert!(!all.contains("sk-live-123") && !all.contains(":pw@"));
}

#[test]
fn writing_changes_validates_everything_first() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(&dir, "", "# mine\nPORT=5000\n", &[]);
    let config = Config::load(&inputs).unwrap();
    let bad: BTreeMap<String, String> = [
        ("SEARCH_TIMEOUT".into(), "30".into()),
        ("PORT".into(), "x\nEVIL=1".into()),
    ]
    .into();
    assert!(super::write_changes(&config, &bad).is_err());
    assert_eq!(
        std::fs::read_to_string(&inputs.env_path).unwrap(),
        "# mine\nPORT=5000\n"
    );
    let locked: BTreeMap<String, String> = [("BETTAFISH_OPERATOR_TOKEN".into(), "x".into())].into();
    assert!(matches!(
        super::write_changes(&config, &locked),
        Err(ConfigError::NotSettable(_))
    ));
    let good: BTreeMap<String, String> = [
        ("SEARCH_TIMEOUT".into(), "30".into()),
        ("PORT".into(), "5000".into()),
    ]
    .into();
    let changed = super::write_changes(&config, &good).unwrap();
    assert_eq!(
        changed.iter().map(|k| k.name).collect::<Vec<_>>(),
        ["SEARCH_TIMEOUT"]
    );
    assert_eq!(
        std::fs::read_to_string(&inputs.env_path).unwrap(),
        "# mine\nPORT=\"5000\"\nSEARCH_TIMEOUT=\"30\"\n"
    );
}

#[test]
fn urls_are_shown_without_any_password() {
    assert_eq!(
        mask_url("postgres://u:secret@h:5432/db"),
        "postgres://u:***@h:5432/db"
    );
    assert_eq!(mask_url("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
    assert_eq!(
        mask_url("postgres://u@h/db?sslmode=require&password=secret"),
        "postgres://u:***@h/db?sslmode=require&password=***"
    );
    assert_eq!(mask_url("redis://h:6379"), "redis://h:6379");
    assert_eq!(mask_url("sqlite://data/x.db"), "sqlite://data/x.db");
    for url in [
        "postgres://u:pa@ss@h/db?x=1",
        "postgres://h/db?PassWord=pa@ss",
    ] {
        assert!(!mask_url(url).contains("pa@ss"), "{url}");
    }
}

#[test]
fn the_database_url_comes_from_database_url_or_the_db_keys() {
    let dir = tempfile::tempdir().unwrap();
    let load = |env: &[(&str, &str)]| Config::load(&inputs(&dir, "", "", env)).unwrap();
    let embedded = load(&[]);
    assert!(
        embedded.database_url.starts_with("sqlite://"),
        "{}",
        embedded.database_url
    );
    assert!(embedded.database_url.ends_with("bettafish.db"));
    assert!(embedded.seed_sample, "the embedded demo gets the sample");
    let pg = load(&[
        ("DB_DIALECT", "postgresql"),
        ("DB_HOST", "::1"),
        ("DB_USER", "bf user"),
        ("DB_PASSWORD", "p@ss:w/rd"),
        ("DB_NAME", "bettafish"),
    ]);
    assert_eq!(
        pg.database_url,
        "postgres://bf%20user:p%40ss%3Aw%2Frd@[::1]:5432/bettafish"
    );
    assert!(
        !pg.seed_sample,
        "never on a configured database unless asked"
    );
    let url = load(&[
        ("DATABASE_URL", "postgres://u@h/db"),
        ("DB_DIALECT", "postgresql"),
    ]);
    assert_eq!(
        (url.database_url.as_str(), url.database_key),
        ("postgres://u@h/db", "DATABASE_URL")
    );
}

#[test]
fn llm_endpoint_keys_are_generated_from_one_table() {
    use super::catalogue::{llm_key, Kind, LlmSetting};
    let key = catalogue::find("QUERY_ENGINE_API_KEY").unwrap();
    assert!(key.secret);
    assert_eq!(key.affects, Affects::Actor("root/engines/query"));
    let url = catalogue::find("REPORT_ENGINE_BASE_URL").unwrap();
    assert_eq!(
        (url.kind, url.affects, url.secret),
        (Kind::Url, Affects::Nothing, false)
    );
    assert!(catalogue::find("QUERY_ENGINE_TEMPERATURE").is_none());
    assert_eq!(
        llm_key(LlmEndpoint::ForumHost, LlmSetting::ModelName).name,
        "FORUM_HOST_MODEL_NAME"
    );
    let all = catalogue::all();
    for endpoint in LlmEndpoint::ALL {
        for setting in LlmSetting::ALL {
            let name = llm_key(endpoint, setting).name;
            assert_eq!(all.iter().filter(|k| k.name == name).count(), 1, "{name}");
        }
    }
}

#[test]
fn the_catalogue_names_each_key_once_as_its_constant() {
    let all = catalogue::all();
    let mut seen = BTreeSet::new();
    for key in &all {
        assert!(
            seen.insert(key.name),
            "{} is in the catalogue twice",
            key.name
        );
        let found = catalogue::find(key.name).unwrap();
        assert_eq!((found.name, found.affects), (key.name, key.affects));
    }
    assert_eq!(catalogue::MAX_PARAGRAPHS.name, "MAX_PARAGRAPHS");
    assert_eq!(
        catalogue::find("MAX_PARAGRAPHS").unwrap().affects,
        Affects::Actor("root/engines")
    );
}

#[test]
fn settings_come_from_a_layer_or_the_catalogue_default() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(
        &dir,
        "",
        "MAX_REFLECTIONS=0\nFORUM_LOG_FOLLOW=/var/log/forum.log\n",
        &[("LLM_MAX_ATTEMPTS", "2"), ("MAX_PARAGRAPH", "9")],
    );
    let config = Config::load(&inputs).unwrap();
    assert_eq!(config.engines.reflections, 0, "set to zero in .env");
    assert_eq!(
        config.engines.max_paragraphs, 5,
        "the default: MAX_PARAGRAPH is not a key"
    );
    assert_eq!(config.analysis.engine_timeout, Duration::from_secs(600));
    assert_eq!(config.forum.host_every, 5);
    assert_eq!(
        config.forum.follow.as_deref(),
        Some(std::path::Path::new("/var/log/forum.log"))
    );
    assert_eq!(config.forum.log_path, config.data_dir.join("forum.log"));
    assert_eq!(config.llm.call.max_attempts, 2);
    assert!(
        config.llm.endpoint(LlmEndpoint::Query).is_none(),
        "no base URL, no endpoint"
    );
    assert_eq!(config.search.tavily_api_key, None);
    // The LLM call settings apply to every endpoint; unset ones keep their defaults.
    let config = Config::load(&inputs_with_llm(&dir)).unwrap();
    let query = config.llm.endpoint(LlmEndpoint::Query).unwrap();
    assert_eq!((query.max_attempts, query.model.as_str()), (2, "m"));
    assert_eq!((query.engine, query.api_key.as_deref()), ("query", None));
    assert_eq!(query.attempt_timeout, Duration::from_secs(180));
    let engine = config.llm.for_engine(actors::engines::EngineKind::Query);
    assert_eq!(
        engine.map(|c| c.base_url.as_str()),
        Some("http://127.0.0.1:9/v1")
    );
    assert!(config.llm.endpoint(LlmEndpoint::Media).is_none());
}

fn inputs_with_llm(dir: &tempfile::TempDir) -> Inputs {
    inputs(
        dir,
        "",
        "QUERY_ENGINE_BASE_URL=http://127.0.0.1:9/v1\nQUERY_ENGINE_MODEL_NAME=m\n",
        &[("LLM_MAX_ATTEMPTS", "2")],
    )
}

/// The raw layers of configurations that, between them, take every branch of
/// [`Config::from_raw`]: the defaults, PostgreSQL from the `DB_*` keys, `DATABASE_URL`, each
/// cache kind, every LLM endpoint and search provider configured.
fn raw_configurations(dir: &tempfile::TempDir) -> Vec<RawConfig> {
    use super::catalogue::{llm_key, LlmSetting};
    let mut everything: Vec<(String, String)> = LlmEndpoint::ALL
        .into_iter()
        .flat_map(|e| {
            [
                (
                    llm_key(e, LlmSetting::BaseUrl).name,
                    "http://127.0.0.1:9/v1",
                ),
                (llm_key(e, LlmSetting::ModelName).name, "m"),
                (llm_key(e, LlmSetting::ApiKey).name, "k"),
            ]
        })
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    for (k, v) in [
        ("TAVILY_API_KEY", "t"),
        ("BOCHA_WEB_SEARCH_API_KEY", "b"),
        ("BOCHA_BASE_URL", "http://127.0.0.1:9"),
        ("SEARXNG_URL", "http://127.0.0.1:9"),
        ("FORUM_LOG_FOLLOW", "/tmp/forum.log"),
        ("REDIS_URL", "redis://127.0.0.1:9"),
        ("CACHE_TYPE", "redis"),
        ("BETTAFISH_OPERATOR_TOKEN", "o"),
        ("BETTAFISH_VIEWER_TOKEN", "v"),
    ] {
        everything.push((k.to_owned(), v.to_owned()));
    }
    let everything: Vec<(&str, &str)> = everything
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let postgres = [
        ("DB_DIALECT", "postgresql"),
        ("DB_HOST", "db"),
        ("DB_USER", "u"),
        ("DB_PASSWORD", "p"),
        ("DB_NAME", "n"),
        ("CACHE_TYPE", "sqlite"),
    ];
    let envs: [&[(&str, &str)]; 4] = [
        &[],
        &everything,
        &postgres,
        &[("DATABASE_URL", "postgres://u@h/db")],
    ];
    envs.iter()
        .map(|env| super::load(&inputs(dir, "", "", env)).unwrap())
        .collect()
}

#[test]
fn every_key_the_settings_read_is_in_the_catalogue() {
    // The settings ask for keys only through the catalogue's constants and enums, so a misspelt
    // name does not compile; this checks that what they ask for is also what the layers load
    // and `GET /api/config` lists, whichever branch the configuration takes.
    let dir = tempfile::tempdir().unwrap();
    let listed: BTreeSet<&str> = catalogue::all().iter().map(|k| k.name).collect();
    let mut read = BTreeSet::new();
    for raw in raw_configurations(&dir) {
        let keys = Reader::new(&raw);
        Config::read(&keys, &dir.path().join(".env")).unwrap();
        for name in keys.keys_read() {
            assert!(
                listed.contains(name),
                "{name} is read but not in the catalogue"
            );
            read.insert(name);
        }
    }
    for name in [
        "DB_HOST",
        "DB_PASSWORD",
        "DATABASE_URL",
        "CACHE_MAX_BYTES",
        "REDIS_URL",
    ] {
        assert!(
            read.contains(name),
            "{name}: a branch of from_raw went untested"
        );
    }
    // The other way round: keys no setting reads are the ones known not to be.
    let unread: BTreeSet<&str> = listed.difference(&read).copied().collect();
    let expected: BTreeSet<&str> = [
        // Where the files are: read from the process environment before any file is.
        "BETTAFISH_CONFIG",
        "BETTAFISH_ENV_FILE",
        // The original's, accepted so its .env files load; nothing uses them yet.
        "DB_CHARSET",
        "SEARCH_CONTENT_MAX_LENGTH",
        "DEFAULT_SEARCH_HOT_CONTENT_LIMIT",
        "DEFAULT_SEARCH_TOPIC_GLOBALLY_LIMIT_PER_TABLE",
        "DEFAULT_SEARCH_TOPIC_BY_DATE_LIMIT_PER_TABLE",
        "DEFAULT_GET_COMMENTS_FOR_TOPIC_LIMIT",
        "DEFAULT_SEARCH_TOPIC_ON_PLATFORM_LIMIT",
        "MAX_SEARCH_RESULTS_FOR_LLM",
        "MAX_HIGH_CONFIDENCE_SENTIMENT_RESULTS",
    ]
    .into();
    assert_eq!(unread, expected);
}

#[test]
fn a_key_read_when_an_actor_starts_restarts_that_actor() {
    use super::settings::{
        AnalysisSettings, EngineSettings, ForumSettings, LlmSettings, SearchSettings, Supervision,
    };
    let dir = tempfile::tempdir().unwrap();
    let everything = &raw_configurations(&dir)[1];
    let read_by = |group: &dyn Fn(&Reader<'_>)| {
        let keys = Reader::new(everything);
        group(&keys);
        keys.keys_read()
    };
    let affects = |name: &str| catalogue::find(name).unwrap().affects;
    let engines = Affects::Actor("root/engines");
    for name in read_by(&|k| {
        EngineSettings::read(k).unwrap();
        SearchSettings::read(k).unwrap();
    }) {
        assert_eq!(affects(name), engines, "{name}");
    }
    for name in read_by(&|k| {
        ForumSettings::read(k, std::path::Path::new("data")).unwrap();
    }) {
        assert_eq!(
            affects(name),
            Affects::Actor("root/engines/forum"),
            "{name}"
        );
    }
    // The call settings reach every endpoint; each endpoint's keys, the actor that asks it.
    for name in read_by(&|k| {
        LlmSettings::read(k).unwrap();
    }) {
        let endpoint = LlmEndpoint::ALL
            .into_iter()
            .find(|e| name.starts_with(&format!("{}_", e.prefix())));
        let expected = match endpoint {
            Some(e) => e.actor().map_or(Affects::Nothing, Affects::Actor),
            None => engines,
        };
        assert_eq!(affects(name), expected, "{name}");
    }
    // Read for each new analysis.
    for name in read_by(&|k| {
        AnalysisSettings::read(k).unwrap();
    }) {
        assert_eq!(affects(name), Affects::Nothing, "{name}");
    }
    let supervision = read_by(&|k| {
        Supervision::read(k).unwrap();
    });
    assert_eq!(supervision.len(), Supervisor::ALL.len() * 4);
    for name in supervision {
        let supervisor = Supervisor::ALL
            .into_iter()
            .find(|s| name.contains(&format!("_{}_", s.name().to_ascii_uppercase())))
            .unwrap();
        let expected = match supervisor {
            Supervisor::Root => Affects::NextStart,
            branch => Affects::Actor(branch.path()),
        };
        assert_eq!(affects(name), expected, "{name}");
    }
}

#[test]
fn every_supervisor_of_the_tree_has_settings() {
    use actors::tree::{BRANCHES, ROOT};
    let tree: Vec<&str> = std::iter::once(ROOT).chain(BRANCHES).collect();
    let configurable: Vec<&str> = Supervisor::ALL.iter().map(|s| s.name()).collect();
    assert_eq!(tree, configurable);
    for name in tree {
        let supervisor = Supervisor::named(name).unwrap();
        assert!(supervisor.path().ends_with(name));
    }
    assert_eq!(Supervisor::named("query"), None);
}

#[test]
fn allowed_hosts_spell_ipv6_as_requests_do() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(&inputs(
        &dir,
        "",
        "",
        &[(
            "BETTAFISH_ALLOWED_HOSTS",
            "2001:DB8::1, [2001:db8:0::2], Example.COM, 10.0.0.1",
        )],
    ))
    .unwrap();
    assert_eq!(
        config.origins.allowed_hosts,
        ["[2001:db8::1]", "[2001:db8::2]", "example.com", "10.0.0.1"]
    );
}
