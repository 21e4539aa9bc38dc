//! `earshot user add`, `token create`, `token list` and `token revoke`:
//! run against the data directory, recorded in the audit log as `cli`.

use std::io::BufRead;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use clap::{Args, Subcommand};

use super::open_data_dir;
use crate::auth;
use crate::db::audit::{self, Actor};
use crate::db::{self, credentials, people};
use crate::domain::audit::AuditAction;
use crate::domain::password::Password;
use crate::domain::text::single_line;
use crate::domain::{Email, Role};
use crate::error::{Error, Result};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person.
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[arg(long, env = "EARSHOT_USER_EMAIL")]
    email: String,
    #[arg(long, env = "EARSHOT_USER_NAME")]
    name: String,
    #[arg(long, env = "EARSHOT_USER_ROLE", value_parser = parse_role)]
    role: Role,
    /// Team slug; the team is created if it does not exist.
    #[arg(long, env = "EARSHOT_USER_TEAM")]
    team: Option<String>,
    /// Read a password from the first line of standard input.
    #[arg(long, env = "EARSHOT_PASSWORD_STDIN")]
    password_stdin: bool,
    /// No password: they sign in through the company's identity
    /// (implied when OpenID Connect or an SSO proxy is configured).
    #[arg(long, conflicts_with = "password_stdin")]
    sso: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token acting as a person; it is printed once.
    Create(TokenCreateArgs),
    /// List API tokens (a person's with --email, else everyone's).
    List {
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke an API token by its id (see `token list`).
    Revoke {
        #[arg(long)]
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    #[arg(long, env = "EARSHOT_TOKEN_EMAIL")]
    email: String,
    #[arg(long, env = "EARSHOT_TOKEN_LABEL", default_value = "api")]
    label: String,
    /// Days until the token expires; without it, never.
    #[arg(long)]
    expires_in_days: Option<u32>,
}

fn parse_role(raw: &str) -> std::result::Result<Role, String> {
    Role::parse(raw).ok_or_else(|| format!("choose one of {}", Role::choices()))
}

/// Adds a person. Without a password they must have another way in: the
/// company's identity (`--sso`, or configured), or the command refuses.
pub fn add_user(
    data_dir: &Path,
    args: UserAddArgs,
    company_sign_in: bool,
    clock: &Clock,
) -> Result<()> {
    let email = Email::parse(&args.email).map_err(|message| Error::invalid("email", message))?;
    let name = single_line(&args.name, 100).map_err(|message| Error::invalid("name", message))?;
    let password_hash = if args.password_stdin {
        let password = read_password()?;
        Some(auth::hash_password(password.as_str())?)
    } else if args.sso || company_sign_in {
        None
    } else {
        return Err(Error::invalid(
            "password",
            format!(
                "{email} would have no way to sign in: give a password on standard input with \
                 --password-stdin, or add --sso if they sign in through the company's identity \
                 (OpenID Connect or an SSO proxy)"
            ),
        ));
    };
    let path = open_data_dir(data_dir)?;
    let now = clock.now();
    db::with_connection(&path, |connection| {
        let team_id = match &args.team {
            None => None,
            Some(team) => Some(people::ensure_team(connection, team, team)?),
        };
        let id = people::insert_user(
            connection,
            &people::NewUser {
                email: &email,
                name: &name,
                role: args.role,
                team_id,
                password_hash: password_hash.as_deref(),
            },
            now,
        )?;
        audit::record(
            connection,
            &Actor::command_line(),
            AuditAction::PersonCreated,
            &format!("person:{id}"),
            &format!("{email} as {}", args.role),
            now,
        )
    })?;
    if password_hash.is_some() {
        println!(
            "Added {email} as {}. They sign in with their email and the password given.",
            args.role
        );
    } else {
        println!(
            "Added {email} as {}. They have no password: they sign in through the company's identity \
             (OpenID Connect or the SSO proxy) as {email}.",
            args.role
        );
    }
    Ok(())
}

fn read_password() -> Result<Password> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| Error::Internal(format!("cannot read the password: {error}")))?;
    Password::parse(line.trim_end_matches(['\r', '\n'])).map_err(|message| {
        Error::invalid(
            "password",
            format!("{message} (read from the first line of standard input)"),
        )
    })
}

pub fn token(data_dir: &Path, command: TokenCommand, clock: &Clock) -> Result<()> {
    match command {
        TokenCommand::Create(args) => create_token(data_dir, args, clock),
        TokenCommand::List { email } => list_tokens(data_dir, email.as_deref(), clock),
        TokenCommand::Revoke { id } => revoke_token(data_dir, id, clock),
    }
}

fn create_token(data_dir: &Path, args: TokenCreateArgs, clock: &Clock) -> Result<()> {
    let email = Email::parse(&args.email).map_err(|message| Error::invalid("email", message))?;
    let label =
        single_line(&args.label, 100).map_err(|message| Error::invalid("label", message))?;
    let path = open_data_dir(data_dir)?;
    let token = auth::new_token("esk_");
    let token_hash = auth::hash_token(&token);
    let now = clock.now();
    let expires_at = args
        .expires_in_days
        .map(|days| now + chrono::Duration::days(i64::from(days)));
    db::with_connection(&path, |connection| {
        let user = people::require_user(connection, &email)?;
        let id = credentials::insert_api_token(
            connection,
            &credentials::NewApiToken {
                user_id: user.id,
                token_hash: &token_hash,
                label: &label,
                expires_at,
            },
            now,
        )?;
        audit::record(
            connection,
            &Actor::command_line(),
            AuditAction::TokenCreated,
            &format!("token:{id}"),
            &format!("{label} of {email}"),
            now,
        )
    })?;
    println!("{token}");
    eprintln!(
        "This token is shown once; only its hash is stored. Send it as `Authorization: Bearer <token>`."
    );
    Ok(())
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "-".to_owned(),
        |at| at.format("%Y-%m-%d %H:%M").to_string(),
    )
}

fn list_tokens(data_dir: &Path, email: Option<&str>, clock: &Clock) -> Result<()> {
    let path = open_data_dir(data_dir)?;
    let tokens = db::with_connection(&path, |connection| {
        let owner = match email {
            None => None,
            Some(email) => {
                let email =
                    Email::parse(email).map_err(|message| Error::invalid("email", message))?;
                Some(people::require_user(connection, &email)?.id)
            }
        };
        credentials::list_api_tokens(connection, owner)
    })?;
    println!(
        "{:>5}  {:<24} {:<32} {:<16} {:<16} {:<16} status",
        "id", "label", "owner", "created", "last used", "expires"
    );
    let now = clock.now();
    for token in tokens {
        let status = crate::views::account::token_status(&token, now);
        println!(
            "{:>5}  {:<24} {:<32} {:<16} {:<16} {:<16} {status}",
            token.id,
            token.label,
            token.owner,
            when(Some(token.created_at)),
            when(token.last_used_at),
            when(token.expires_at)
        );
    }
    Ok(())
}

fn revoke_token(data_dir: &Path, id: i64, clock: &Clock) -> Result<()> {
    let path = open_data_dir(data_dir)?;
    let now = clock.now();
    let revoked = db::with_connection(&path, |connection| {
        let token = credentials::api_token(connection, id)?
            .ok_or_else(|| Error::invalid("id", format!("there is no token {id}")))?;
        let revoked = credentials::revoke_api_token(connection, id, now)?;
        if revoked {
            audit::record(
                connection,
                &Actor::command_line(),
                AuditAction::TokenRevoked,
                &format!("token:{id}"),
                &format!("{} of {}", token.label, token.owner),
                now,
            )?;
        }
        Ok(revoked)
    })?;
    if revoked {
        println!("Revoked token {id}; it stops working at once.");
    } else {
        println!("Token {id} was already revoked.");
    }
    Ok(())
}
