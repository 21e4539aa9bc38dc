//! The sign-in page: the company's sign-in when configured, and the
//! password form while local accounts are on.

use maud::{Markup, html};

use super::{Chrome, csrf_field, layout};

/// What the sign-in page shows.
pub struct LoginPage<'a> {
    pub email: &'a str,
    /// Where to go afterwards (already checked to be a local path).
    pub next: Option<&'a str>,
    pub problem: Option<String>,
    pub local_accounts: bool,
    /// "Sign in with `label`" when OpenID Connect is configured.
    pub oidc_label: Option<&'a str>,
}

pub fn login_page(chrome: &Chrome<'_>, page: &LoginPage<'_>) -> Markup {
    let next = page.next.unwrap_or("");
    layout(
        "Sign in",
        chrome,
        html! {
            section.narrow {
                h1 { "Sign in to Earshot" }
                @if let Some(problem) = &page.problem {
                    p.error role="alert" { (problem) }
                }
                @if let Some(label) = page.oidc_label {
                    form method="get" action="/auth/oidc/start" {
                        input type="hidden" name="next" value=(next);
                        button type="submit" { "Sign in with " (label) }
                    }
                }
                @if page.local_accounts {
                    form method="post" action="/login" {
                        (csrf_field(chrome.csrf))
                        input type="hidden" name="next" value=(next);
                        label for="email" { "Email" }
                        input #email type="email" name="email" value=(page.email) autocomplete="username" required autofocus;
                        label for="password" { "Password" }
                        input #password type="password" name="password" autocomplete="current-password" required;
                        button type="submit" { "Sign in" }
                    }
                } @else if page.oidc_label.is_none() {
                    p { "Sign in through your company's single sign-on; ask an admin if it does not let you in." }
                }
            }
        },
    )
}
