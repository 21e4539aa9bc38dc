//! What proves who someone is: browser sessions, API tokens and password
//! reset links. Only SHA-256 hashes of their secrets are stored.
//!
//! Every lookup also requires the person to be active: deactivating
//! someone ends their sessions and tokens at once, even a request already
//! on its way.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::people::{USER_COLUMNS, user_from_row};
use crate::domain::people::{ApiTokenInfo, User};
use crate::error::Result;

/// When a new session ends: after `idle` without use, and at `absolute` at the latest.
#[derive(Debug, Clone, Copy)]
pub struct SessionLifetime {
    pub idle: Duration,
    pub absolute: Duration,
}

/// Starts a session. Expired sessions are swept here rather than by a timer.
pub fn insert_session(
    connection: &Connection,
    token_hash: &str,
    user_id: i64,
    now: DateTime<Utc>,
    lifetime: SessionLifetime,
) -> Result<()> {
    connection.execute(
        "DELETE FROM sessions WHERE expires_at <= ?1 OR idle_expires_at <= ?1",
        [now],
    )?;
    let expires_at = now + lifetime.absolute;
    let idle_expires_at = (now + lifetime.idle).min(expires_at);
    connection.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, idle_expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash, user_id, now, expires_at, idle_expires_at],
    )?;
    connection.execute(
        "UPDATE users SET last_sign_in_at = ?2 WHERE id = ?1",
        params![user_id, now],
    )?;
    Ok(())
}

/// A session that is still alive, and when its idle lifetime ends.
pub struct LiveSession {
    pub user: User,
    pub idle_expires_at: DateTime<Utc>,
}

/// The active person signed in with this session, unless it has expired
/// (idle or absolute).
pub fn user_by_session(
    connection: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<LiveSession>> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, sessions.idle_expires_at FROM sessions
             JOIN users ON users.id = sessions.user_id
             LEFT JOIN teams ON teams.id = users.team_id
             WHERE sessions.token_hash = ?1 AND sessions.expires_at > ?2
               AND sessions.idle_expires_at > ?2 AND users.deactivated_at IS NULL"
        ))?
        .query_row(params![token_hash, now], |row| {
            Ok(LiveSession {
                user: user_from_row(row)?,
                idle_expires_at: row.get(5)?,
            })
        })
        .optional()?)
}

/// Moves the idle end of a session forward (never past its absolute end).
pub fn touch_session(
    connection: &Connection,
    token_hash: &str,
    idle_expires_at: DateTime<Utc>,
) -> Result<()> {
    connection.execute(
        "UPDATE sessions SET idle_expires_at = min(?2, expires_at) WHERE token_hash = ?1",
        params![token_hash, idle_expires_at],
    )?;
    Ok(())
}

pub fn delete_session(connection: &Connection, token_hash: &str) -> Result<()> {
    connection.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

/// Ends every session of a person ("sign out everywhere", deactivation, a
/// changed role); returns how many there were.
pub fn end_sessions(connection: &Connection, user_id: i64) -> Result<usize> {
    Ok(connection.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])?)
}

/// A new API token's details.
pub struct NewApiToken<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    pub label: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Stores a token; returns its id.
pub fn insert_api_token(
    connection: &Connection,
    token: &NewApiToken<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    connection.execute(
        "INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            token.user_id,
            token.token_hash,
            token.label,
            now,
            token.expires_at
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

/// A token that still works, and when it was last used.
pub struct LiveToken {
    pub user: User,
    pub token_id: i64,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The active person an API token acts as, unless it was revoked or has expired.
pub fn user_by_api_token(
    connection: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<LiveToken>> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, api_tokens.id, api_tokens.last_used_at FROM api_tokens
             JOIN users ON users.id = api_tokens.user_id
             LEFT JOIN teams ON teams.id = users.team_id
             WHERE api_tokens.token_hash = ?1 AND api_tokens.revoked_at IS NULL
               AND (api_tokens.expires_at IS NULL OR api_tokens.expires_at > ?2)
               AND users.deactivated_at IS NULL"
        ))?
        .query_row(params![token_hash, now], |row| {
            Ok(LiveToken {
                user: user_from_row(row)?,
                token_id: row.get(5)?,
                last_used_at: row.get(6)?,
            })
        })
        .optional()?)
}

pub fn mark_token_used(connection: &Connection, token_id: i64, now: DateTime<Utc>) -> Result<()> {
    connection.execute(
        "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1",
        params![token_id, now],
    )?;
    Ok(())
}

/// Tokens, newest first: one person's (`Some(id)`) or everyone's.
pub fn list_api_tokens(connection: &Connection, owner: Option<i64>) -> Result<Vec<ApiTokenInfo>> {
    let mut statement = connection.prepare_cached(
        "SELECT api_tokens.id, api_tokens.label, users.id, users.email, api_tokens.created_at,
                api_tokens.last_used_at, api_tokens.expires_at, api_tokens.revoked_at
           FROM api_tokens JOIN users ON users.id = api_tokens.user_id
          WHERE ?1 IS NULL OR api_tokens.user_id = ?1
          ORDER BY api_tokens.id DESC",
    )?;
    let tokens = statement
        .query_map([owner], |row| {
            Ok(ApiTokenInfo {
                id: row.get(0)?,
                label: row.get(1)?,
                owner_id: row.get(2)?,
                owner: row.get(3)?,
                created_at: row.get(4)?,
                last_used_at: row.get(5)?,
                expires_at: row.get(6)?,
                revoked_at: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(tokens)
}

pub fn api_token(connection: &Connection, id: i64) -> Result<Option<ApiTokenInfo>> {
    Ok(list_api_tokens(connection, None)?
        .into_iter()
        .find(|token| token.id == id))
}

/// Revokes a token that is not revoked yet; `true` if it was live.
pub fn revoke_api_token(connection: &Connection, id: i64, now: DateTime<Utc>) -> Result<bool> {
    Ok(connection.execute(
        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now],
    )? == 1)
}

/// Revokes every live token of a person; returns how many.
pub fn revoke_tokens_of(
    connection: &Connection,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<usize> {
    Ok(connection.execute(
        "UPDATE api_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
        params![user_id, now],
    )?)
}

/// Stores a reset link's hash; earlier unused links of the person stop working.
pub fn insert_password_reset(
    connection: &Connection,
    token_hash: &str,
    user_id: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    connection.execute(
        "UPDATE password_resets SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL",
        params![user_id, now],
    )?;
    connection.execute(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, user_id, now, expires_at],
    )?;
    Ok(())
}

/// The active person a reset link is for, if it is unused and unexpired.
pub fn reset_link_user(
    connection: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<User>> {
    Ok(connection
        .query_row(
            &format!(
                "SELECT {USER_COLUMNS} FROM password_resets
                 JOIN users ON users.id = password_resets.user_id
                 LEFT JOIN teams ON teams.id = users.team_id
                 WHERE password_resets.token_hash = ?1 AND password_resets.used_at IS NULL
                   AND password_resets.expires_at > ?2 AND users.deactivated_at IS NULL"
            ),
            params![token_hash, now],
            user_from_row,
        )
        .optional()?)
}

/// Uses up a reset link: `false` if it was already used (a race lost).
pub fn use_reset_link(
    connection: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(connection.execute(
        "UPDATE password_resets SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
        params![token_hash, now],
    )? == 1)
}

/// Sets a person's password hash.
pub fn set_password_hash(connection: &Connection, user_id: i64, hash: &str) -> Result<()> {
    connection.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        params![user_id, hash],
    )?;
    Ok(())
}

/// The stored password hash of an active person, for checking the current password.
pub fn password_hash(connection: &Connection, user_id: i64) -> Result<Option<String>> {
    Ok(connection
        .query_row(
            "SELECT password_hash FROM users WHERE id = ?1 AND deactivated_at IS NULL",
            [user_id],
            |row| row.get(0),
        )
        .optional()?
        .flatten())
}
