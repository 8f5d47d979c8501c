//! `chatda dict build`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::dictbuild;

/// Dictionary subcommands.
#[derive(Debug, Subcommand)]
pub enum DictCommand {
    /// Convert the pinned mecab-ko-dic wheel into the committed lindera source archive.
    ///
    /// Get the wheel with `pip download --no-deps python-mecab-ko-dic==2.1.1.post2`.
    /// Rebuild afterwards (`cargo build`) to embed the new dictionary.
    Build {
        /// Path to python_mecab_ko_dic-2.1.1.post2-py3-none-any.whl (SHA-256 is checked).
        #[arg(long)]
        from: PathBuf,
        /// Where to write the archive.
        #[arg(long, default_value = "dictionaries/ko-dic/mecab-ko-dic.tar.zst")]
        out: PathBuf,
    },
}

/// Runs a dictionary subcommand.
pub fn run(cmd: DictCommand) -> anyhow::Result<()> {
    match cmd {
        DictCommand::Build { from, out } => {
            eprintln!(
                "converting {} (this takes a few minutes: zstd -19)…",
                from.display()
            );
            let report = dictbuild::convert_wheel(&from, &out)
                .with_context(|| format!("converting {}", from.display()))?;
            println!("wrote {} ({} bytes)", out.display(), report.archive_bytes);
            println!("  sha256            {}", report.archive_sha256);
            println!("  entries           {}", report.entries);
            println!("  distinct surfaces {}", report.distinct_surfaces);
            println!("  unknown entries   {}", report.unknown_entries);
            println!(
                "  matrix            {} x {}",
                report.matrix.0, report.matrix.1
            );
            println!("rebuild (`cargo build --release`) to embed it");
            Ok(())
        }
    }
}
