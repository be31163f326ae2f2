//! Empty: this package exists only so that `cargo vendor` fetches the
//! sources of its dependencies for datagate's benchmark.
