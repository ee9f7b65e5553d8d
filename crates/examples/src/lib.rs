#![doc = include_str!("../../../docs/library.md")]
//!
//! (This crate only exists to compile and run the examples above as doctests.)
