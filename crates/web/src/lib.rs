//! # convx-web
//!
//! The review console (not built yet).
