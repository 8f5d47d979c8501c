fn main() -> std::process::ExitCode {
    match chatda::cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole context chain on one line, without a backtrace.
            eprintln!("chatda: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
