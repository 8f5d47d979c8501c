//! Decompiler for MeCab's compiled dictionaries (`sys.dic`, `unk.dic`).
//!
//! Layout (MeCab `dictionary.cpp`): a 40-byte header of ten little-endian `u32`s
//! (magic, version, type, lexsize, lsize, rsize, dsize, tsize, fsize, dummy), a 32-byte
//! charset name, then `dsize` bytes of Darts double array, `tsize` bytes of 16-byte token
//! records and `fsize` bytes of NUL-terminated feature strings.

use super::DictBuildError;

/// One dictionary entry as it appears in a MeCab source CSV line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The surface form (the double-array key).
    pub surface: String,
    /// Left context id (`lcAttr`).
    pub left_id: u16,
    /// Right context id (`rcAttr`).
    pub right_id: u16,
    /// Word cost.
    pub cost: i16,
    /// The feature columns, comma-separated, exactly as compiled.
    pub feature: String,
}

/// Header fields of a compiled MeCab dictionary that the converter checks or reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Dictionary format version (102 for mecab-ko-dic 2.1.1).
    pub version: u32,
    /// Number of token records.
    pub lexsize: u32,
    /// Number of left context ids.
    pub lsize: u32,
    /// Number of right context ids.
    pub rsize: u32,
}

const HEADER_LEN: usize = 40 + 32;
const TOKEN_LEN: usize = 16;

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes[at..at + 2].try_into().expect("2 bytes"))
}

/// Decodes a whole compiled dictionary into entries in MeCab's token order.
///
/// Token order matters: lindera keeps the CSV order of entries that share a surface, and
/// the Viterbi search breaks ties between equal-cost paths by that order.
pub fn decode(name: &str, bytes: &[u8]) -> Result<(Header, Vec<Entry>), DictBuildError> {
    let bad = |reason: String| DictBuildError::Format {
        file: name.to_string(),
        reason,
    };
    if bytes.len() < HEADER_LEN {
        return Err(bad(format!(
            "{} bytes is shorter than the header",
            bytes.len()
        )));
    }
    let header = Header {
        version: u32_at(bytes, 4),
        lexsize: u32_at(bytes, 12),
        lsize: u32_at(bytes, 16),
        rsize: u32_at(bytes, 20),
    };
    let (dsize, tsize, fsize) = (
        u32_at(bytes, 24) as usize,
        u32_at(bytes, 28) as usize,
        u32_at(bytes, 32) as usize,
    );
    let charset = String::from_utf8_lossy(&bytes[40..72]);
    if !charset.trim_end_matches('\0').eq_ignore_ascii_case("utf-8") {
        return Err(bad(format!("charset {charset:?} is not UTF-8")));
    }
    let magic = u32_at(bytes, 0);
    if (magic ^ 0xef71_8f77) as usize != bytes.len() {
        return Err(bad("magic number does not match the file size".into()));
    }
    if HEADER_LEN + dsize + tsize + fsize != bytes.len()
        || tsize != header.lexsize as usize * TOKEN_LEN
    {
        return Err(bad("section sizes do not add up".into()));
    }
    let array = &bytes[HEADER_LEN..HEADER_LEN + dsize];
    let tokens = &bytes[HEADER_LEN + dsize..HEADER_LEN + dsize + tsize];
    let features = &bytes[HEADER_LEN + dsize + tsize..];

    let mut surfaces: Vec<Option<String>> = vec![None; header.lexsize as usize];
    for (key, value) in double_array_keys(array) {
        let (first, count) = ((value >> 8) as usize, (value & 0xff) as usize);
        let surface = String::from_utf8(key).map_err(|e| bad(format!("key is not UTF-8: {e}")))?;
        for slot in first..first + count {
            match surfaces.get_mut(slot) {
                Some(s @ None) => *s = Some(surface.clone()),
                Some(Some(other)) => {
                    return Err(bad(format!(
                        "token {slot} claimed by both {other:?} and {surface:?}"
                    )));
                }
                None => return Err(bad(format!("token {slot} out of range for {surface:?}"))),
            }
        }
    }

    let mut entries = Vec::with_capacity(surfaces.len());
    for (index, surface) in surfaces.into_iter().enumerate() {
        let surface = surface.ok_or_else(|| bad(format!("token {index} has no surface")))?;
        let record = &tokens[index * TOKEN_LEN..(index + 1) * TOKEN_LEN];
        let offset = u32_at(record, 8) as usize;
        let feature = features
            .get(offset..)
            .and_then(|rest| rest.split(|&b| b == 0).next())
            .ok_or_else(|| {
                bad(format!(
                    "token {index} feature offset {offset} out of range"
                ))
            })?;
        entries.push(Entry {
            surface,
            left_id: u16_at(record, 0),
            right_id: u16_at(record, 2),
            cost: u16_at(record, 6) as i16,
            feature: String::from_utf8(feature.to_vec())
                .map_err(|e| bad(format!("feature of token {index} is not UTF-8: {e}")))?,
        });
    }
    Ok((header, entries))
}

/// Enumerates every (key, value) of a Darts double array (MeCab's `darts.h`).
///
/// Each unit is `{base: i32, check: u32}`. From a state with base `b`, byte `c` leads to
/// unit `b + c + 1` when that unit's check equals `b`; the unit at `b` itself with check
/// `b` and a negative base is a leaf holding `-base - 1`.
pub fn double_array_keys(array: &[u8]) -> Vec<(Vec<u8>, u32)> {
    let units = array.len() / 8;
    let base = |i: usize| i32::from_le_bytes(array[i * 8..i * 8 + 4].try_into().expect("4"));
    let check = |i: usize| u32::from_le_bytes(array[i * 8 + 4..i * 8 + 8].try_into().expect("4"));
    let mut out = Vec::new();
    if units == 0 {
        return out;
    }
    // Depth-first with an explicit stack, visiting bytes in ascending order so keys come
    // out sorted, as MeCab compiled them.
    let mut stack: Vec<(i32, Vec<u8>)> = vec![(base(0), Vec::new())];
    while let Some((b, key)) = stack.pop() {
        let mut children = Vec::new();
        for code in 0..=256usize {
            let Some(p) = usize::try_from(b).ok().map(|b| b + code) else {
                break;
            };
            if p >= units {
                break;
            }
            if check(p) != b as u32 {
                continue;
            }
            if code == 0 {
                if base(p) < 0 {
                    out.push((key.clone(), (-base(p) - 1) as u32));
                }
            } else {
                let mut child = key.clone();
                child.push((code - 1) as u8);
                children.push((base(p), child));
            }
        }
        stack.extend(children.into_iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a tiny double array by hand: keys "a" -> 7 and "ab" -> 9.
    fn tiny_array() -> Vec<u8> {
        let mut units = vec![(0i32, 0u32); 300];
        units[0] = (1, 0); // root state: base 1
        let a = 1 + b'a' as usize + 1; // transition on 'a'
        units[a] = (100, 1);
        units[100] = (-(7 + 1), 100); // leaf for "a"
        let ab = 100 + b'b' as usize + 1;
        units[ab] = (200, 100);
        units[200] = (-(9 + 1), 200); // leaf for "ab"
        units
            .into_iter()
            .flat_map(|(b, c)| b.to_le_bytes().into_iter().chain(c.to_le_bytes()))
            .collect()
    }

    #[test]
    fn enumerates_every_key_in_byte_order() {
        let keys = double_array_keys(&tiny_array());
        assert_eq!(keys, vec![(b"a".to_vec(), 7), (b"ab".to_vec(), 9)]);
    }

    #[test]
    fn rejects_truncated_dictionary() {
        let err = decode("sys.dic", &[0u8; 10]).unwrap_err();
        assert!(err.to_string().contains("sys.dic"), "{err}");
    }
}
