//! The generated corpus read back through the real pipeline gives exactly the sessions and
//! token totals the generator wrote (streaming splits and re-emitted token counts included).

use convx_adapters::Environment;
use convx_core::load::{LoadRequest, load};

#[test]
fn generated_corpus_parses_exactly() {
    let home = tempfile::tempdir().unwrap();
    let stats = convx_bench::generate(&convx_bench::CorpusSpec {
        out: home.path().to_path_buf(),
        sessions: 24,
        total_mb: 3,
        big_mb: 0,
        seed: 7,
    })
    .unwrap();
    for retain_events in [false, true] {
        let mut req = LoadRequest::new(Environment::new(home.path()));
        req.retain_events = retain_events;
        let result = load(&req);
        assert_eq!(result.sessions.len() as u64, stats.files);
        let tokens: u64 = result
            .sessions
            .iter()
            .map(|s| s.summary.usage.total())
            .sum();
        assert_eq!(tokens, stats.tokens, "retain_events = {retain_events}");
        let calls: usize = result
            .sessions
            .iter()
            .map(|s| s.summary.calls.iter().filter(|c| !c.duplicate).count())
            .sum();
        assert_eq!(calls as u64, stats.model_calls);
        let warnings: u64 = result
            .reports
            .iter()
            .flat_map(|r| r.warnings.values())
            .sum();
        assert_eq!(warnings, 0);
    }
}
