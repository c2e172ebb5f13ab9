//! Territory shapes.
