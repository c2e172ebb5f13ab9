//! End-to-end tests of the `territory` binary (one test binary, several modules).

mod bad_input;
mod common;
mod inputs;
mod levels;
mod plan;
mod rebalance;
mod reliability;
mod report;
mod roads;
mod route_checker;
mod routes;
mod schemas;
mod slots;
mod solve;
mod weekly_loop;
