//! Paging cursors: `c1` + the rank key's four parts + a fingerprint of the sort keys, in
//! hex, so a cursor from a differently sorted search is refused rather than misread.

use sha2::{Digest, Sha256};

use crate::query::QueryError;
use crate::query::collect::{RankKey, SortBy};

/// The cursor after `key`.
pub(super) fn encode(key: &RankKey, sort: &[SortBy]) -> String {
    let mut out = String::from("c1");
    for part in key {
        out.push_str(&format!("{part:016x}"));
    }
    out.push_str(&format!("{:08x}", sort_fingerprint(sort)));
    out
}

/// The rank key of a cursor, checked against the sort.
pub(super) fn decode(cursor: &str, sort: &[SortBy]) -> Result<RankKey, QueryError> {
    let invalid = |reason: &str| QueryError::Invalid {
        field: "search_after".into(),
        reason: reason.into(),
    };
    let body = cursor
        .strip_prefix("c1")
        .filter(|b| b.len() == 4 * 16 + 8 && b.is_ascii())
        .ok_or_else(|| invalid("not a cursor returned by this service (next_cursor)"))?;
    let hex = |s: &str| u64::from_str_radix(s, 16).map_err(|_| invalid("not a valid cursor"));
    let mut key: RankKey = [0; 4];
    for (i, part) in key.iter_mut().enumerate() {
        *part = hex(&body[i * 16..(i + 1) * 16])?;
    }
    if hex(&body[64..])? != u64::from(sort_fingerprint(sort)) {
        return Err(invalid(
            "the cursor comes from a search with a different sort; keep `sort` unchanged while paging",
        ));
    }
    Ok(key)
}

fn sort_fingerprint(sort: &[SortBy]) -> u32 {
    let digest = Sha256::digest(format!("{sort:?}").as_bytes());
    u32::from_be_bytes(
        digest[..4]
            .try_into()
            .expect("a SHA-256 digest has 32 bytes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Order;

    #[test]
    fn cursors_round_trip_and_refuse_other_sorts() {
        let sort = vec![SortBy::Score(Order::Desc)];
        let key = [1, u64::MAX, 0, 42];
        let cursor = encode(&key, &sort);
        assert_eq!(decode(&cursor, &sort).unwrap(), key);
        let other = vec![SortBy::Field("start_date".into(), Order::Asc)];
        assert_eq!(decode(&cursor, &other).unwrap_err().field(), "search_after");
        assert!(decode("garbage", &sort).is_err());
        assert!(decode(&format!("{}zz", &cursor[..cursor.len() - 2]), &sort).is_err());
    }
}
