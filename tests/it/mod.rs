pub mod common;

mod bigendian;
mod coverage;
mod custom;
mod experts;
mod filters;
mod golden;
mod gui;
mod malformed;
mod monitor;
mod nlmon_vm;
mod nlpr;
mod roundtrip;
mod specs;
mod streaming;
mod summaries;
mod tshark;
mod walk;
