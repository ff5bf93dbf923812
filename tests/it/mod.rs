pub mod common;

mod bigendian;
mod custom;
mod experts;
mod filters;
mod golden;
mod gui;
mod malformed;
mod roundtrip;
mod specs;
mod streaming;
mod tshark;
mod walk;
