//! # convx-index
//!
//! The searchable view of the archive (not built yet).
