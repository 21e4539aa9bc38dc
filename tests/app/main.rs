//! Earshot's integration tests: a real server on port 0 with its own SQLite
//! file per test, driven through HTTP and the command line.

mod access;
mod anonymity;
mod architecture;
mod backup;
mod bad_input;
mod browser;
mod cadence;
mod cli;
mod closing_the_loop;
mod contract;
mod crash_loop;
mod demo;
mod digests;
mod feedback_api;
mod feedback_form;
mod helpers;
mod identity;
mod index_health;
mod interviews;
mod operations;
mod outbox;
mod pain_points;
mod roadmap;
mod satisfaction;
mod search;
mod services;
mod smtp;
mod storage;
mod storage_failures;
mod surveys;
mod tree;
mod triage;
