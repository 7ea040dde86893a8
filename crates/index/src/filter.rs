//! Filters shared by search and statistics.

use crate::IndexError;
use crate::project::{ProjectFilter, is_under, trim_sep};
use crate::role::Role;
use crate::store::Store;
use convx_model::{Agent, Timestamp};

/// What to keep. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only these agents.
    pub agents: Vec<Agent>,
    /// Only this project (see [`ProjectFilter`]).
    pub project: Option<ProjectFilter>,
    /// At or after this instant.
    pub since: Option<Timestamp>,
    /// Before this instant (exclusive).
    pub until: Option<Timestamp>,
    /// Only these roles (search only).
    pub roles: Vec<Role>,
    /// Only these tools, case-insensitive (search only).
    pub tools: Vec<String>,
}

/// A project filter resolved to directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProjectRoots(pub Vec<String>);

impl ProjectRoots {
    /// True when `cwd` is one of the roots or below one.
    pub fn matches(&self, cwd: Option<&str>) -> bool {
        cwd.is_some_and(|c| self.0.iter().any(|r| is_under(c, r)))
    }
}

impl Filter {
    /// Resolve the project filter against the sessions in the store: a path is itself; a
    /// name is every directory with that name some session ran in.
    pub(crate) fn project_roots(&self, store: &Store) -> Result<Option<ProjectRoots>, IndexError> {
        match &self.project {
            None => Ok(None),
            Some(ProjectFilter::Path(p)) => Ok(Some(ProjectRoots(vec![trim_sep(p).to_string()]))),
            Some(ProjectFilter::Name(n)) => {
                let mut st = store
                    .conn
                    .prepare_cached(
                        "SELECT DISTINCT cwd FROM sessions WHERE project = ?1 AND cwd IS NOT NULL",
                    )
                    .map_err(|e| store.err(e))?;
                let rows = st
                    .query_map([n], |r| r.get::<_, String>(0))
                    .map_err(|e| store.err(e))?;
                let mut roots: Vec<String> = rows
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| store.err(e))?
                    .iter()
                    .map(|c| trim_sep(c).to_string())
                    .collect();
                roots.sort();
                roots.dedup();
                Ok(Some(ProjectRoots(roots)))
            }
        }
    }
}
