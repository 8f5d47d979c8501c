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

/// A set of POS tags whose tokens are dropped. Checked once per token, so it is a
/// short list compared by value rather than a hash set (tags are 2–4 bytes).
#[derive(Debug, Clone)]
pub struct StopTags(Vec<Box<str>>);

impl Default for StopTags {
    fn default() -> Self {
        StopTags::new(DEFAULT_STOP_TAGS.iter().copied())
    }
}

impl StopTags {
    /// A stop set from explicit tags.
    pub fn new<'a>(tags: impl IntoIterator<Item = &'a str>) -> Self {
        StopTags(tags.into_iter().map(Box::from).collect())
    }

    /// Whether a token with this tag is dropped. Multi-morpheme tags such as `VV+EC`
    /// are judged by their first (leftmost) tag, as Nori does: the word is a verb.
    pub fn stops(&self, pos: &str) -> bool {
        let leading = pos.split('+').next().unwrap_or(pos);
        self.0.iter().any(|tag| &**tag == leading)
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
    }
}
