//! One module per command group; each converts arguments, calls the core and prints.

pub mod api;
pub mod demo;
pub mod emulator;
pub mod keys;
pub mod stream;
pub mod token;
pub mod urls;
