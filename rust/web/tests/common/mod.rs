//! Helpers the test files share; each file uses part of them.
#![allow(dead_code)]

pub mod godot_bytes;
