//! Benchmark harness shared by the bench binaries.
