//! The built-in rule table: one entry per credential shape.
//!
//! Every rule has an id (the `<rule-id>` of `[REDACTED:<rule-id>]`), keywords that must
//! appear (ASCII case-insensitive) in any text the rule can match — the literal
//! prefilter — and a regex. Patterns are compiled as byte regexes with Unicode off, so
//! `\b`, `\s`, `\d` and classes are ASCII (fast, and never falls back to a slow engine on
//! non-ASCII text). A named group `s` marks the secret inside a larger match (a password
//! inside a URL, the value of an assignment); without it the whole match is the secret.
//!
//! Order matters: when two rules claim overlapping text, the earlier rule wins. Provider
//! shapes come first, structural rules (URLs, headers) next, generic assignments last.

/// How a candidate is validated after the regex matched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Check {
    /// The regex is enough.
    None,
    /// Not a placeholder (`${VAR}`, `<password>`, `xxx`, `changeme`...).
    Credential,
    /// AWS key id: also not the documented `...EXAMPLE` ids.
    AwsKeyId,
    /// Shannon entropy of the secret at least this many bits per byte.
    Entropy(f64),
    /// A generic `KEY = value` assignment: placeholder, code-reference and entropy gates.
    Generic(GenericKind),
    /// PEM / OpenSSH private key block (custom matcher, see `pem.rs`).
    PrivateKey,
}

/// Which family of generic assignment; each has its own thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GenericKind {
    /// `password`, `passwd`, `pwd`, `passphrase`, `pass`.
    Password,
    /// `secret`, `client_secret`, `SECRET_KEY`...
    Secret,
    /// `token`, `access_token`, `GITHUB_TOKEN`...
    Token,
    /// `api_key`, `apiKey`, `x-api-key`, `ACCESS_KEY`...
    ApiKey,
}

/// One built-in rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleDef {
    /// Stable id, used in markers and reports.
    pub id: &'static str,
    /// What the rule finds.
    pub description: &'static str,
    /// Literals (lowercase, matched ASCII case-insensitively), one of which must appear.
    pub keywords: &'static [&'static str],
    /// The regex (bytes, Unicode off). Group `s`, when present, is the secret.
    pub pattern: &'static str,
    /// Post-match validation.
    pub check: Check,
    /// High confidence: also part of the independent residue pass.
    pub high: bool,
}

const fn rule(
    id: &'static str,
    description: &'static str,
    keywords: &'static [&'static str],
    pattern: &'static str,
    check: Check,
    high: bool,
) -> RuleDef {
    RuleDef {
        id,
        description,
        keywords,
        pattern,
        check,
        high,
    }
}

use Check::*;

/// Assignment operator between a key and its value, with optional closing/opening quotes
/// (also JSON-escaped ones: `\"`).
macro_rules! assign {
    () => {
        r#"(?:\\?["'`\]])?[ \t]{0,4}(?:=|:=|:|=>)[ \t]{0,4}(?:\\?["'`])?"#
    };
}

/// Value of a generic assignment (stops at quotes, whitespace, separators, brackets).
macro_rules! value {
    () => {
        r#"(?P<s>[^\s"'`\\,;()<>\[\]{}|:=][^\s"'`\\,;()<>\[\]{}|]{5,255})"#
    };
}

/// The built-in rules, in priority order.
pub(crate) static RULES: &[RuleDef] = &[
    // --- private keys -------------------------------------------------------------
    rule(
        "private-key",
        "PEM / OpenSSH / PGP private key block (also patch-prefixed, line-numbered or JSON-escaped)",
        &["private key"],
        r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----",
        PrivateKey,
        true,
    ),
    rule(
        "putty-private-key",
        "PuTTY private key file",
        &["putty-user-key-file"],
        r"PuTTY-User-Key-File-\d+:[\s\S]{0,400}?Private-Lines:[\s\S]{0,8000}?Private-MAC:\s*[0-9a-fA-F]+",
        None,
        true,
    ),
    rule(
        "age-secret-key",
        "age encryption secret key",
        &["age-secret-key-1"],
        r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
        None,
        true,
    ),
    // --- cloud providers ----------------------------------------------------------
    rule(
        "aws-access-key-id",
        "AWS access key id (AKIA/ASIA/ABIA/ACCA)",
        &["akia", "asia", "abia", "acca"],
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
        AwsKeyId,
        true,
    ),
    rule(
        "aws-secret-access-key",
        "AWS secret access key next to its name",
        &[
            "secret_access_key",
            "secretaccesskey",
            "secret-access-key",
            "aws_secret",
            "awssecret",
        ],
        concat!(
            r"(?i)(?:aws_?secret_?(?:access_?)?key|secret_?access_?key|secret-access-key)",
            assign!(),
            r"(?P<s>[A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)"
        ),
        None,
        true,
    ),
    rule(
        "aws-session-token",
        "AWS session token next to its name",
        &["session_token", "sessiontoken", "session-token"],
        concat!(
            r"(?i)session[_-]?token",
            assign!(),
            r"(?P<s>[A-Za-z0-9/+=]{100,})"
        ),
        None,
        true,
    ),
    rule(
        "gcp-api-key",
        "Google Cloud / Gemini API key (AIza...)",
        &["aiza"],
        r"\bAIza[0-9A-Za-z_-]{35}(?:[^0-9A-Za-z_-]|$)",
        None,
        true,
    ),
    rule(
        "gcp-service-account-key-id",
        "private_key_id of a Google service-account key file",
        &["private_key_id"],
        r#"private_key_id\\?"\s*:\s*\\?"(?P<s>[a-f0-9]{40})\\?""#,
        None,
        true,
    ),
    rule(
        "gcp-oauth-client-secret",
        "Google OAuth client secret (GOCSPX-)",
        &["gocspx-"],
        r"\bGOCSPX-[A-Za-z0-9_-]{28}",
        None,
        true,
    ),
    rule(
        "google-oauth-access-token",
        "Google OAuth access token (ya29.)",
        &["ya29."],
        r"\bya29\.[0-9A-Za-z_-]{30,}",
        None,
        true,
    ),
    rule(
        "google-oauth-refresh-token",
        "Google OAuth refresh token (1//0...)",
        &["1//0"],
        r"\b1//0[0-9A-Za-z_-]{40,}",
        None,
        false,
    ),
    rule(
        "azure-storage-key",
        "Azure storage account key",
        &["accountkey", "account_key", "storagekey", "storage_key"],
        concat!(
            r"(?i)(?:account_?key|storage_?(?:account_?)?key)",
            assign!(),
            r"(?P<s>[A-Za-z0-9+/]{86}==)"
        ),
        None,
        true,
    ),
    rule(
        "azure-sas-token",
        "Azure shared access signature (sig= in a SAS URL)",
        &["sig="],
        r"(?i)[?&]sig=(?P<s>[A-Za-z0-9%+/]{30,}(?:%3D|=){0,2})",
        Credential,
        false,
    ),
    rule(
        "azure-ad-client-secret",
        "Azure AD (Entra) client secret (...Q~...)",
        &["q~"],
        r#"(?:^|[\\'"`\s>=:(,)])(?P<s>[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?:$|[\\'"`\s<),])"#,
        None,
        true,
    ),
    rule(
        "digitalocean-token",
        "DigitalOcean token (dop_v1_, doo_v1_, dor_v1_)",
        &["dop_v1_", "doo_v1_", "dor_v1_"],
        r"\bdo[opr]_v1_[a-f0-9]{64}\b",
        None,
        true,
    ),
    // --- source forges ------------------------------------------------------------
    rule(
        "github-pat",
        "GitHub personal access token (ghp_)",
        &["ghp_"],
        r"\bghp_[A-Za-z0-9]{36}\b",
        None,
        true,
    ),
    rule(
        "github-oauth",
        "GitHub OAuth token (gho_)",
        &["gho_"],
        r"\bgho_[A-Za-z0-9]{36}\b",
        None,
        true,
    ),
    rule(
        "github-user-token",
        "GitHub user-to-server token (ghu_)",
        &["ghu_"],
        r"\bghu_[A-Za-z0-9]{36}\b",
        None,
        true,
    ),
    rule(
        "github-app-token",
        "GitHub server-to-server token (ghs_)",
        &["ghs_"],
        r"\bghs_[A-Za-z0-9]{36}\b",
        None,
        true,
    ),
    rule(
        "github-refresh-token",
        "GitHub refresh token (ghr_)",
        &["ghr_"],
        r"\bghr_[A-Za-z0-9]{36,76}\b",
        None,
        true,
    ),
    rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token (github_pat_)",
        &["github_pat_"],
        r"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b",
        None,
        true,
    ),
    rule(
        "gitlab-pat",
        "GitLab personal access token (glpat-)",
        &["glpat-"],
        r"\bglpat-[A-Za-z0-9_-]{20,}",
        None,
        true,
    ),
    rule(
        "gitlab-pipeline-token",
        "GitLab pipeline trigger token (glptt-)",
        &["glptt-"],
        r"\bglptt-[0-9a-f]{40}\b",
        None,
        true,
    ),
    rule(
        "gitlab-runner-token",
        "GitLab runner token (glrt-)",
        &["glrt-"],
        r"\bglrt-[A-Za-z0-9_-]{20,}",
        None,
        true,
    ),
    rule(
        "gitlab-deploy-token",
        "GitLab deploy token (gldt-)",
        &["gldt-"],
        r"\bgldt-[A-Za-z0-9_-]{20,}",
        None,
        true,
    ),
    rule(
        "atlassian-api-token",
        "Atlassian API token (ATATT3)",
        &["atatt3"],
        r"\bATATT3[A-Za-z0-9_=-]{150,}",
        None,
        true,
    ),
    // --- AI providers -------------------------------------------------------------
    rule(
        "anthropic-api-key",
        "Anthropic API / admin key (sk-ant-)",
        &["sk-ant-"],
        r"\bsk-ant-[A-Za-z0-9_-]{40,}",
        None,
        true,
    ),
    rule(
        "openrouter-api-key",
        "OpenRouter API key (sk-or-v1-)",
        &["sk-or-"],
        r"\bsk-or-v1-[a-f0-9]{64}\b",
        None,
        true,
    ),
    rule(
        "openai-api-key",
        "OpenAI API key (sk-, sk-proj-, sk-svcacct-, sk-admin-)",
        &["sk-"],
        r"\bsk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b|[A-Za-z0-9]{48}\b)",
        None,
        true,
    ),
    rule(
        "groq-api-key",
        "Groq API key (gsk_)",
        &["gsk_"],
        r"\bgsk_[A-Za-z0-9]{52}\b",
        None,
        true,
    ),
    rule(
        "xai-api-key",
        "xAI API key (xai-)",
        &["xai-"],
        r"\bxai-[A-Za-z0-9]{80}\b",
        None,
        true,
    ),
    rule(
        "perplexity-api-key",
        "Perplexity API key (pplx-)",
        &["pplx-"],
        r"\bpplx-[A-Za-z0-9]{48}\b",
        None,
        true,
    ),
    rule(
        "replicate-api-token",
        "Replicate API token (r8_)",
        &["r8_"],
        r"\br8_[A-Za-z0-9]{37}\b",
        None,
        true,
    ),
    rule(
        "huggingface-token",
        "Hugging Face access token (hf_)",
        &["hf_"],
        r"\bhf_[A-Za-z0-9]{34}\b",
        None,
        true,
    ),
    rule(
        "huggingface-org-token",
        "Hugging Face organization token (api_org_)",
        &["api_org_"],
        r"\bapi_org_[A-Za-z0-9]{34}\b",
        None,
        true,
    ),
    // --- chat, mail, payments -----------------------------------------------------
    rule(
        "slack-bot-token",
        "Slack bot token (xoxb-)",
        &["xoxb-"],
        r"\bxoxb-[0-9A-Za-z-]{20,}",
        None,
        true,
    ),
    rule(
        "slack-user-token",
        "Slack user token (xoxp-, xoxe-)",
        &["xoxp-", "xoxe-"],
        r"\bxox[pe]-[0-9A-Za-z-]{20,}",
        None,
        true,
    ),
    rule(
        "slack-app-token",
        "Slack app-level token (xapp-)",
        &["xapp-"],
        r"\bxapp-[0-9A-Za-z-]{30,}",
        None,
        true,
    ),
    rule(
        "slack-legacy-token",
        "Slack legacy / workspace token (xoxa-, xoxo-, xoxr-, xoxs-)",
        &["xoxa-", "xoxo-", "xoxr-", "xoxs-"],
        r"\bxox[aors]-[0-9A-Za-z-]{20,}",
        None,
        true,
    ),
    rule(
        "slack-webhook",
        "Slack incoming webhook URL",
        &["hooks.slack.com"],
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}",
        None,
        true,
    ),
    rule(
        "discord-webhook",
        "Discord webhook URL",
        &["/api/webhooks/"],
        r"https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{30,}",
        None,
        true,
    ),
    rule(
        "telegram-bot-token",
        "Telegram bot token",
        &[":aa"],
        r"(?:\b|\bbot)(?P<s>\d{8,10}:AA[0-9A-Za-z_-]{33})(?:[^0-9A-Za-z_-]|$)",
        None,
        true,
    ),
    rule(
        "stripe-secret-key",
        "Stripe secret key (sk_live_, sk_test_)",
        &["sk_live_", "sk_test_"],
        r"\bsk_(?:live|test)_[0-9A-Za-z]{20,}",
        None,
        true,
    ),
    rule(
        "stripe-restricted-key",
        "Stripe restricted key (rk_live_, rk_test_)",
        &["rk_live_", "rk_test_"],
        r"\brk_(?:live|test)_[0-9A-Za-z]{20,}",
        None,
        true,
    ),
    rule(
        "stripe-webhook-secret",
        "Stripe webhook signing secret (whsec_)",
        &["whsec_"],
        r"\bwhsec_[A-Za-z0-9]{32,}",
        None,
        true,
    ),
    rule(
        "square-token",
        "Square access token or OAuth secret",
        &["eaaa", "sq0atp-", "sq0csp-"],
        r"\b(?:EAAA[A-Za-z0-9_-]{60}|sq0(?:atp|csp)-[0-9A-Za-z_-]{22,43})",
        None,
        true,
    ),
    rule(
        "shopify-token",
        "Shopify access token (shpat_, shpca_, shppa_, shpss_)",
        &["shpat_", "shpca_", "shppa_", "shpss_"],
        r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b",
        None,
        true,
    ),
    rule(
        "twilio-api-key",
        "Twilio API key (SK + 32 hex)",
        &["sk"],
        r"\bSK[0-9a-fA-F]{32}\b",
        None,
        true,
    ),
    rule(
        "twilio-auth-token",
        "Twilio auth token next to its name",
        &["twilio"],
        concat!(
            r"(?i)twilio[a-z_]{0,20}token",
            assign!(),
            r"(?P<s>[a-f0-9]{32})\b"
        ),
        None,
        false,
    ),
    rule(
        "sendgrid-api-key",
        "SendGrid API key (SG.)",
        &["sg."],
        r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?:[^A-Za-z0-9_-]|$)",
        None,
        true,
    ),
    rule(
        "mailgun-api-key",
        "Mailgun API key (key-)",
        &["key-"],
        r"\bkey-[0-9a-f]{32}\b",
        None,
        false,
    ),
    rule(
        "mailchimp-api-key",
        "Mailchimp API key (...-usN)",
        &["-us"],
        r"\b[0-9a-f]{32}-us\d{1,2}\b",
        None,
        false,
    ),
    // --- package registries, infra, SaaS ------------------------------------------
    rule(
        "npm-access-token",
        "npm access token (npm_)",
        &["npm_"],
        r"\bnpm_[A-Za-z0-9]{36}\b",
        None,
        true,
    ),
    rule(
        "npm-auth-token",
        "_authToken / _auth in an .npmrc",
        &["_auth"],
        r#"(?i)_auth(?:token)?\s*=\s*["']?(?P<s>[^\s"'$]{16,})"#,
        Credential,
        false,
    ),
    rule(
        "pypi-upload-token",
        "PyPI upload token (pypi-AgEIcHlwaS5vcmc...)",
        &["pypi-ageichlwas5vcmc"],
        r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
        None,
        true,
    ),
    rule(
        "rubygems-api-key",
        "RubyGems API key (rubygems_)",
        &["rubygems_"],
        r"\brubygems_[a-f0-9]{48}\b",
        None,
        true,
    ),
    rule(
        "dockerhub-token",
        "Docker Hub personal / organization access token (dckr_pat_, dckr_oat_)",
        &["dckr_pat_", "dckr_oat_"],
        r"\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}",
        None,
        true,
    ),
    rule(
        "databricks-token",
        "Databricks personal access token (dapi)",
        &["dapi"],
        r"\bdapi[a-f0-9]{32}(?:-\d)?\b",
        None,
        true,
    ),
    rule(
        "linear-api-key",
        "Linear API key (lin_api_)",
        &["lin_api_"],
        r"\blin_api_[A-Za-z0-9]{40}\b",
        None,
        true,
    ),
    rule(
        "notion-token",
        "Notion integration token (ntn_)",
        &["ntn_"],
        r"\bntn_[0-9]{11}[A-Za-z0-9]{35}\b",
        None,
        true,
    ),
    rule(
        "vault-token",
        "HashiCorp Vault token (hvs., hvb.)",
        &["hvs.", "hvb."],
        r"\bhv[sb]\.[A-Za-z0-9_-]{24,}",
        None,
        true,
    ),
    rule(
        "doppler-token",
        "Doppler token (dp.pt., dp.st., ...)",
        &["dp."],
        r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}\b",
        None,
        true,
    ),
    rule(
        "pulumi-token",
        "Pulumi access token (pul-)",
        &["pul-"],
        r"\bpul-[a-f0-9]{40}\b",
        None,
        true,
    ),
    rule(
        "sentry-token",
        "Sentry auth token (sntrys_, sntryu_)",
        &["sntrys_", "sntryu_"],
        r"\bsntry[su]_[A-Za-z0-9+/=_-]{40,}",
        None,
        true,
    ),
    rule(
        "newrelic-api-key",
        "New Relic user API key (NRAK-)",
        &["nrak-"],
        r"\bNRAK-[A-Z0-9]{27}\b",
        None,
        true,
    ),
    rule(
        "grafana-token",
        "Grafana service-account / cloud token (glsa_, glc_)",
        &["glsa_", "glc_"],
        r"\b(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b|glc_[A-Za-z0-9+/]{32,}={0,2})",
        None,
        true,
    ),
    rule(
        "planetscale-token",
        "PlanetScale token or password (pscale_)",
        &["pscale_"],
        r"\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9=._-]{32,64}",
        None,
        true,
    ),
    rule(
        "supabase-token",
        "Supabase access token or secret key (sbp_, sb_secret_)",
        &["sbp_", "sb_secret_"],
        r"\b(?:sbp_[a-f0-9]{40}\b|sb_secret_[A-Za-z0-9_-]{20,})",
        None,
        true,
    ),
    rule(
        "postman-api-key",
        "Postman API key (PMAK-)",
        &["pmak-"],
        r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b",
        None,
        true,
    ),
    rule(
        "kubeconfig-client-key",
        "client-key-data of a kubeconfig",
        &["client-key-data"],
        r"client-key-data:\s*(?P<s>[A-Za-z0-9+/=]{40,})",
        None,
        true,
    ),
    rule(
        "jwt",
        "JSON Web Token (eyJ...eyJ...sig)",
        &["eyj"],
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        None,
        true,
    ),
    // --- structural: URLs, headers, netrc -----------------------------------------
    rule(
        "connection-url-password",
        "password in a database / broker connection URL",
        &[
            "postgres",
            "mysql",
            "mariadb",
            "mongodb",
            "redis",
            "amqp",
            "mssql",
            "sqlserver",
            "clickhouse",
            "cockroach",
            "couchdb",
            "neo4j",
            "ldap",
            "nats",
        ],
        r#"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb|couchdb|neo4j(?:\+s)?|ldaps?|nats)://[^:@/\s"'<>\[\]]{0,64}:(?P<s>[^@\s/?#"'<>\[\]]{1,128})@"#,
        Credential,
        true,
    ),
    rule(
        "url-credentials",
        "user:password@ in an http(s)/git/ftp/ssh URL (git remotes)",
        &["://"],
        r#"(?i)\b(?:https?|ftps?|sftp|ssh|git|svn|smb|rsync|wss?|s3)://[^:@/\s"'<>\[\]]{1,64}:(?P<s>[^@\s/?#"'<>\[\]]{1,128})@"#,
        Credential,
        false,
    ),
    rule(
        "authorization-header",
        "Authorization header value (Bearer, Basic, token)",
        &["authorization"],
        r#"(?i)\bauthorization\\?["']?\s*[:=]\s*\\?["']?(?:(?:bearer|token|basic|digest|apikey|key)\s+)?(?P<s>[A-Za-z0-9._~+/=-]{16,})"#,
        Credential,
        true,
    ),
    rule(
        "bearer-token",
        "Bearer token outside an Authorization header",
        &["bearer"],
        r"(?i)\bbearer\s+(?P<s>[A-Za-z0-9._~+/-]{20,}=*)",
        Entropy(3.0),
        false,
    ),
    rule(
        "netrc-password",
        "password in a .netrc line",
        &["machine"],
        r"\bmachine\s+\S+\s+login\s+\S+\s+password\s+(?P<s>\S+)",
        Generic(GenericKind::Password),
        false,
    ),
    // --- generic assignments (entropy-gated) --------------------------------------
    rule(
        "generic-password",
        "PASSWORD / passwd / pwd / passphrase = value",
        &["pass", "pwd"],
        concat!(
            r"(?i)(?:passw(?:or)?d|passphrase|pwd|pass)s?",
            assign!(),
            value!()
        ),
        Generic(GenericKind::Password),
        false,
    ),
    rule(
        "generic-secret",
        "SECRET / client_secret / SECRET_KEY = value",
        &["secret"],
        concat!(
            r"(?i)secret(?:s|[_-]?key(?:[_-]?base)?)?",
            assign!(),
            value!()
        ),
        Generic(GenericKind::Secret),
        false,
    ),
    rule(
        "generic-token",
        "TOKEN / access_token / GITHUB_TOKEN = value",
        &["token"],
        concat!(r"(?i)token", assign!(), value!()),
        Generic(GenericKind::Token),
        false,
    ),
    rule(
        "generic-api-key",
        "API_KEY / apiKey / x-api-key / ACCESS_KEY = value (the name must end in api/access/private/client/... + key)",
        &["key"],
        concat!(r"(?i)key", assign!(), value!()),
        Generic(GenericKind::ApiKey),
        false,
    ),
];
