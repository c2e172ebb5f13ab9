//! Readers for research instance formats, kept apart from the planning model:
//! each turns a file into plain data the CLI maps onto the library's problem.

mod check;
pub mod pvrp;
pub mod solomon;
pub mod tdp;
pub mod tsplib;
