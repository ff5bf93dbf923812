//! The kernel's state at a moment: rtnetlink objects (links, addresses, routes, neighbours,
//! rules, nexthops, qdiscs) rebuilt from what the kernel reported up to that moment (dump
//! parts, replies and notifications, in capture order), printed as `ip`/`tc` list them
//! ([`State::render_text`]) or in the shape of `ip -j` ([`State::render_json`]).
//!
//! Requests change nothing: only what the kernel says. `RTM_NEW*` adds or replaces the
//! object under its kernel key, `RTM_DEL*` removes it; a link's `RTM_NEWLINK` merges its
//! attributes into the link already known (the kernel's notifications carry the whole link,
//! so a merge and a replace agree on them).
//!
//! The app builds one for the selected message's moment: [`State::new`], then
//! [`State::apply`] for every message up to it, then a render.

mod nft;
mod render;
mod store;
#[cfg(test)]
mod tests;

pub use store::{Kind, Obj, State};
