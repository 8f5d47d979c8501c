//! Compiles the committed mecab-ko-dic source (`dictionaries/ko-dic/`) into lindera's
//! binary dictionary once per build profile; `src/analysis/dictionary.rs` embeds the
//! result. Cargo reruns this only when the inputs below change.

use std::fs;
use std::path::{Path, PathBuf};

use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;

const DICT_DIR: &str = "dictionaries/ko-dic";
const ARCHIVE: &str = "mecab-ko-dic.tar.zst";

fn main() {
    for file in [ARCHIVE, "metadata.json", "context_id_freq.txt"] {
        println!("cargo:rerun-if-changed={DICT_DIR}/{file}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let source = out_dir.join("ko-dic-source");
    let built = out_dir.join("lindera-ko-dic");
    for dir in [&source, &built] {
        if dir.exists() {
            fs::remove_dir_all(dir).expect("clear previous build output");
        }
    }
    println!("cargo::rustc-check-cfg=cfg(chatda_no_dictionary)");
    let archive = Path::new(DICT_DIR).join(ARCHIVE);
    if !archive.exists() {
        // Bootstrap: without the archive the crate still builds, so that
        // `chatda dict build` can create it; analysis then reports the missing dictionary.
        println!(
            "cargo:warning={} is missing; building without a dictionary. \
             Run `cargo run --release -- dict build --from <wheel>` (see {DICT_DIR}/NOTICE).",
            archive.display()
        );
        println!("cargo:rustc-cfg=chatda_no_dictionary");
        return;
    }
    unpack(&archive, &source);

    let metadata_json =
        fs::read_to_string(Path::new(DICT_DIR).join("metadata.json")).expect("read metadata.json");
    let metadata: Metadata = serde_json::from_str(&metadata_json).expect("parse metadata.json");
    // lindera renumbers context ids by this access-frequency list so that frequent
    // connection costs share cache lines: 1.5x faster segmentation, identical results.
    DictionaryBuilder::new(metadata)
        .with_context_id_freq(Path::new(DICT_DIR).join("context_id_freq.txt"))
        .build_dictionary(&source, &built)
        .unwrap_or_else(|e| panic!("building ko-dic from {DICT_DIR}: {e}"));
    // The 200 MB of source text is only needed for the build above.
    fs::remove_dir_all(&source).expect("remove unpacked source");

    println!("cargo:rustc-env=LINDERA_WORKDIR={}", out_dir.display());
}

fn unpack(archive: &Path, into: &Path) {
    let file =
        fs::File::open(archive).unwrap_or_else(|e| panic!("opening {}: {e}", archive.display()));
    let decoder = zstd::Decoder::new(file).expect("zstd stream");
    tar::Archive::new(decoder)
        .unpack(into)
        .unwrap_or_else(|e| panic!("unpacking {}: {e}", archive.display()));
}
