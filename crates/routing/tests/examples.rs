//! The examples run as tests, so they stay correct.

#[path = "../examples/crm.rs"]
mod crm;

#[test]
fn crm_embedding_example_runs() {
    crm::main();
}
