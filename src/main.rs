// mimalloc: the bulk load allocates a term per token on the analysing threads and frees
// them on tantivy's writer threads; glibc's malloc spent a fifth of a reindex there
// (docs/measurements.md). Embedders choose their own allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
