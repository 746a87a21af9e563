//! The HTML report: one self-contained page, inline SVG charts, no network access.
