fn main() -> anyhow::Result<()> {
    chatda::cli::run()
}
