//! Noise analysis: attribute records to the rules that made them, rank the talkers, suggest rule changes.
