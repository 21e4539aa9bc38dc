//! The audit log for admins: a filtered page, and the same lines exported
//! as JSON lines (one object per line), from the page or the API. An
//! export is itself recorded.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;

use super::access::Admin;
use super::auth::CsrfToken;
use super::extract::Query;
use super::routes::Routes;
use crate::app::AppState;
use crate::db::audit::{self, Actor};
use crate::domain::audit::{AuditAction, AuditFilter};
use crate::error::{Error, Result};
use crate::views::{Chrome, admin};

/// The audit log, for admins.
pub fn routes() -> Routes {
    Routes::default()
        .admin_page("/admin/audit", get(audit_page))
        .admin_page("/admin/audit.jsonl", get(export))
        .admin_api("/api/v1/audit.jsonl", get(export))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FilterQuery {
    /// Only entries of this action.
    #[serde(default)]
    action: String,
    /// Only entries whose target or detail contains this.
    #[serde(default)]
    q: String,
}

impl FilterQuery {
    fn filter(&self, limit: u32) -> Result<AuditFilter> {
        let action = match self.action.trim() {
            "" => None,
            raw => Some(AuditAction::parse_as("action", raw)?),
        };
        let text = self.q.trim();
        Ok(AuditFilter {
            action,
            text: (!text.is_empty()).then(|| text.to_owned()),
            limit,
        })
    }
}

async fn audit_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Admin(viewer): Admin,
    Query(query): Query<FilterQuery>,
) -> Result<maud::Markup> {
    let filter = query.filter(500)?;
    let wanted = filter.clone();
    let entries = state
        .db
        .read(move |connection| audit::entries(connection, &wanted))
        .await?;
    let chrome = Chrome {
        viewer: Some(&viewer.user),
        csrf: &csrf,
    };
    Ok(admin::audit_page(&chrome, &filter, &entries))
}

#[utoipa::path(
    get,
    path = "/api/v1/audit.jsonl",
    operation_id = "export_audit_log",
    tag = "audit",
    params(FilterQuery),
    responses((status = 200, description = "The audit log, one JSON object a line", content_type = "application/x-ndjson", body = String))
)]
async fn export(
    State(state): State<AppState>,
    Admin(viewer): Admin,
    Query(query): Query<FilterQuery>,
) -> Result<impl IntoResponse> {
    let filter = query.filter(0)?;
    let now = state.clock.now();
    let actor = Actor::person(viewer.user.id, &viewer.user.email);
    let detail = format!(
        "audit log ({})",
        filter.action.map_or("everything", AuditAction::as_str)
    );
    let entries = state
        .db
        .write(move |connection| {
            let entries = audit::entries(connection, &filter)?;
            audit::record(
                connection,
                &actor,
                AuditAction::Exported,
                "audit_log",
                &detail,
                now,
            )?;
            Ok(entries)
        })
        .await?;
    let mut body = String::new();
    for entry in &entries {
        let line = serde_json::to_string(entry)
            .map_err(|error| Error::Internal(format!("cannot write an audit line: {error}")))?;
        body.push_str(&line);
        body.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"earshot-audit.jsonl\"",
            ),
        ],
        body,
    ))
}

/// Records what `viewer` did, once it is done (for handlers whose change
/// runs elsewhere, such as shipping or a survey's status).
pub async fn record(
    state: &AppState,
    viewer: &super::auth::Viewer,
    action: AuditAction,
    subject: String,
    detail: String,
) -> Result<()> {
    let actor = Actor::person(viewer.user.id, &viewer.user.email);
    let now = state.clock.now();
    state
        .db
        .write(move |connection| audit::record(connection, &actor, action, &subject, &detail, now))
        .await
}
