//! Domain types and rules of langnghe. Pure functions, no I/O.

pub mod access;
pub mod agency;
pub mod audit;
pub mod auth;
pub mod cite;
pub mod coverage;
pub mod dashboard;
pub mod demo;
pub mod geo;
pub mod ingest;
pub mod legal_doc;
pub mod map;
pub mod place;
pub mod plan;
pub mod registry;
pub mod report;
pub mod report_values;
pub mod scheme;
pub mod text;
pub mod throttle;
pub mod todo;
pub mod vnfmt;
pub mod workflow;
