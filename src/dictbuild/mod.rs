//! `chatda dict build`: turns the PyPI wheel `python-mecab-ko-dic==2.1.1.post2` (compiled
//! MeCab binaries, the only copy of mecab-ko-dic reachable from a package registry) back
//! into the lindera source form of mecab-ko-dic, and packs it as
//! `dictionaries/ko-dic/mecab-ko-dic.tar.zst`.
//!
//! The archive holds `ko-dic.csv` (every token of `sys.dic`, in MeCab's token order),
//! `unk.def`, `char.def` and `matrix.def`. `build.rs` compiles it with lindera's
//! `DictionaryBuilder` once per build profile and embeds the result; see
//! `dictionaries/ko-dic/NOTICE`.

mod char_def;
mod matrix;
mod mecab_dic;

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use mecab_dic::Entry;

/// File name of the pinned wheel.
pub const WHEEL_FILE: &str = "python_mecab_ko_dic-2.1.1.post2-py3-none-any.whl";
/// SHA-256 of the pinned wheel; any other file is refused.
pub const WHEEL_SHA256: &str = "ef8f4e80c8976f1340a7264abb0c96f384fe059fd897584aeba0151753c6ae9b";
/// Number of tokens in mecab-ko-dic 2.1.1's `sys.dic`.
pub const EXPECTED_ENTRIES: usize = 816_283;
/// zstd level of the committed archive (chosen for size; decompression speed is flat).
const ZSTD_LEVEL: i32 = 19;

/// Errors of the dictionary converter.
#[derive(Debug, thiserror::Error)]
pub enum DictBuildError {
    /// The input is not the pinned wheel.
    #[error(
        "{path} has SHA-256 {actual}, expected {WHEEL_SHA256} ({WHEEL_FILE}); \
         fetch it with `pip download --no-deps python-mecab-ko-dic==2.1.1.post2`"
    )]
    WrongWheel {
        /// The file given.
        path: PathBuf,
        /// Its actual digest.
        actual: String,
    },
    /// A file inside the wheel is missing or not the MeCab format expected.
    #[error("{file}: {reason}")]
    Format {
        /// The dictionary file inside the wheel.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The wheel is not a readable zip archive.
    #[error("the wheel is not a readable zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Reading the wheel or writing the output failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

/// What a conversion produced.
#[derive(Debug, Clone)]
pub struct ConvertReport {
    /// Tokens written to `ko-dic.csv`.
    pub entries: usize,
    /// Distinct surfaces among them.
    pub distinct_surfaces: usize,
    /// Entries written to `unk.def`.
    pub unknown_entries: usize,
    /// Connection matrix size (previous right ids, next left ids).
    pub matrix: (usize, usize),
    /// Size of the written archive in bytes.
    pub archive_bytes: u64,
    /// SHA-256 of the written archive (the conversion is deterministic).
    pub archive_sha256: String,
}

/// Converts the pinned wheel at `wheel` into the compressed lindera source at `archive`.
///
/// The archive is written to a temporary file next to `archive` and renamed into place,
/// so a failed run never leaves a half-written dictionary behind.
pub fn convert_wheel(wheel: &Path, archive: &Path) -> Result<ConvertReport, DictBuildError> {
    let wheel_bytes = fs::read(wheel)?;
    let actual = hex(&Sha256::digest(&wheel_bytes));
    if actual != WHEEL_SHA256 {
        return Err(DictBuildError::WrongWheel {
            path: wheel.to_path_buf(),
            actual,
        });
    }
    let mut zip = zip::ZipArchive::new(io::Cursor::new(wheel_bytes))?;
    let mut member = |name: &str| -> Result<Vec<u8>, DictBuildError> {
        let mut file = zip
            .by_name(&format!("mecab_ko_dic/dictionary/{name}"))
            .map_err(|e| DictBuildError::Format {
                file: name.into(),
                reason: format!("not in the wheel: {e}"),
            })?;
        let mut bytes = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
    };

    let (header, entries) = mecab_dic::decode("sys.dic", &member("sys.dic")?)?;
    if entries.len() != EXPECTED_ENTRIES {
        return Err(DictBuildError::Format {
            file: "sys.dic".into(),
            reason: format!("{} tokens, expected {EXPECTED_ENTRIES}", entries.len()),
        });
    }
    let (_, unknown) = mecab_dic::decode("unk.dic", &member("unk.dic")?)?;
    let char_def = char_def::decode(&member("char.bin")?)?;
    let mut matrix_def = Vec::new();
    let matrix = matrix::decode(&member("matrix.bin")?, &mut matrix_def)?;
    if matrix != (header.lsize as usize, header.rsize as usize) {
        return Err(DictBuildError::Format {
            file: "matrix.bin".into(),
            reason: format!("size {matrix:?} disagrees with sys.dic's header"),
        });
    }
    let mut distinct: Vec<&str> = entries.iter().map(|e| e.surface.as_str()).collect();
    distinct.dedup();

    let files: [(&str, Vec<u8>); 4] = [
        ("ko-dic.csv", to_csv(&entries).into_bytes()),
        ("unk.def", to_csv(&unknown).into_bytes()),
        ("char.def", char_def.into_bytes()),
        ("matrix.def", matrix_def),
    ];
    let packed = pack(&files)?;
    let tmp = archive.with_extension("tmp");
    if let Some(dir) = archive.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(&tmp, &packed)?;
    fs::rename(&tmp, archive)?;
    Ok(ConvertReport {
        entries: entries.len(),
        distinct_surfaces: distinct.len(),
        unknown_entries: unknown.len(),
        matrix,
        archive_bytes: packed.len() as u64,
        archive_sha256: hex(&Sha256::digest(&packed)),
    })
}

/// Renders entries as MeCab source CSV lines (`surface,left,right,cost,features`).
///
/// Surfaces containing a comma, a quote or leading/trailing whitespace are quoted, so a
/// CSV reader gets them back verbatim.
pub fn to_csv(entries: &[Entry]) -> String {
    let mut out = String::with_capacity(entries.len() * 64);
    for e in entries {
        let needs_quotes =
            e.surface.contains([',', '"']) || e.surface.trim() != e.surface || e.surface.is_empty();
        if needs_quotes {
            out.push('"');
            out.push_str(&e.surface.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&e.surface);
        }
        out.push_str(&format!(
            ",{},{},{},{}\n",
            e.left_id, e.right_id, e.cost, e.feature
        ));
    }
    out
}

/// Packs files into a zstd-compressed tar with fixed metadata, so the same input always
/// gives the same bytes.
fn pack(files: &[(&str, Vec<u8>)]) -> io::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_path(name)?;
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_cksum();
        tar.append(&header, data.as_slice())?;
    }
    let tar = tar.into_inner()?;
    let mut encoder = zstd::Encoder::new(Vec::new(), ZSTD_LEVEL)?;
    encoder.include_checksum(true)?;
    encoder.write_all(&tar)?;
    encoder.finish()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_surfaces_that_need_it() {
        let entry = |surface: &str| Entry {
            surface: surface.into(),
            left_id: 1,
            right_id: 2,
            cost: -3,
            feature: "SC,*,*,*,*,*,*,*".into(),
        };
        let csv = to_csv(&[entry(","), entry("a "), entry("공연"), entry("\"")]);
        assert_eq!(
            csv,
            "\",\",1,2,-3,SC,*,*,*,*,*,*,*\n\"a \",1,2,-3,SC,*,*,*,*,*,*,*\n\
             공연,1,2,-3,SC,*,*,*,*,*,*,*\n\"\"\"\",1,2,-3,SC,*,*,*,*,*,*,*\n"
        );
    }

    /// Reads the committed archive: the dictionary every build embeds.
    fn committed_source() -> std::collections::HashMap<String, String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/dictionaries/ko-dic/mecab-ko-dic.tar.zst"
        );
        let decoder = zstd::Decoder::new(fs::File::open(path).unwrap()).unwrap();
        let mut archive = tar::Archive::new(decoder);
        let mut files = std::collections::HashMap::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().display().to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            files.insert(name, text);
        }
        files
    }

    #[test]
    fn committed_source_is_complete_and_space_penalty_follows_left_ids() {
        let files = committed_source();
        let csv = &files["ko-dic.csv"];
        let rules = crate::analysis::dictionary::ko_dic()
            .unwrap()
            .metadata
            .space_penalty
            .clone()
            .unwrap();
        let mut penalty_of_left_id = std::collections::HashMap::new();
        let mut surfaces = std::collections::HashSet::new();
        let mut entries = 0;
        for (surface, left, pos) in csv_fields(csv) {
            entries += 1;
            surfaces.insert(surface);
            // The lattice caches the left-space penalty per left context id.
            let penalty = rules.cost_for_tag(pos);
            assert_eq!(
                *penalty_of_left_id.entry(left).or_insert(penalty),
                penalty,
                "{surface}"
            );
        }
        assert_eq!(entries, EXPECTED_ENTRIES);
        assert_eq!(surfaces.len(), 774_584);
        assert_eq!(files["unk.def"].lines().count(), 13);
        assert!(files["matrix.def"].starts_with("3822 2693\n"));
        assert_eq!(files["matrix.def"].lines().count(), 1 + 3822 * 2693);
    }

    /// (surface, left id, POS) of each CSV line, honouring quoted surfaces.
    fn csv_fields(csv: &str) -> impl Iterator<Item = (&str, &str, &str)> {
        csv.lines().map(|line| {
            let (surface, rest) = match line.strip_prefix('"') {
                Some(quoted) => {
                    let end = quoted.find("\",").unwrap();
                    (&quoted[..end], &quoted[end + 2..])
                }
                None => line.split_once(',').unwrap(),
            };
            let mut columns = rest.split(',');
            let left = columns.next().unwrap();
            let pos = columns.nth(2).unwrap();
            (surface, left, pos)
        })
    }

    #[test]
    fn refuses_a_wheel_with_another_digest() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join(WHEEL_FILE);
        fs::write(&fake, b"not the wheel").unwrap();
        let err = convert_wheel(&fake, &dir.path().join("out.tar.zst")).unwrap_err();
        assert!(matches!(err, DictBuildError::WrongWheel { .. }), "{err}");
        assert!(!dir.path().join("out.tar.zst").exists());
    }
}
