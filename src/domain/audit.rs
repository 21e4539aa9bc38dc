//! The audit log's vocabulary: what can be recorded about who did what.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::feedback::text_enum;

text_enum! {
    /// Something worth a line in the audit log.
    AuditAction {
        SignIn => "sign_in",
        SignInRefused => "sign_in_refused",
        SignOutEverywhere => "sign_out_everywhere",
        PersonCreated => "person_created",
        RoleChanged => "role_changed",
        TeamChanged => "team_changed",
        Deactivated => "deactivated",
        Reactivated => "reactivated",
        PasswordChanged => "password_changed",
        PasswordResetSent => "password_reset_sent",
        PasswordReset => "password_reset",
        TeamCreated => "team_created",
        TeamRenamed => "team_renamed",
        TeamsMerged => "teams_merged",
        TokenCreated => "token_created",
        TokenRevoked => "token_revoked",
        Exported => "exported",
        Deleted => "deleted",
        StatusChanged => "status_changed",
        SubscribedOther => "subscribed_other",
    }
}

/// One line of the audit log as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The person who acted, when it was a person of this Earshot.
    pub actor_id: Option<i64>,
    /// Their email at the time, or `cli` / `system`.
    pub actor: String,
    pub action: AuditAction,
    /// What it was done to: `person:12`, `feedback:7`, `token:3`.
    pub subject: String,
    pub detail: String,
}

/// Which lines an admin wants to see.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    /// Part of the actor's email or of the subject.
    pub text: Option<String>,
    pub limit: u32,
}
