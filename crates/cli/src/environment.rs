//! The only place that reads the process environment for agent discovery.

use anyhow::Context;
use convx_adapters::Environment;

/// Build the [`Environment`] adapters see from the real process environment.
pub fn from_process() -> anyhow::Result<Environment> {
    let home = etcetera::home_dir().context("cannot determine the home directory (set HOME)")?;
    let mut env = Environment::new(home);
    for key in Environment::VARS {
        if let Ok(v) = std::env::var(key) {
            env.vars.insert((*key).to_string(), v);
        }
    }
    Ok(env)
}
