//! Rule tables: for every rule, texts it must find (positive) and texts it must leave
//! alone (negative); plus shapes no rule may flag (git SHAs, UUIDs, lockfile hashes,
//! base64 images).

use super::*;
use rstest::rstest;
use std::sync::LazyLock;

static R: LazyLock<Redactor> = LazyLock::new(Redactor::default);

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &str = "0123456789abcdef";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BECH32: &str = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
const UPNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Deterministic pseudo-random string over `alphabet`.
fn g(alphabet: &str, n: usize) -> String {
    let a = alphabet.as_bytes();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ (n as u64) ^ (a.len() as u64) << 32;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            a[((x >> 33) % a.len() as u64) as usize] as char
        })
        .collect()
}
fn an(n: usize) -> String {
    g(ALNUM, n)
}
fn hex(n: usize) -> String {
    g(HEX, n)
}

fn pem_rsa() -> String {
    let body: Vec<String> = (0..6).map(|i| g(B64, 64 - i)).collect();
    format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        body.join("\n")
    )
}

fn putty() -> String {
    format!(
        "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: rsa-key\nPublic-Lines: 2\n{}\n{}\nPrivate-Lines: 2\n{}\n{}\nPrivate-MAC: {}\n",
        g(B64, 64),
        g(B64, 20),
        g(B64, 63),
        g(B64, 30),
        hex(64)
    )
}

#[rstest]
#[case::private_key("private-key", pem_rsa())]
#[case::private_key_openssh("private-key", format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n{}\n-----END OPENSSH PRIVATE KEY-----", g(B64, 70), g(B64, 40)))]
#[case::putty("putty-private-key", putty())]
#[case::age("age-secret-key", format!("AGE-SECRET-KEY-1{}", g(BECH32, 58)))]
#[case::aws_key_id("aws-access-key-id", format!("aws_access_key_id = AKIA{}", g(B32, 16)))]
#[case::aws_key_id_sts("aws-access-key-id", format!("\"AccessKeyId\": \"ASIA{}\"", g(B32, 16)))]
#[case::aws_secret("aws-secret-access-key", format!("aws_secret_access_key = {}", g(B64, 40)))]
#[case::aws_secret_json("aws-secret-access-key", format!("\"SecretAccessKey\": \"{}\",", g(B64, 40)))]
#[case::aws_session("aws-session-token", format!("AWS_SESSION_TOKEN=\"{}\"", g(B64, 200)))]
#[case::gcp_api_key("gcp-api-key", format!("key=AIza{}&q=1", g(URLSAFE, 35)))]
#[case::gcp_sa_key_id("gcp-service-account-key-id", format!("\"private_key_id\": \"{}\",", hex(40)))]
#[case::gcp_oauth_secret("gcp-oauth-client-secret", format!("GOCSPX-{}", g(URLSAFE, 28)))]
#[case::google_access("google-oauth-access-token", format!("ya29.{}", g(URLSAFE, 80)))]
#[case::google_refresh("google-oauth-refresh-token", format!("refresh: 1//0{}", g(URLSAFE, 60)))]
#[case::azure_storage("azure-storage-key", format!("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={}==;EndpointSuffix=core.windows.net", g(B64, 86)))]
#[case::azure_sas("azure-sas-token", format!("https://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&sp=r&sig={}%3D", an(43)))]
#[case::azure_ad("azure-ad-client-secret", format!("AZURE_CLIENT_SECRET=\"abc8Q~{}\"", g(ALNUM, 34)))]
#[case::digitalocean("digitalocean-token", format!("dop_v1_{}", hex(64)))]
#[case::github_pat("github-pat", format!("export GITHUB_TOKEN=ghp_{}", an(36)))]
#[case::github_pat_in_url("github-pat", format!("https://ghp_{}@github.com/o/r.git", an(36)))]
#[case::github_oauth("github-oauth", format!("gho_{}", an(36)))]
#[case::github_user("github-user-token", format!("ghu_{}", an(36)))]
#[case::github_app("github-app-token", format!("ghs_{}", an(36)))]
#[case::github_refresh("github-refresh-token", format!("ghr_{}", an(76)))]
#[case::github_fine_grained("github-fine-grained-pat", format!("github_pat_{}_{}", an(22), an(59)))]
#[case::gitlab_pat("gitlab-pat", format!("glpat-{}", g(URLSAFE, 20)))]
#[case::gitlab_pipeline("gitlab-pipeline-token", format!("glptt-{}", hex(40)))]
#[case::gitlab_runner("gitlab-runner-token", format!("glrt-{}", g(URLSAFE, 20)))]
#[case::gitlab_deploy("gitlab-deploy-token", format!("gldt-{}", g(URLSAFE, 20)))]
#[case::atlassian("atlassian-api-token", format!("ATATT3{}", g(URLSAFE, 186)))]
#[case::anthropic("anthropic-api-key", format!("ANTHROPIC_API_KEY=sk-ant-api03-{}AA", g(URLSAFE, 93)))]
#[case::openrouter("openrouter-api-key", format!("sk-or-v1-{}", hex(64)))]
#[case::openai_proj("openai-api-key", format!("OPENAI_API_KEY=sk-proj-{}", g(URLSAFE, 120)))]
#[case::openai_legacy("openai-api-key", format!("sk-{}T3BlbkFJ{}", an(20), an(20)))]
#[case::openai_48("openai-api-key", format!("key: sk-{}", an(48)))]
#[case::groq("groq-api-key", format!("gsk_{}", an(52)))]
#[case::xai("xai-api-key", format!("xai-{}", an(80)))]
#[case::perplexity("perplexity-api-key", format!("pplx-{}", an(48)))]
#[case::replicate("replicate-api-token", format!("r8_{}", an(37)))]
#[case::huggingface("huggingface-token", format!("HF_TOKEN=hf_{}", an(34)))]
#[case::huggingface_org("huggingface-org-token", format!("api_org_{}", an(34)))]
#[case::slack_bot("slack-bot-token", format!("xoxb-1234567890-1234567890123-{}", an(24)))]
#[case::slack_user("slack-user-token", format!("xoxp-1234567890-1234567890123-{}", an(32)))]
#[case::slack_app("slack-app-token", format!("xapp-1-A0123456789-1234567890123-{}", hex(64)))]
#[case::slack_legacy("slack-legacy-token", format!("xoxs-1234567890-{}", an(24)))]
#[case::slack_webhook("slack-webhook", format!("https://hooks.slack.com/services/T0000AAAA/B0000BBBB/{}", an(24)))]
#[case::discord_webhook("discord-webhook", format!("https://discord.com/api/webhooks/123456789012345678/{}", g(URLSAFE, 68)))]
#[case::telegram("telegram-bot-token", format!("bot123456789:AA{}/getMe", g(URLSAFE, 33)))]
#[case::stripe_secret("stripe-secret-key", format!("sk_live_{}", an(24)))]
#[case::stripe_test("stripe-secret-key", format!("Stripe.api_key = 'sk_test_{}'", an(24)))]
#[case::stripe_restricted("stripe-restricted-key", format!("rk_live_{}", an(24)))]
#[case::stripe_webhook("stripe-webhook-secret", format!("whsec_{}", an(32)))]
#[case::square("square-token", format!("EAAA{}", g(URLSAFE, 60)))]
#[case::square_oauth("square-token", format!("sq0csp-{}", g(URLSAFE, 43)))]
#[case::shopify("shopify-token", format!("shpat_{}", hex(32)))]
#[case::twilio_key("twilio-api-key", format!("SK{}", hex(32)))]
#[case::twilio_token("twilio-auth-token", format!("TWILIO_AUTH_TOKEN={}", hex(32)))]
#[case::sendgrid("sendgrid-api-key", format!("SG.{}.{}", g(URLSAFE, 22), g(URLSAFE, 43)))]
#[case::mailgun("mailgun-api-key", format!("key-{}", hex(32)))]
#[case::mailchimp("mailchimp-api-key", format!("{}-us14", hex(32)))]
#[case::npm("npm-access-token", format!("npm_{}", an(36)))]
#[case::npmrc("npm-auth-token", format!("//registry.example.com/:_auth={}", g(B64, 40)))]
#[case::pypi("pypi-upload-token", format!("pypi-AgEIcHlwaS5vcmc{}", g(URLSAFE, 70)))]
#[case::rubygems("rubygems-api-key", format!("rubygems_{}", hex(48)))]
#[case::dockerhub("dockerhub-token", format!("dckr_pat_{}", g(URLSAFE, 27)))]
#[case::databricks("databricks-token", format!("dapi{}", hex(32)))]
#[case::linear("linear-api-key", format!("lin_api_{}", an(40)))]
#[case::notion("notion-token", format!("ntn_12345678901{}", an(35)))]
#[case::vault("vault-token", format!("VAULT_TOKEN=hvs.{}", g(URLSAFE, 90)))]
#[case::doppler("doppler-token", format!("dp.pt.{}", an(43)))]
#[case::pulumi("pulumi-token", format!("pul-{}", hex(40)))]
#[case::sentry("sentry-token", format!("sntrys_{}", g(B64, 80)))]
#[case::newrelic("newrelic-api-key", format!("NRAK-{}", g(UPNUM, 27)))]
#[case::grafana("grafana-token", format!("glsa_{}_{}", an(32), hex(8)))]
#[case::planetscale("planetscale-token", format!("pscale_tkn_{}", an(43)))]
#[case::supabase("supabase-token", format!("sbp_{}", hex(40)))]
#[case::postman("postman-api-key", format!("PMAK-{}-{}", hex(24), hex(34)))]
#[case::kubeconfig("kubeconfig-client-key", format!("    client-key-data: {}", g(B64, 120)))]
#[case::jwt("jwt", format!("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.{}", g(URLSAFE, 43)))]
#[case::postgres("connection-url-password", "DATABASE_URL=postgres://app:S3cr3t-P4ss@db.internal:5432/app".to_string())]
#[case::mongodb_srv("connection-url-password", "mongodb+srv://admin:Zx9kLm2Qp7@cluster0.abcde.mongodb.net/db".to_string())]
#[case::redis("connection-url-password", "redis://:Zx9kLm2Qp7@cache:6379/0".to_string())]
#[case::amqp("connection-url-password", "amqp://guest:Rb7xQ2w9@rabbit:5672/".to_string())]
#[case::mysql("connection-url-password", "mysql://root:Tq8mN3vX@localhost/db".to_string())]
#[case::git_remote("url-credentials", "remote: https://ana:Zx9kLm2Qp7Rt@git.example.com/team/repo.git".to_string())]
#[case::auth_bearer("authorization-header", format!("curl -H \"Authorization: Bearer {}\" https://api", g(URLSAFE, 40)))]
#[case::auth_basic("authorization-header", "Authorization: Basic YW5hOlp4OWtMbTJRcDdSdA==".to_string())]
#[case::bearer("bearer-token", format!("token_type bearer {}", g(URLSAFE, 32)))]
#[case::netrc("netrc-password", "machine api.example.com login ana password Zx9kLm2Qp7".to_string())]
#[case::generic_password_env("generic-password", "DB_PASSWORD=Zx9kLm2Qp7!".to_string())]
#[case::generic_password_json("generic-password", "{\"password\": \"hunter2-Xy!\"}".to_string())]
#[case::generic_password_yaml("generic-password", "  passwd: 'c0rrect-h0rse'".to_string())]
#[case::generic_password_escaped("generic-password", "{\\\"password\\\": \\\"Zx9kLm2Qp7\\\"}".to_string())]
#[case::generic_secret("generic-secret", "JWT_SECRET=\"k3J9xQ2mV7pL0aZ8\"".to_string())]
#[case::generic_secret_client("generic-secret", "client_secret: Qm8vK2xR9tL4wZ7p".to_string())]
#[case::generic_token("generic-token", "access_token=f9K2xLq8Zm3Vn7RpT4".to_string())]
#[case::generic_token_colon("generic-token", "SLACK_SIGNING_TOKEN: 'a8F3kd92LmQx0Zr7'".to_string())]
#[case::generic_api_key("generic-api-key", format!("OPENWEATHER_API_KEY={}", hex(32)))]
#[case::generic_api_key_header("generic-api-key", format!("x-api-key: {}", an(40)))]
#[case::generic_api_key_camel("generic-api-key", format!("const apiKey = \"{}\";", an(32)))]
fn finds(#[case] rule: &str, #[case] text: String) {
    let found = R.scan_text(&text);
    assert!(
        found.iter().any(|f| f.rule == rule),
        "{rule} not found in {text:?}: {found:?}"
    );
    let red = R.redact_text(&text);
    assert!(red.contains(&format!("[REDACTED:{rule}]")), "{rule}: {red}");
    assert!(
        R.scan_text(&red).is_empty(),
        "residue after redaction: {red}"
    );
    assert_eq!(R.redact_text(&red), red, "not idempotent");
    for f in &found {
        assert!(!f.masked.is_empty() && f.masked.len() < 60, "{f:?}");
    }
}

#[rstest]
#[case::private_key_header_constant(
    "private-key",
    "const HEADER: &str = \"-----BEGIN OPENSSH PRIVATE KEY-----\";\nlet body = parse(rest);"
)]
#[case::private_key_prose(
    "private-key",
    "paste your private key below; it starts with -----BEGIN RSA PRIVATE KEY----- and ends"
)]
#[case::private_key_public(
    "private-key",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----"
)]
#[case::putty_mention(
    "putty-private-key",
    "PuTTY-User-Key-File-3 is the format of .ppk files"
)]
#[case::age_short("age-secret-key", "AGE-SECRET-KEY-1QPZRY")]
#[case::aws_example("aws-access-key-id", "AKIAIOSFODNN7EXAMPLE")]
#[case::aws_short("aws-access-key-id", "AKIAQWERTYUIOPASDF2")]
#[case::aws_lower("aws-access-key-id", "akiaqwertyuiopasdf23x")]
#[case::aws_in_word("aws-access-key-id", "XAKIAQWERTYUIOPASDF23")]
#[case::aws_secret_env(
    "aws-secret-access-key",
    "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}"
)]
#[case::aws_session_short("aws-session-token", "aws_session_token = abc123")]
#[case::gcp_short("gcp-api-key", "AIzaSyShort123")]
#[case::gcp_sa_short("gcp-service-account-key-id", "\"private_key_id\": \"abc\"")]
#[case::gcp_oauth_short("gcp-oauth-client-secret", "GOCSPX-short")]
#[case::google_access_short("google-oauth-access-token", "ya29.abc")]
#[case::google_refresh_short("google-oauth-refresh-token", "see 1//0abc")]
#[case::azure_storage_short("azure-storage-key", "AccountKey=abc==")]
#[case::azure_sas_short("azure-sas-token", "?sig=abc")]
#[case::azure_ad_short("azure-ad-client-secret", "abc8Q~short")]
#[case::digitalocean_short("digitalocean-token", "dop_v1_abc123")]
#[case::github_pat_short("github-pat", "ghp_abc123")]
#[case::github_pat_long("github-pat", "ghp_0123456789abcdefABCDEF0123456789abcdX")]
#[case::github_oauth_short("github-oauth", "gho_abc")]
#[case::github_user_short("github-user-token", "ghu_abc")]
#[case::github_app_short("github-app-token", "ghs_abc")]
#[case::github_refresh_short("github-refresh-token", "ghr_abc")]
#[case::github_fine_short("github-fine-grained-pat", "github_pat_abc")]
#[case::gitlab_pat_short("gitlab-pat", "glpat-abc")]
#[case::gitlab_pipeline_short("gitlab-pipeline-token", "glptt-abc")]
#[case::gitlab_runner_short("gitlab-runner-token", "glrt-abc")]
#[case::gitlab_deploy_short("gitlab-deploy-token", "gldt-abc")]
#[case::atlassian_short("atlassian-api-token", "ATATT3xFfGF0")]
#[case::anthropic_short("anthropic-api-key", "sk-ant-api03-short")]
#[case::openrouter_short("openrouter-api-key", "sk-or-v1-abc")]
#[case::openai_short("openai-api-key", "sk-abc123def456")]
#[case::openai_task(
    "openai-api-key",
    "task-0123456789abcdefABCDEF0123456789abcdefABCDEF01"
)]
#[case::groq_short("groq-api-key", "gsk_abc")]
#[case::xai_short("xai-api-key", "xai-abc")]
#[case::perplexity_short("perplexity-api-key", "pplx-abc")]
#[case::replicate_short("replicate-api-token", "r8_abc")]
#[case::huggingface_function("huggingface-token", "from huggingface_hub import hf_hub_download")]
#[case::huggingface_org_short("huggingface-org-token", "api_org_abc")]
#[case::slack_bot_short("slack-bot-token", "xoxb-123")]
#[case::slack_user_short("slack-user-token", "xoxp-123")]
#[case::slack_app_short("slack-app-token", "xapp-1-abc")]
#[case::slack_legacy_short("slack-legacy-token", "xoxs-1")]
#[case::slack_webhook_doc(
    "slack-webhook",
    "POST to https://hooks.slack.com/services/ with your webhook"
)]
#[case::discord_webhook_short("discord-webhook", "https://discord.com/api/webhooks/123/abc")]
#[case::telegram_short("telegram-bot-token", "12:AAbc")]
#[case::stripe_short("stripe-secret-key", "sk_live_short")]
#[case::stripe_restricted_short("stripe-restricted-key", "rk_live_short")]
#[case::stripe_webhook_short("stripe-webhook-secret", "whsec_abc")]
#[case::square_short("square-token", "EAAAshort")]
#[case::shopify_short("shopify-token", "shpat_abc")]
#[case::twilio_short("twilio-api-key", "SK0123456789abcdef0123456789abcde")]
#[case::twilio_lower("twilio-api-key", "sk0123456789abcdef0123456789abcdef")]
#[case::twilio_token_var("twilio-auth-token", "TWILIO_AUTH_TOKEN=${TWILIO_TOKEN}")]
#[case::sendgrid_short("sendgrid-api-key", "SG.abc.def")]
#[case::mailgun_word("mailgun-api-key", "the key-value store")]
#[case::mailchimp_plain_hex("mailchimp-api-key", "0123456789abcdef0123456789abcdef")]
#[case::npm_short("npm-access-token", "npm_abc")]
#[case::npmrc_env("npm-auth-token", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}")]
#[case::pypi_short("pypi-upload-token", "pypi-AgEIcHlwaS5vcmc")]
#[case::rubygems_short("rubygems-api-key", "rubygems_abc")]
#[case::dockerhub_short("dockerhub-token", "dckr_pat_abc")]
#[case::databricks_short("databricks-token", "dapi123")]
#[case::linear_short("linear-api-key", "lin_api_abc")]
#[case::notion_short("notion-token", "ntn_123")]
#[case::vault_short("vault-token", "hvs.abc")]
#[case::doppler_short("doppler-token", "dp.pt.abc")]
#[case::pulumi_short("pulumi-token", "pul-abc")]
#[case::sentry_short("sentry-token", "sntrys_abc")]
#[case::newrelic_short("newrelic-api-key", "NRAK-ABC")]
#[case::grafana_short("grafana-token", "glsa_abc")]
#[case::planetscale_short("planetscale-token", "pscale_tkn_abc")]
#[case::supabase_short("supabase-token", "sbp_abc")]
#[case::postman_short("postman-api-key", "PMAK-abc")]
#[case::kubeconfig_short("kubeconfig-client-key", "client-key-data: abc")]
#[case::jwt_two_parts("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0")]
#[case::postgres_env_var("connection-url-password", "postgres://app:${DB_PASSWORD}@db:5432/app")]
#[case::postgres_no_password("connection-url-password", "postgres://localhost:5432/app")]
#[case::postgres_placeholder("connection-url-password", "postgresql://user:<password>@host/db")]
#[case::url_plain("url-credentials", "https://github.com/org/repo.git")]
#[case::url_port("url-credentials", "http://localhost:8080/path@v2")]
#[case::url_placeholder("url-credentials", "https://user:password@example.com")]
#[case::auth_variable("authorization-header", "-H \"Authorization: Bearer $TOKEN\"")]
#[case::auth_template("authorization-header", "Authorization: Bearer ${API_KEY}")]
#[case::bearer_prose("bearer-token", "Bearer authentication sends a token in a header")]
#[case::netrc_prose("netrc-password", "machine learning login page password reset")]
#[case::password_call("generic-password", "password = getpass.getpass()")]
#[case::password_type("generic-password", "fn login(password: String) -> Result<()>")]
#[case::password_var("generic-password", "PASSWORD=${DB_PASSWORD}")]
#[case::password_bypass("generic-password", "bypass: Zx9kLm2Qp7")]
#[case::password_field("generic-password", "password: userInput")]
#[case::password_min_length("generic-password", "password_min_length: 12")]
#[case::secret_bool("generic-secret", "secret: true")]
#[case::secret_ref("generic-secret", "client_secret = settings.client_secret")]
#[case::secret_actions("generic-secret", "secret: ${{ secrets.DEPLOY_KEY }}")]
#[case::token_count("generic-token", "max_tokens: 4096, input_tokens: 123456789")]
#[case::token_uuid("generic-token", "token: 550e8400-e29b-41d4-a716-446655440000")]
#[case::token_call("generic-token", "token = self.tokenizer.next_token()")]
#[case::token_type("generic-token", "\"token_type\": \"Bearer\"")]
#[case::api_key_placeholder("generic-api-key", "api_key: YOUR_API_KEY")]
#[case::api_key_ref("generic-api-key", "apiKey: config.apiKey,")]
#[case::api_key_env("generic-api-key", "api_key = os.environ[\"OPENAI_API_KEY\"]")]
fn ignores(#[case] rule: &str, #[case] text: &str) {
    let found = R.scan_text(text);
    assert!(
        !found.iter().any(|f| f.rule == rule),
        "{rule} wrongly found in {text:?}: {found:?}"
    );
}

/// Shapes that look random but are not secrets: no rule may flag them.
#[rstest]
#[case::git_sha(format!("commit {}\nMerge: {} {}", hex(40), hex(7), hex(7)))]
#[case::git_log(format!("{} fix: handle tokens in parser (#42)", hex(40)))]
#[case::uuid("session 550e8400-e29b-41d4-a716-446655440000 started; request-id: 6ba7b810-9dad-11d1-80b4-00c04fd430c8".to_string())]
#[case::npm_integrity(format!("\"integrity\": \"sha512-{}==\",", g(B64, 86)))]
#[case::pnpm_integrity(format!("resolution: {{integrity: sha512-{}==}}", g(B64, 86)))]
#[case::cargo_checksum(format!("checksum = \"{}\"", hex(64)))]
#[case::yarn_resolved(format!("resolved \"https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#{}\"", hex(40)))]
#[case::docker_digest(format!("image@sha256:{}", hex(64)))]
#[case::base64_image(format!("{{\"type\":\"image\",\"source\":{{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo{}\"}}}}", g(B64, 6000)))]
#[case::data_uri(format!("<img src=\"data:image/jpeg;base64,/9j/4AAQ{}==\">", g(B64, 3000)))]
#[case::code("let token = self.tokens.next()?;\nif key == \"password\" { return Err(e) }\nfn parse_private_key(pem: &str) -> Key".to_string())]
#[case::semver("\"dependencies\": {\"@types/node\": \"^20.1.0\", \"left-pad\": \"1.3.0\"}".to_string())]
#[case::markers("[REDACTED:github-pat] and password=[REDACTED:generic-password] and postgres://u:[REDACTED:connection-url-password]@h".to_string())]
fn never_flagged(#[case] text: String) {
    assert_eq!(R.scan_text(&text), vec![], "{text}");
    assert_eq!(R.redact_text(&text), text);
    assert_eq!(R.check_residue(&text), vec![]);
}

#[test]
fn every_rule_has_positive_and_negative_cases() {
    let src = include_str!("tests_rules.rs");
    let finds = src.find("fn finds(").unwrap();
    let ignores = src.find("fn ignores(").unwrap();
    let (pos, neg) = (&src[..finds], &src[finds..ignores]);
    for info in R.rules() {
        let case = format!("\"{}\",", info.id);
        assert!(pos.contains(&case), "no positive case for {}", info.id);
        assert!(neg.contains(&case), "no negative case for {}", info.id);
    }
    assert!(R.rules().len() >= 40, "{} rules", R.rules().len());
}
