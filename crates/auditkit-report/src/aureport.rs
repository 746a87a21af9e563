//! aureport 3.0.9 parity: the tallies (a sink with per-worker parts) and the layouts.
