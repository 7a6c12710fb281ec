//! One module per command group; each converts arguments, calls the core and prints.

pub mod keys;
pub mod token;
pub mod urls;
