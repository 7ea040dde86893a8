//! OpenCode adapter. (Not implemented yet: discovers nothing.)

use crate::{Adapter, AdapterError, Discovery, Environment, ReadOptions, Source, SourceOutput};
use convx_model::Agent;
use std::path::PathBuf;

/// Reads OpenCode session logs.
#[derive(Debug, Default, Clone, Copy)]
pub struct OpenCodeAdapter;

impl Adapter for OpenCodeAdapter {
    fn agent(&self) -> Agent {
        Agent::OpenCode
    }

    fn default_roots(&self, env: &Environment) -> Vec<PathBuf> {
        vec![env.home.join(".opencode")]
    }

    fn discover(&self, _roots: &[PathBuf]) -> Result<Discovery, AdapterError> {
        Ok(Discovery::default())
    }

    fn read(&self, source: &Source, _opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
        Err(AdapterError::Format {
            path: source.path.clone(),
            reason: "adapter not implemented".into(),
        })
    }
}
