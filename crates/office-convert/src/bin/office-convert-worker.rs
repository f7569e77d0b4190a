//! Stand-alone pool worker for this crate's tests and benchmarks; the service
//! does not ship it but dispatches to the same code from its own `main`.

fn main() {
    office_convert::run_worker_if_requested();
    eprintln!(
        "run as: office-convert-worker {} <program-dir> <profile-dir> <work-dir>",
        office_convert::WORKER_ARG
    );
    std::process::exit(2);
}
