//! GameTracker on the Web: the core, compiled for `wasm32-unknown-unknown`,
//! in a dedicated Web Worker beside the page. The game's autoload hands
//! each frame's calls to the page's glue as one string, the glue posts it
//! here, and [`replay`] makes the same calls on the core's tracker, whose
//! worker batches, encodes and sends through the browser's fetch
//! ([`fetch`]). docs/web.md draws the whole path.

pub mod godot_variant;
pub mod replay;

#[cfg(target_family = "wasm")]
mod fetch;
#[cfg(target_family = "wasm")]
mod worker;
