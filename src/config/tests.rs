//! Layering, validation and masking of the configuration.

use std::collections::BTreeMap;

use super::{mask_url, Config, ConfigError, Inputs, Source};

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
    assert_eq!(config.supervision_for("ENGINES").unwrap().max_restarts, 9);
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
    use super::catalogue::{self, Affects, Kind};
    let key = catalogue::find("QUERY_ENGINE_API_KEY").unwrap();
    assert!(key.secret);
    assert_eq!(key.affects, Affects::Actor("root/engines/query"));
    let url = catalogue::find("REPORT_ENGINE_BASE_URL").unwrap();
    assert_eq!(
        (url.kind, url.affects, url.secret),
        (Kind::Url, Affects::Nothing, false)
    );
    assert!(catalogue::find("QUERY_ENGINE_TEMPERATURE").is_none());
    let all = catalogue::all();
    for endpoint in catalogue::LLM_ENDPOINTS {
        for suffix in ["API_KEY", "BASE_URL", "MODEL_NAME"] {
            let name = format!("{}_{suffix}", endpoint.prefix);
            assert_eq!(all.iter().filter(|k| k.name == name).count(), 1, "{name}");
        }
    }
}

#[test]
fn counts_come_from_a_layer_or_the_catalogue_default() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(
        &dir,
        "",
        "MAX_REFLECTIONS=0\n",
        &[("LLM_MAX_ATTEMPTS", "2")],
    );
    let config = Config::load(&inputs).unwrap();
    assert_eq!(config.count("MAX_REFLECTIONS"), 0, "set to zero in .env");
    assert_eq!(config.count("ANALYSIS_ENGINE_TIMEOUT"), 600, "the default");
    assert_eq!(config.count("NOT_A_KEY"), 0);
    assert!(
        config.llm("QUERY_ENGINE").is_none(),
        "no base URL, no endpoint"
    );
    // The LLM call settings apply to every endpoint; unset ones keep their defaults.
    let config = Config::load(&inputs_with_llm(&dir)).unwrap();
    let query = config.llm("QUERY_ENGINE").unwrap();
    assert_eq!((query.max_attempts, query.model.as_str()), (2, "m"));
    assert_eq!(query.attempt_timeout, std::time::Duration::from_secs(180));
}

fn inputs_with_llm(dir: &tempfile::TempDir) -> Inputs {
    inputs(
        dir,
        "",
        "QUERY_ENGINE_BASE_URL=http://127.0.0.1:9/v1\nQUERY_ENGINE_MODEL_NAME=m\n",
        &[("LLM_MAX_ATTEMPTS", "2")],
    )
}
