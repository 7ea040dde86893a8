//! Engine tests: private-key block variants, idempotence and no-op properties, the
//! session walk, allowlists, extra rules, keyword lines, anonymization, findings.

use super::*;
use convx_model::{
    Agent, Attachment, Event, EventKind, GitInfo, PlanStep, PlanStepStatus, SourceFile, Warning,
    WarningKind,
};
use proptest::prelude::*;
use rstest::rstest;
use std::sync::LazyLock;

static R: LazyLock<Redactor> = LazyLock::new(Redactor::default);

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn body_lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            (0..64)
                .map(|j| B64[(i * 31 + j * 7 + j * j) % 64] as char)
                .collect::<String>()
        })
        .collect()
}

fn pem(kind: &str, prefix: impl Fn(usize) -> String, sep: &str, footer: bool) -> String {
    let mut lines = vec![format!("-----BEGIN {kind}PRIVATE KEY-----")];
    lines.extend(body_lines(5));
    lines.push("AbCd==".into());
    if footer {
        lines.push(format!("-----END {kind}PRIVATE KEY-----"));
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}{l}", prefix(i + 10)))
        .collect::<Vec<_>>()
        .join(sep)
}

fn assert_key_gone(text: &str) {
    let red = R.redact_text(text);
    assert!(
        red.contains("[REDACTED:private-key]"),
        "not redacted:\n{text}\n=>\n{red}"
    );
    for l in body_lines(5) {
        assert!(!red.contains(&l[..40]), "body left in:\n{red}");
    }
    assert_eq!(R.redact_text(&red), red);
    assert!(R.check_residue(&red).is_empty());
}

#[rstest]
#[case::plain("", "\n")]
#[case::rsa("RSA ", "\n")]
#[case::openssh("OPENSSH ", "\n")]
#[case::crlf("EC ", "\r\n")]
#[case::one_line("", " ")]
fn private_key_plain(#[case] kind: &str, #[case] sep: &str) {
    assert_key_gone(&pem(kind, |_| String::new(), sep, true));
    assert_key_gone(&pem(kind, |_| String::new(), sep, false));
}

#[rstest]
#[case::patch_plus(|_| "+".to_string())]
#[case::patch_minus(|_| "-".to_string())]
#[case::claude_read(|n| format!("{n:>6}→"))]
#[case::grep_n(|n| format!("{n}:"))]
#[case::table(|n| format!("  {n} | "))]
#[case::cat_n(|n| format!("{n:>6}\t"))]
fn private_key_with_line_prefixes(#[case] prefix: fn(usize) -> String) {
    for footer in [true, false] {
        let text = format!(
            "Here is the file:\n{}\nDone.",
            pem("OPENSSH ", prefix, "\n", footer)
        );
        assert_key_gone(&text);
        assert!(
            R.redact_text(&text).ends_with("Done."),
            "{}",
            R.redact_text(&text)
        );
    }
}

#[test]
fn private_key_split_across_json_escaping() {
    // The PEM inside a JSON string: its newlines are the two characters `\` `n`.
    let key = pem("RSA ", |_| String::new(), "\n", true);
    let json = serde_json::to_string(
        &serde_json::json!({ "type": "service_account", "private_key": key }),
    )
    .unwrap();
    assert!(json.contains("\\n"));
    assert!(
        !R.check_residue(&json).is_empty(),
        "residue pass misses the escaped key"
    );
    assert_key_gone(&json);
    // Twice-encoded (a JSONL line quoted inside a tool output), and without the footer.
    let twice = serde_json::to_string(&json).unwrap();
    assert_key_gone(&twice);
    let cut = &json[..json.find("-----END").unwrap()];
    assert_key_gone(cut);
    // Patch lines inside a JSON string.
    let patch = serde_json::to_string(&pem("", |_| "+".into(), "\n", false)).unwrap();
    assert_key_gone(&patch);
}

#[test]
fn encrypted_pem_with_headers() {
    let body = body_lines(3).join("\n");
    let text = format!(
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF\n\n{body}\n"
    );
    assert_key_gone(&text);
}

#[test]
fn redaction_is_deterministic_and_readable() {
    let t = "a ghp_0123456789abcdefABCDEF0123456789abcd b ghp_0123456789abcdefABCDEF0123456789abcd";
    assert_eq!(
        R.redact_text(t),
        "a [REDACTED:github-pat] b [REDACTED:github-pat]"
    );
    assert!(matches!(R.redact_text("nothing here"), Cow::Borrowed(_)));
}

#[test]
fn specific_rule_wins_over_generic() {
    let t = "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD";
    assert_eq!(R.redact_text(t), "OPENAI_API_KEY=[REDACTED:openai-api-key]");
    let t = "password: ghp_0123456789abcdefABCDEF0123456789abcd";
    assert_eq!(R.redact_text(t), "password: [REDACTED:github-pat]");
}

#[test]
fn findings_have_lines_columns_and_masks() {
    let t = "line one\n  é token ghp_0123456789abcdefABCDEF0123456789abcd\nthree\npostgres://u:Zx9kLm2Qp7@h/db";
    let f = R.scan_text(t);
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(
        (f[0].rule.as_str(), f[0].line, f[0].column),
        ("github-pat", 2, 11)
    );
    assert_eq!(f[0].masked, "ghp_…abcd");
    assert_eq!(
        (f[1].rule.as_str(), f[1].line),
        ("connection-url-password", 4)
    );
    assert_eq!(f[1].masked, "…(10 chars)");
    assert!(!f[1].masked.contains("Zx9k"));
}

#[test]
fn residue_pass_is_high_confidence_only() {
    let generic = "DB_PASSWORD=Zx9kLm2Qp7!";
    assert!(!R.scan_text(generic).is_empty());
    assert!(R.check_residue(generic).is_empty());
    let pat = "ghp_0123456789abcdefABCDEF0123456789abcd";
    assert_eq!(R.check_residue(pat)[0].rule, "github-pat");
    for info in R.rules() {
        let marker = format!("x [REDACTED:{}] y", info.id);
        assert!(R.scan_text(&marker).is_empty(), "{marker}");
    }
}

#[test]
fn disabled_redactor_changes_nothing() {
    let r = Redactor::new(&RedactConfig {
        enabled: false,
        ..RedactConfig::default()
    })
    .unwrap();
    let t = "ghp_0123456789abcdefABCDEF0123456789abcd";
    assert_eq!(r.redact_text(t), t);
    assert!(r.check_residue(t).is_empty());
    assert_eq!(r.scan_text(t).len(), 1, "scan still reports");
}

#[test]
fn allowlist_exact_and_regex() {
    let cfg = RedactConfig {
        allowlist: vec!["ghp_0123456789abcdefABCDEF0123456789abcd".into()],
        allowlist_regexes: vec![r"^sk_test_".into()],
        ..RedactConfig::default()
    };
    let r = Redactor::new(&cfg).unwrap();
    let t = "ghp_0123456789abcdefABCDEF0123456789abcd sk_test_abcdefghijklmnopqrstuvwx ghp_0123456789abcdefABCDEF0123456789abce";
    assert_eq!(
        r.redact_text(t),
        "ghp_0123456789abcdefABCDEF0123456789abcd sk_test_abcdefghijklmnopqrstuvwx [REDACTED:github-pat]"
    );
    assert!(
        r.check_residue("ghp_0123456789abcdefABCDEF0123456789abcd")
            .is_empty()
    );
}

#[test]
fn extra_rules_and_their_errors() {
    let cfg = RedactConfig {
        extra_rules: vec![
            ExtraRule {
                id: "acme-key".into(),
                regex: r"ACME-[0-9]{6}".into(),
                keywords: vec!["acme-".into()],
            },
            ExtraRule {
                id: "customer".into(),
                regex: r"customer id (?P<s>\d+)".into(),
                keywords: vec![],
            },
        ],
        ..RedactConfig::default()
    };
    let r = Redactor::new(&cfg).unwrap();
    assert_eq!(
        r.redact_text("use ACME-123456 for customer id 42"),
        "use [REDACTED:acme-key] for customer id [REDACTED:customer]"
    );
    assert_eq!(r.check_residue("ACME-123456")[0].rule, "acme-key");
    let bad = |id: &str, regex: &str| {
        let cfg = RedactConfig {
            extra_rules: vec![ExtraRule {
                id: id.into(),
                regex: regex.into(),
                keywords: vec![],
            }],
            ..RedactConfig::default()
        };
        Redactor::new(&cfg).unwrap_err()
    };
    assert!(matches!(
        bad("x", "(unclosed"),
        RedactError::InvalidRule { .. }
    ));
    assert!(matches!(
        bad("Bad Id", "x"),
        RedactError::InvalidRuleId { .. }
    ));
    assert!(matches!(
        bad("github-pat", "x"),
        RedactError::InvalidRuleId { .. }
    ));
    let e = Redactor::new(&RedactConfig {
        allowlist_regexes: vec!["[".into()],
        ..RedactConfig::default()
    })
    .unwrap_err();
    assert!(matches!(e, RedactError::InvalidAllowlist { index: 0, .. }));
}

#[test]
fn keyword_lines_are_sanitized() {
    let cfg = RedactConfig {
        keyword_lines: vec!["AcmeCorp".into(), "project-x".into()],
        ..RedactConfig::default()
    };
    let r = Redactor::new(&cfg).unwrap();
    let t = "first\nmeeting with acmecorp today\r\nPROJECT-X and AcmeCorp\nlast";
    let out = r.redact_text(t);
    assert_eq!(out, "first\n[SANITIZED]\r\n[SANITIZED]\nlast");
    assert_eq!(r.redact_text(&out), out);
}

fn anonymizer() -> Redactor {
    let a = Anonymize {
        home: Some("/home/anabel".into()),
        user: Some("anabel".into()),
        host: Some("anabel-laptop.local".into()),
        user_alias: "me".into(),
        host_alias: "box".into(),
        mask_emails: true,
    };
    Redactor::new(&RedactConfig {
        anonymize: Some(a),
        ..RedactConfig::default()
    })
    .unwrap()
}

#[test]
fn anonymization() {
    let r = anonymizer();
    let t = "cd /home/anabel/src/app && ssh anabel@anabel-laptop.local; /home/anabelle stays; \
             ~/.claude/projects/-home-anabel-src/x.jsonl; mail Ana.Lopez+x@example.co.uk; git@github.com:o/r.git; anabel_tools";
    let out = r.redact_text(t);
    assert_eq!(
        out,
        "cd ~/src/app && ssh me@box; /home/anabelle stays; \
         ~/.claude/projects/-home-me-src/x.jsonl; mail A***@example.co.uk; git@github.com:o/r.git; anabel_tools"
    );
    assert_eq!(r.redact_text(&out), out);
    assert_eq!(R.redact_text(t), t, "anonymization is opt-in");
}

fn secret(i: usize) -> String {
    format!("ghp_{:0>36}", format!("{i}abcdefXYZ{i}"))
}

/// A session with a secret in every kind of text field.
fn leaky_session() -> Session {
    let mut s = Session::new(Agent::Claude, "abc-123");
    s.title = Some(format!("fix {}", secret(1)));
    s.cwd = Some(format!("/home/anabel/{}", secret(2)));
    s.git = GitInfo {
        branch: Some(format!("feat/{}", secret(3))),
        commit: Some("3f9a7c2e1b8d4f6a0c5e9b7d2a4f6c8e1b3d5f7a".into()),
        remote: Some("https://anabel:Zx9kLm2Qp7Rt@git.example.com/team/repo.git".into()),
    };
    s.sources.push(SourceFile {
        path: format!("/logs/{}.jsonl", secret(4)),
        fingerprint: Default::default(),
        format: None,
    });
    s.metadata
        .insert("slug".into(), serde_json::json!({ "nested": [secret(5)] }));
    s.warnings.push(Warning::new(
        "/x",
        Some(3),
        WarningKind::InvalidJson,
        format!("bad {}", secret(6)),
    ));
    s.push(Event::new(EventKind::UserPrompt {
        text: format!("my key is {}", secret(7)),
        attachments: vec![Attachment {
            kind: "file".into(),
            media_type: None,
            size_bytes: None,
            name: Some(secret(8)),
        }],
    }));
    s.push(Event::new(EventKind::AssistantText { text: secret(9) }));
    s.push(Event::new(EventKind::Reasoning {
        text: secret(10),
        encrypted: false,
    }));
    s.push(Event::new(EventKind::ToolCall {
        call_id: "call_1".into(),
        name: "Bash".into(),
        input: serde_json::json!({ "command": format!("curl -H 'Authorization: Bearer {}'", "Zx9kLm2Qp7Rt5Vw3Yb8Nc4D"), secret(11): 1 }),
        subagent: None,
    }));
    s.push(Event::new(EventKind::ToolResult {
        call_id: "call_1".into(),
        output: pem("RSA ", |_| "+".into(), "\n", true),
        is_error: false,
    }));
    s.push(Event::new(EventKind::Context {
        source: "agents_md".into(),
        text: format!("DB_PASSWORD={}", "Zx9kLm2Qp7!"),
    }));
    s.push(Event::new(EventKind::PlanUpdate {
        explanation: Some(secret(12)),
        steps: vec![PlanStep {
            text: secret(13),
            status: PlanStepStatus::Pending,
        }],
    }));
    s.push(Event::new(EventKind::Compaction {
        summary: Some(secret(14)),
        trigger: Some("auto".into()),
    }));
    s.push(Event::new(EventKind::Opaque {
        record_type: "x".into(),
        raw: serde_json::json!({ "a": { "b": [format!("postgres://u:{}@db/x", "Zx9kLm2Qp7")] } }),
    }));
    s
}

#[test]
fn session_walk_redacts_every_field() {
    let mut s = leaky_session();
    assert_eq!(
        s.summary.first_prompt.as_deref(),
        Some(format!("my key is {}", secret(7)).as_str())
    );
    R.redact_session(&mut s);
    let json = serde_json::to_string_pretty(&s).unwrap();
    for i in 1..=14 {
        assert!(!json.contains(&secret(i)), "secret {i} left:\n{json}");
    }
    assert!(!json.contains("Zx9kLm2Qp7"), "{json}");
    assert_eq!(R.scan_text(&json), vec![], "{json}");
    assert!(R.check_residue(&json).is_empty());
    assert_eq!(
        s.summary.first_prompt.as_deref(),
        Some("my key is [REDACTED:github-pat]")
    );
    assert_eq!(
        s.git.commit.as_deref(),
        Some("3f9a7c2e1b8d4f6a0c5e9b7d2a4f6c8e1b3d5f7a")
    );
    assert_eq!(s.key, "claude:abc-123");
    let fields: std::collections::BTreeSet<&str> =
        s.redactions.iter().map(|r| r.field.as_str()).collect();
    for f in [
        "title",
        "summary.first_prompt",
        "cwd",
        "git.branch",
        "git.remote",
        "source.path",
        "metadata",
        "warning.detail",
        "user_prompt",
        "user_prompt.attachment",
        "assistant_text",
        "reasoning",
        "tool_call.input",
        "tool_result.output",
        "context",
        "plan_update.explanation",
        "plan_update.step",
        "compaction.summary",
        "opaque.raw",
    ] {
        assert!(
            fields.contains(f),
            "no redaction recorded for {f}: {:?}",
            s.redactions
        );
    }
    let input = s.events_of("tool_call").next().unwrap();
    let EventKind::ToolCall { input, .. } = &input.kind else {
        unreachable!()
    };
    assert!(
        input
            .as_object()
            .unwrap()
            .contains_key("[REDACTED:github-pat]"),
        "{input}"
    );
    // Redacting again finds nothing and records nothing new.
    let before = s.clone();
    R.redact_session(&mut s);
    assert_eq!(s, before);
}

#[test]
fn session_walk_in_parallel_matches_sequential() {
    let mut big = Session::new(Agent::Codex, "big");
    for i in 0..200 {
        big.push(Event::new(EventKind::AssistantText {
            text: format!("n{i} {}", secret(i)),
        }));
    }
    R.redact_session(&mut big);
    assert_eq!(big.redactions.len(), 1);
    assert_eq!(big.redactions[0].count, 200);
    assert!(big.events.iter().all(|e| matches!(&e.kind, EventKind::AssistantText { text } if text.ends_with("[REDACTED:github-pat]"))));
}

#[test]
fn session_walk_with_anonymization() {
    let r = anonymizer();
    let mut s = leaky_session();
    r.redact_session(&mut s);
    assert_eq!(s.cwd.as_deref(), Some("~/[REDACTED:github-pat]"));
    assert_eq!(
        s.git.remote.as_deref(),
        Some("https://me:[REDACTED:url-credentials]@git.example.com/team/repo.git")
    );
    assert!(
        s.redactions
            .iter()
            .any(|x| x.rule == "home-path" && x.field == "cwd")
    );
}

/// Fragments the property tests glue together: plain text, separators, keywords and
/// secrets, so that random strings often sit right next to (or inside) secrets.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _=:./+\\-\"'\n]{0,12}",
        Just("ghp_0123456789abcdefABCDEF0123456789abcd".to_string()),
        Just("AKIAQWERTYUIOPASDF23".to_string()),
        Just("password=".to_string()),
        Just("token: ".to_string()),
        Just("Zx9kLm2Qp7!".to_string()),
        Just("postgres://u:".to_string()),
        Just("@db/x".to_string()),
        Just("Authorization: Bearer ".to_string()),
        Just("-----BEGIN RSA PRIVATE KEY-----\n".to_string()),
        Just("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun".to_string()),
        Just("-----END RSA PRIVATE KEY-----".to_string()),
        Just("[REDACTED:github-pat]".to_string()),
        Just("\\n".to_string()),
        Just("+".to_string()),
        Just("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2ln".to_string()),
        Just("é日本".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn redact_is_idempotent(parts in prop::collection::vec(fragment(), 0..16)) {
        let x = parts.concat();
        let once = R.redact_text(&x).into_owned();
        prop_assert_eq!(R.redact_text(&once).into_owned(), once.clone());
        prop_assert!(R.check_residue(&once).is_empty(), "residue in {:?}", once);
    }

    #[test]
    fn redact_changes_text_only_with_a_finding(parts in prop::collection::vec(fragment(), 0..16)) {
        let x = parts.concat();
        let found = R.scan_text(&x);
        let out = R.redact_text(&x);
        prop_assert_eq!(found.is_empty(), out == x);
    }

    #[test]
    fn arbitrary_text_without_findings_is_untouched(x in any::<String>()) {
        if R.scan_text(&x).is_empty() {
            prop_assert_eq!(R.redact_text(&x).into_owned(), x.clone());
        }
        let once = R.redact_text(&x).into_owned();
        prop_assert_eq!(R.redact_text(&once).into_owned(), once.clone());
    }
}

#[test]
fn redactor_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Redactor>();
}
