//! A few ANSI styles for people at a terminal; plain text otherwise.

use std::io::IsTerminal as _;

use crate::args::ColorChoice;

/// Whether to colour stdout: `always`, `never`, or (auto) when stdout is a
/// terminal and `NO_COLOR` is unset or empty.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
        }
    }
}

/// Styles text when colour is on.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    on: bool,
}

impl Painter {
    /// A painter that colours only when `on`.
    pub fn new(on: bool) -> Self {
        Painter { on }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    /// Dimmed.
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }

    /// Green (success).
    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }

    /// Red (failure).
    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }

    /// Yellow (attention).
    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }

    /// Cyan (values).
    pub fn cyan(&self, s: &str) -> String {
        self.paint("36", s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_painter_leaves_text_alone_and_colour_wraps_it() {
        assert_eq!(Painter::new(false).green("ok"), "ok");
        assert_eq!(Painter::new(true).green("ok"), "\x1b[32mok\x1b[0m");
        assert!(!use_color(ColorChoice::Never));
        assert!(use_color(ColorChoice::Always));
    }
}
