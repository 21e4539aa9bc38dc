//! Signed links in messages: unsubscribing from a summary and opting out of
//! "you said, we did" mail carry an HMAC of what they act on, so the token
//! need not be stored; and where Earshot is, for every link and message id.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What links in messages need: where Earshot is, and the key that signs
/// unsubscribe tokens.
#[derive(Clone)]
pub struct Links {
    pub public_url: String,
    pub secret: String,
}

impl Links {
    /// The unsubscribe token of a subscription: an HMAC of its id, so it
    /// need not be stored (only its hash is, to find the subscription).
    pub fn unsubscribe_token(&self, subscription: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(format!("unsubscribe:{subscription}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The token of a person's "no more 'you said, we did' mail" link.
    pub fn opt_out_token(&self, user: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(format!("closed-loop:{user}").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn opt_out_url(&self, user: i64) -> String {
        format!(
            "{}/opt-out/{user}/{}",
            self.public_url.trim_end_matches('/'),
            self.opt_out_token(user)
        )
    }

    pub fn unsubscribe_url(&self, subscription: i64) -> String {
        format!(
            "{}/unsubscribe/{}",
            self.public_url.trim_end_matches('/'),
            self.unsubscribe_token(subscription)
        )
    }

    pub fn host(&self) -> &str {
        let rest = self
            .public_url
            .split_once("://")
            .map_or(self.public_url.as_str(), |(_, rest)| rest);
        let host = rest.split(['/', ':']).next().unwrap_or_default();
        if host.is_empty() {
            "earshot.local"
        } else {
            host
        }
    }
}
