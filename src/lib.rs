//! nlscope: Linux netlink capture and dissection.
//!
//! Data flows one way: a capture source or file reader yields frames, the [`dissect`] engine
//! indexes their netlink message headers eagerly and builds full trees on demand, the
//! [`filter`] language selects messages, and [`export`] writes them out.

pub mod capture;
pub mod cli;
pub mod conv;
pub mod dissect;
pub mod export;
pub mod filter;
pub mod model;
pub mod netlink;
pub mod pcap;
pub mod store;
#[cfg(feature = "gui")]
pub mod ui;
