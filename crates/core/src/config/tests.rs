//! Configuration layering and error messages.

use super::*;

fn file(text: &str) -> ConfigFile {
    ConfigFile {
        path: PathBuf::from("/home/ana/.config/convx/config.toml"),
        text: text.to_string(),
    }
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn err(text: &str) -> String {
    Config::from_file(&file(text)).unwrap_err().to_string()
}

#[test]
fn defaults_without_file_or_env() {
    let cfg = Config::load(None, &BTreeMap::new()).unwrap();
    assert_eq!(cfg, Config::default());
    assert!(cfg.redact.enabled);
    assert!(!cfg.anonymize.enabled);
    assert_eq!(cfg.anonymize.user_alias, "user");
    assert!(cfg.redact_config(&Identity::default()).anonymize.is_none());
}

#[test]
fn full_file() {
    let text = r#"
[redact]
enabled = true
allowlist = ["sk_test_not_a_secret"]
allowlist_regexes = ['^ghp_0{36}$']
keyword_lines = ["AcmeCorp"]

[[redact.rules]]
id = "acme-license"
regex = 'ACME-[0-9]{8}'
keywords = ["acme-"]

[anonymize]
enabled = true
user_alias = "me"
host_alias = "laptop"

[archive]
[index]
[pricing]
"#;
    let cfg = Config::from_file(&file(text)).unwrap();
    assert_eq!(cfg.redact.rules[0].id, "acme-license");
    assert_eq!(cfg.redact.keyword_lines, vec!["AcmeCorp"]);
    let id = Identity {
        home: Some("/home/ana".into()),
        user: Some("anabel".into()),
        host: Some("box1".into()),
    };
    let rc = cfg.redact_config(&id);
    let a = rc.anonymize.clone().unwrap();
    assert_eq!(
        (
            a.home.as_deref(),
            a.user_alias.as_str(),
            a.host_alias.as_str()
        ),
        (Some("/home/ana"), "me", "laptop")
    );
    let r = Redactor::new(&rc).unwrap();
    assert_eq!(
        r.redact_text("ACME-12345678 at /home/ana/x"),
        "[REDACTED:acme-license] at ~/x"
    );
}

#[test]
fn env_overrides_file_and_flags_come_last() {
    let f = file(
        "[redact]\nenabled = false\nkeyword_lines = [\"a\"]\n[anonymize]\nuser_alias = \"me\"\n",
    );
    let cfg = Config::load(Some(&f), &BTreeMap::new()).unwrap();
    assert!(!cfg.redact.enabled);
    let e = env(&[
        ("CONVX_REDACT_ENABLED", "yes"),
        ("CONVX_REDACT_KEYWORD_LINES", "acme, initech"),
        ("CONVX_ANONYMIZE_HOST_ALIAS", "true"),
        ("CONVX_ANONYMIZE_MASK_EMAILS", "0"),
        ("CONVX_CONFIG", "/elsewhere.toml"),
        ("CONVX_LOG", "debug"),
        ("HOME", "/root"),
    ]);
    let mut cfg = Config::load(Some(&f), &e).unwrap();
    assert!(cfg.redact.enabled);
    assert_eq!(cfg.redact.keyword_lines, vec!["acme", "initech"]);
    assert_eq!(cfg.anonymize.user_alias, "me", "file value kept");
    assert_eq!(
        cfg.anonymize.host_alias, "true",
        "a string field takes the word as text"
    );
    assert!(!cfg.anonymize.mask_emails);
    // Flags are applied by the caller on the loaded value.
    cfg.anonymize.enabled = true;
    assert!(cfg.redact_config(&Identity::default()).anonymize.is_some());
}

#[test]
fn env_accepts_toml_literals() {
    let e = env(&[
        (
            "CONVX_REDACT_RULES",
            r#"[{ id = "x-key", regex = 'X-[0-9]{4}' }]"#,
        ),
        ("CONVX_REDACT_ALLOWLIST", r#"["a,b", "c"]"#),
    ]);
    let cfg = Config::load(None, &e).unwrap();
    assert_eq!(cfg.redact.rules[0].regex, "X-[0-9]{4}");
    assert_eq!(cfg.redact.allowlist, vec!["a,b", "c"]);
}

#[test]
fn env_errors_name_the_variable() {
    let e = Config::load(None, &env(&[("CONVX_REDACT_ENABELD", "false")])).unwrap_err();
    assert!(
        matches!(&e, ConfigError::Env { var, .. } if var == "CONVX_REDACT_ENABELD"),
        "{e}"
    );
    assert!(e.to_string().contains("unknown field `enabeld`"), "{e}");
    let e = Config::load(None, &env(&[("CONVX_REDACT_ALLOWLIST_REGEXES", "[")])).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("environment variable CONVX_REDACT_ALLOWLIST_REGEXES: allowlist regex #0"),
        "{e}"
    );
}

#[test]
fn unknown_key_names_file_line_and_key() {
    assert_eq!(
        err("# convx\n[redact]\nenabled = true\nenabeld = false\n"),
        "/home/ana/.config/convx/config.toml:4:1: redact.enabeld: unknown field `enabeld`, expected one of \
         `enabled`, `rules`, `allowlist`, `allowlist_regexes`, `keyword_lines`"
    );
}

#[test]
fn wrong_type_names_the_key() {
    assert_eq!(
        err("[anonymize]\nenabled = \"yes\"\n"),
        "/home/ana/.config/convx/config.toml:2:11: anonymize.enabled: invalid type: string \"yes\", expected a boolean"
    );
}

#[test]
fn unknown_section() {
    let e = err("[redact]\n[archiv]\ndir = 1\n");
    assert!(
        e.starts_with("/home/ana/.config/convx/config.toml:2:"),
        "{e}"
    );
    assert!(e.contains("archiv"), "{e}");
}

#[test]
fn syntax_error_has_a_line() {
    let e = err("[redact]\nenabled = tru\n");
    assert!(
        e.starts_with("/home/ana/.config/convx/config.toml:2:"),
        "{e}"
    );
}

#[test]
fn bad_regexes_point_at_their_value() {
    let text = "[redact]\nallowlist_regexes = ['ok', '(']\n\n[[redact.rules]]\nid = \"fine\"\nregex = 'x'\n\n[[redact.rules]]\nid = \"broken\"\nregex = '[a-'\n";
    let e = Config::from_file(&file(&text.replace("'('", "'ok2'"))).unwrap_err();
    match e {
        ConfigError::File {
            line,
            column,
            key,
            message,
            ..
        } => {
            assert_eq!(
                (line, column, key.as_str()),
                (10, 9, "redact.rules[1].regex")
            );
            assert!(
                message.starts_with("rule `broken`: invalid regex"),
                "{message}"
            );
        }
        other => panic!("{other}"),
    }
    let e = Config::from_file(&file(text)).unwrap_err().to_string();
    assert!(e.starts_with("/home/ana/.config/convx/config.toml:2:28: redact.allowlist_regexes[1]: allowlist regex #1"), "{e}");
    let e = err("[[redact.rules]]\nid = \"Bad Id\"\nregex = 'x'\n");
    assert!(
        e.starts_with(
            "/home/ana/.config/convx/config.toml:2:6: redact.rules[0].id: rule id `Bad Id`"
        ),
        "{e}"
    );
}
