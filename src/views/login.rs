//! The sign-in page.

use maud::{Markup, html};

use super::{Chrome, csrf_field, layout};

pub fn login_page(chrome: &Chrome<'_>, email: &str, next: &str, failed: bool) -> Markup {
    layout(
        "Sign in",
        chrome,
        html! {
            section.narrow {
                h1 { "Sign in to Earshot" }
                @if failed {
                    p.error role="alert" { "That email and password do not match an account. Check both and try again." }
                }
                form method="post" action="/login" {
                    (csrf_field(chrome.csrf))
                    input type="hidden" name="next" value=(next);
                    label for="email" { "Email" }
                    input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                    label for="password" { "Password" }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    button type="submit" { "Sign in" }
                }
            }
        },
    )
}
