fn main() -> std::process::ExitCode {
    webhook_service::cli::main()
}
