//! `/privacy`: what Earshot stores for anonymous feedback and anonymous
//! surveys, and who can see what. Every anonymous form links here; the
//! README says the same.

use maud::{Markup, html};

use super::{Chrome, layout};
use crate::domain::disclosure::{DEFAULT_THRESHOLD, MIN_ANONYMOUS_THRESHOLD};

pub fn privacy(chrome: &Chrome<'_>) -> Markup {
    layout(
        "Privacy",
        chrome,
        html! {
            section.narrow {
                h1 { "What is stored, and who sees what" }
                p.lede { "Anonymous means anonymous, to the platform team and to whoever runs Earshot too." }

                h2 { "Anonymous feedback" }
                ul {
                    li { "Stored: the service, the kind, the rating, the title and text you wrote, and the hour you sent it (not the minute)." }
                    li { "Not stored: your name, your account, your team, your address on the network or your browser. Request logs keep only the kind of request, never who made it." }
                    li { "Who sees it: the platform team reads the item itself, to act on it. You will not find it under My feedback, since nothing says it is yours." }
                    li { "Everyone else sees it only inside figures: a service page shows a month's average rating once the month is over and only over at least " (DEFAULT_THRESHOLD) " ratings." }
                }

                h2 { "Anonymous surveys" }
                ul {
                    li { "Your personal link is mailed to you and shown to nobody else, the person who invited you included. It answers once: afterwards it says it was used, and shows nothing of your answers." }
                    li { "Stored with your answers: your team (for team figures) and the day you answered. Not stored: your name, the link, or anything made from it. The invitation records only that its link was used." }
                    li { "Through the survey's open link, nothing about you is stored, not even your team." }
                    li { "Who sees what: the platform team and the summaries they send see figures, never a single person's answers. A figure is shown only if at least k people gave a real answer to it (k is the survey's threshold, at least " (MIN_ANONYMOUS_THRESHOLD) ", usually " (DEFAULT_THRESHOLD) "; “not applicable” does not count); more groups are hidden when the hidden ones could otherwise be worked out by subtraction, and hidden groups are not named." }
                    li { "While a survey is open its figures change only after at least k more people have answered, so reading them before and after you answer tells nothing. Team figures appear only once it is closed." }
                    li { "Comments are shown and searchable, by the platform team only, once their question has at least k of them, with the day they were written." }
                }

                h2 { "Where it is kept" }
                p { "In Earshot's data directory, which only the account running Earshot can read. Personal survey links leave the outgoing mail once sent, and the database is rewritten so that no copy remains in its files." }
            }
        },
    )
}
