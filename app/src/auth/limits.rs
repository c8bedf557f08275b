//! Rate limits for the passkey ceremonies (governor's keyed limiters): per address on every
//! ceremony endpoint (the server shell applies it) and per account on sign-in.
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

#[derive(Debug)]
pub struct Limits {
    pub per_ip: DefaultKeyedRateLimiter<IpAddr>,
    pub per_account: DefaultKeyedRateLimiter<Uuid>,
}

impl Limits {
    /// `per_ip` and `per_account` requests a minute, each allowed in one burst.
    pub fn new(per_ip: u32, per_account: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_ip: RateLimiter::keyed(quota(per_ip)),
            per_account: RateLimiter::keyed(quota(per_account)),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(60, 10)
    }
}
