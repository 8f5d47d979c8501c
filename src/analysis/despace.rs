//! Spacing-insensitive segmentation support.
//!
//! Korean users space inconsistently ("여름 공연" / "여름공연"), and a space changes how
//! the Viterbi search splits the neighbouring words. Removing whitespace between two
//! Hangul syllables before segmentation makes both spellings produce the same tokens; this
//! module does that and maps offsets in the compacted text back to the original.

/// Text with whitespace between Hangul syllables removed, plus the offset mapping.
#[derive(Debug, Clone)]
pub struct Despaced<'a> {
    /// The compacted text (borrowed when nothing was removed).
    pub text: std::borrow::Cow<'a, str>,
    /// `(compacted byte offset, bytes removed before it)`, ascending.
    gaps: Vec<(usize, usize)>,
}

fn is_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Horizontal whitespace only: line breaks still separate sentences.
fn is_gap(c: char) -> bool {
    c.is_whitespace() && c != '\n' && c != '\r'
}

impl<'a> Despaced<'a> {
    /// Removes every run of horizontal whitespace that has a Hangul syllable on both sides.
    pub fn new(original: &'a str) -> Self {
        let needs_work = original
            .char_indices()
            .any(|(i, c)| is_gap(c) && i > 0 && original[..i].ends_with(is_syllable));
        if !needs_work {
            return Despaced {
                text: original.into(),
                gaps: Vec::new(),
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut gaps = Vec::new();
        let mut removed = 0;
        let mut chars = original.char_indices().peekable();
        let mut prev: Option<char> = None;
        while let Some((i, c)) = chars.next() {
            if is_gap(c) && prev.is_some_and(is_syllable) {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !is_gap(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                if chars.peek().is_some_and(|&(_, d)| is_syllable(d)) {
                    removed += end - i;
                    gaps.push((text.len(), removed));
                    prev = Some(c);
                    continue;
                }
                text.push_str(&original[i..end]);
                prev = Some(' ');
                continue;
            }
            text.push(c);
            prev = Some(c);
        }
        Despaced {
            text: text.into(),
            gaps,
        }
    }

    /// Leaves the text as it is (spacing-sensitive segmentation).
    pub fn unchanged(original: &'a str) -> Self {
        Despaced {
            text: original.into(),
            gaps: Vec::new(),
        }
    }

    fn shift(&self, count: usize) -> usize {
        if count == 0 {
            0
        } else {
            self.gaps[count - 1].1
        }
    }

    /// Original offset of a token start at compacted offset `at` (after any removed gap).
    pub fn start(&self, at: usize) -> usize {
        at + self.shift(self.gaps.partition_point(|&(p, _)| p <= at))
    }

    /// Original offset of a token end at compacted offset `at` (before any removed gap).
    pub fn end(&self, at: usize) -> usize {
        at + self.shift(self.gaps.partition_point(|&(p, _)| p < at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_only_spaces_between_syllables() {
        assert_eq!(Despaced::new("여름 공연").text, "여름공연");
        assert_eq!(Despaced::new("여름  \t 공연 안내").text, "여름공연안내");
        assert_eq!(Despaced::new("BTS 콘서트").text, "BTS 콘서트");
        assert_eq!(Despaced::new("콘서트 2024").text, "콘서트 2024");
        assert_eq!(Despaced::new("공연\n안내").text, "공연\n안내");
        assert_eq!(Despaced::new("공연 ").text, "공연 ");
    }

    #[test]
    fn maps_offsets_back_to_the_original() {
        let original = "여름  공연 안내";
        let d = Despaced::new(original);
        // "공연" is bytes 6..12 in "여름공연안내"; "여름" 0..6.
        assert_eq!(&original[d.start(6)..d.end(12)], "공연");
        assert_eq!(&original[d.start(0)..d.end(6)], "여름");
        assert_eq!(&original[d.start(12)..d.end(18)], "안내");
        // A token spanning a removed gap keeps it inside its span.
        assert_eq!(&original[d.start(0)..d.end(12)], "여름  공연");
    }
}
