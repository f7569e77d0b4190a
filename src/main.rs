fn main() -> std::process::ExitCode {
    // The LibreOffice pool runs this same executable as its workers: hand over before anything
    // else (argument parsing, logging, the async runtime) is set up.
    office_convert::run_worker_if_requested();
    webhook_service::cli::main()
}
