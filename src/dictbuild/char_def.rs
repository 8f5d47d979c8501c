//! Decompiler for MeCab's `char.bin` into `char.def` source.
//!
//! Layout (MeCab `char_property.cpp`): a `u32` category count, one 32-byte NUL-padded name
//! per category, then one `u32` `CharInfo` per code point U+0000..U+FFFE. `CharInfo` is a
//! bit field, low bits first: `type` (18 bits, a set of categories), `default_type` (8),
//! `length` (4), `group` (1), `invoke` (1).

use std::fmt::Write;

use super::DictBuildError;

const CODE_POINTS: usize = 0xFFFF;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CharInfo {
    types: u32,
    default_type: u32,
    length: u32,
    group: u32,
    invoke: u32,
}

impl CharInfo {
    fn from_bits(bits: u32) -> Self {
        CharInfo {
            types: bits & 0x3_FFFF,
            default_type: (bits >> 18) & 0xFF,
            length: (bits >> 26) & 0xF,
            group: (bits >> 30) & 1,
            invoke: bits >> 31,
        }
    }
}

/// Converts `char.bin` into `char.def` text: category lines (`NAME INVOKE GROUP LENGTH`) in
/// MeCab's id order, then one line per maximal run of code points with identical info,
/// default category first, so ranges never overlap.
pub fn decode(bytes: &[u8]) -> Result<String, DictBuildError> {
    let bad = |reason: String| DictBuildError::Format {
        file: "char.bin".into(),
        reason,
    };
    let count = u32::from_le_bytes(
        bytes
            .get(..4)
            .ok_or_else(|| bad("empty file".into()))?
            .try_into()
            .expect("4 bytes"),
    ) as usize;
    let infos_at = 4 + 32 * count;
    if bytes.len() != infos_at + 4 * CODE_POINTS {
        return Err(bad(format!(
            "{} bytes does not fit {count} categories",
            bytes.len()
        )));
    }
    let names: Vec<String> = (0..count)
        .map(|i| {
            let raw = &bytes[4 + 32 * i..4 + 32 * (i + 1)];
            String::from_utf8_lossy(raw.split(|&b| b == 0).next().unwrap_or(raw)).into_owned()
        })
        .collect();
    let infos: Vec<CharInfo> = bytes[infos_at..]
        .chunks_exact(4)
        .map(|c| CharInfo::from_bits(u32::from_le_bytes(c.try_into().expect("4 bytes"))))
        .collect();

    let mut out = String::new();
    for (id, name) in names.iter().enumerate() {
        // MeCab stores INVOKE/GROUP/LENGTH per code point, copied from the code point's
        // default category; any code point whose default is this category tells us.
        let info = infos
            .iter()
            .find(|i| i.default_type as usize == id)
            .ok_or_else(|| bad(format!("category {name} is the default of no code point")))?;
        writeln!(out, "{name} {} {} {}", info.invoke, info.group, info.length).expect("string");
    }
    out.push('\n');

    let mut start = 0;
    while start < infos.len() {
        let info = infos[start];
        let mut end = start;
        while end + 1 < infos.len() && infos[end + 1] == info {
            end += 1;
        }
        let default = info.default_type as usize;
        let mut categories = names[default].clone();
        for (id, name) in names.iter().enumerate() {
            if id != default && info.types & (1 << id) != 0 {
                categories.push(' ');
                categories.push_str(name);
            }
        }
        // Lindera reads range bounds as UCS-2 units and rejects surrogates and U+FFFE,
        // which cannot occur in valid UTF-8 text anyway; clip runs to scalar values.
        for (lo, hi) in [(0, 0xD7FF), (0xE000, 0xFFFD)] {
            let (from, to) = (start.max(lo), end.min(hi));
            if from > to {
                continue;
            }
            if from == to {
                writeln!(out, "0x{from:04X} {categories}").expect("string");
            } else {
                writeln!(out, "0x{from:04X}..0x{to:04X} {categories}").expect("string");
            }
        }
        start = end + 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn char_bin(names: &[&str], info: impl Fn(usize) -> u32) -> Vec<u8> {
        let mut bytes = (names.len() as u32).to_le_bytes().to_vec();
        for name in names {
            let mut raw = [0u8; 32];
            raw[..name.len()].copy_from_slice(name.as_bytes());
            bytes.extend_from_slice(&raw);
        }
        for cp in 0..CODE_POINTS {
            bytes.extend_from_slice(&info(cp).to_le_bytes());
        }
        bytes
    }

    #[test]
    fn writes_categories_and_non_overlapping_ranges() {
        let default = 1 | (1 << 30); // DEFAULT, group
        let space = 0b10 | (1 << 18); // SPACE
        let hangul = 0b100 | (2 << 18) | (2 << 26) | (1 << 30) | (1 << 31);
        let bin = char_bin(&["DEFAULT", "SPACE", "HANGUL"], |cp| match cp {
            0x20 => space,
            0xAC00..=0xD7A3 => hangul | 0b1, // also DEFAULT as a secondary category
            _ => default,
        });
        let def = decode(&bin).unwrap();
        let lines: Vec<&str> = def.lines().collect();
        assert_eq!(
            &lines[..3],
            ["DEFAULT 0 1 0", "SPACE 0 0 0", "HANGUL 1 1 2"]
        );
        assert!(lines.contains(&"0x0020 SPACE"));
        assert!(lines.contains(&"0x0000..0x001F DEFAULT"));
        assert!(lines.contains(&"0xAC00..0xD7A3 HANGUL DEFAULT"));
        assert!(lines.contains(&"0xD7A4..0xD7FF DEFAULT"));
        assert!(lines.contains(&"0xE000..0xFFFD DEFAULT"));
        assert!(!def.contains("0xD800") && !def.contains("0xFFFE"));
    }

    #[test]
    fn rejects_wrong_size() {
        assert!(decode(&[1, 0, 0, 0]).is_err());
    }
}
