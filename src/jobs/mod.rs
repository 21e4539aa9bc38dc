//! Background work inside `serve`: the digest scheduler and the email
//! sender. (The search indexer is a thread of its own, in `search`.)

pub mod closed_loop;
pub mod digests;
pub mod notices;
