//! Part-of-speech stop tags (mecab-ko-dic / Sejong tag set).

/// Nori's default stop tags (Lucene `KoreanPartOfSpeechStopFilter`): endings (E*),
/// interjections, particles (J*), adverbs and determiners, suffixes and prefixes, plus the
/// punctuation and symbol tags Nori drops with `discardPunctuation`.
pub const DEFAULT_STOP_TAGS: &[&str] = &[
    "EP", "EF", "EC", "ETN", "ETM", // endings
    "IC",  // interjection
    "JKS", "JKC", "JKG", "JKO", "JKB", "JKV", "JKQ", "JX", "JC", // particles
    "MAG", "MAJ", "MM", // adverbs, determiners
    "SP", "SSC", "SSO", "SC", "SE", "SF", "SY", // punctuation, symbols
    "XPN", "XSA", "XSN", "XSV", // affixes
    "UNA", "NA", "VSV", // unknown / unanalysable
];

/// A set of POS tags whose tokens are dropped. Checked once per morpheme of every
/// indexed text, so tags are packed into integers (Sejong tags are 2–4 bytes) and
/// compared without a string comparison; longer tags (a user's own) are kept as text.
#[derive(Debug, Clone)]
pub struct StopTags {
    packed: Vec<u64>,
    long: Vec<Box<str>>,
}

impl Default for StopTags {
    fn default() -> Self {
        StopTags::new(DEFAULT_STOP_TAGS.iter().copied())
    }
}

/// `tag`'s bytes as an integer when it has at most eight.
fn pack(tag: &str) -> Option<u64> {
    let bytes = tag.as_bytes();
    (bytes.len() <= 8).then(|| {
        let mut word = [0u8; 8];
        word[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(word)
    })
}

impl StopTags {
    /// A stop set from explicit tags.
    pub fn new<'a>(tags: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = StopTags {
            packed: Vec::new(),
            long: Vec::new(),
        };
        for tag in tags {
            match pack(tag) {
                Some(word) => set.packed.push(word),
                None => set.long.push(Box::from(tag)),
            }
        }
        set
    }

    /// Whether a token with this tag is dropped. Multi-morpheme tags such as `VV+EC`
    /// are judged by their first (leftmost) tag, as Nori does: the word is a verb.
    pub fn stops(&self, pos: &str) -> bool {
        let leading = match pos.as_bytes().iter().position(|&b| b == b'+') {
            Some(end) => &pos[..end],
            None => pos,
        };
        match pack(leading) {
            Some(word) => self.packed.contains(&word),
            None => self.long.iter().any(|tag| &**tag == leading),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_compound_tags_by_the_leading_tag() {
        let stop = StopTags::default();
        assert!(stop.stops("JKS"));
        assert!(stop.stops("EC"));
        assert!(!stop.stops("NNG"));
        assert!(!stop.stops("VV+EC"));
        assert!(stop.stops("XSV+EC"));
        assert!(!stop.stops("SN"), "numbers are kept");
        assert!(!stop.stops("SL"), "Latin words are kept");
        assert!(StopTags::new(["NNG"]).stops("NNG+JKO"));
        assert!(
            !StopTags::new(["NN"]).stops("NNG"),
            "a tag is not its prefix"
        );
        assert!(!stop.stops(""));
        let long = StopTags::new(["VERYLONGTAG"]);
        assert!(long.stops("VERYLONGTAG+EC"));
        assert!(!long.stops("VERYLONG"));
    }
}
