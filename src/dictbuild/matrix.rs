//! Decompiler for MeCab's `matrix.bin` into `matrix.def` source.
//!
//! Layout: `u16` right-id count of the previous node (`lsize`), `u16` left-id count of
//! the next node (`rsize`), then `lsize * rsize` `i16` costs; the cost of
//! `prev.right_id -> next.left_id` sits at `prev_right + lsize * next_left`.

use std::io::Write;

use super::DictBuildError;

/// Writes `matrix.def` text (`"lsize rsize"`, then `"prev_right next_left cost"` lines in
/// MeCab's source order) for `matrix.bin` bytes. Returns `(lsize, rsize)`.
pub fn decode(bytes: &[u8], out: &mut impl Write) -> Result<(usize, usize), DictBuildError> {
    let bad = |reason: String| DictBuildError::Format {
        file: "matrix.bin".into(),
        reason,
    };
    if bytes.len() < 4 {
        return Err(bad("shorter than its header".into()));
    }
    let lsize = u16::from_le_bytes([bytes[0], bytes[1]]) as usize;
    let rsize = u16::from_le_bytes([bytes[2], bytes[3]]) as usize;
    if bytes.len() != 4 + 2 * lsize * rsize {
        return Err(bad(format!(
            "{} bytes does not fit {lsize}x{rsize}",
            bytes.len()
        )));
    }
    let cost = |i: usize| i16::from_le_bytes([bytes[4 + 2 * i], bytes[5 + 2 * i]]);
    writeln!(out, "{lsize} {rsize}")?;
    for prev_right in 0..lsize {
        for next_left in 0..rsize {
            writeln!(
                out,
                "{prev_right} {next_left} {}",
                cost(prev_right + lsize * next_left)
            )?;
        }
    }
    Ok((lsize, rsize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_prev_right_fastest() {
        // lsize 2, rsize 3: costs laid out as [r0l0, r1l0, r0l1, r1l1, r0l2, r1l2].
        let mut bin = vec![2, 0, 3, 0];
        for c in [10i16, 11, 20, 21, 30, -31] {
            bin.extend_from_slice(&c.to_le_bytes());
        }
        let mut out = Vec::new();
        assert_eq!(decode(&bin, &mut out).unwrap(), (2, 3));
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "2 3\n0 0 10\n0 1 20\n0 2 30\n1 0 11\n1 1 21\n1 2 -31\n"
        );
    }
}
