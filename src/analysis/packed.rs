//! Analysed tokens packed into one string, for the hand-off to tantivy's writer.
//!
//! tantivy takes an analysed value either as text for a registered tokenizer or as a
//! `PreTokenizedString` it owns, which it then copies again: two copies of every token
//! (a string allocation each), made and freed on the writer threads. A bulk load instead
//! gives the writer this packed form as the field's text, and the field's own tokenizer
//! ([`super::KoreanTokenizer`]) reads the tokens out of it into one reused buffer. The
//! packed text also keeps the memo of repeated values small: one string per form.
//!
//! Layout: [`MARK`], then per token its position, position length and byte length as
//! varints, and its text. Every varint byte is ASCII, so the whole stays valid UTF-8.

use tantivy::tokenizer::{Token, TokenStream};

/// What a packed text starts with. Text values never reach the Korean tokenizers raw on
/// indexing (documents hand over their analysed forms), so an analysed text cannot be
/// mistaken for a packed one; two control characters make the reverse as unlikely.
const MARK: &str = "\u{0}\u{1}";

/// The tokens of one analysed form of a value, packed (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedTokens {
    text: String,
    /// The position after the last token pushed.
    end: usize,
}

impl Default for PackedTokens {
    /// No token.
    fn default() -> Self {
        PackedTokens {
            text: MARK.to_string(),
            end: 0,
        }
    }
}

impl PackedTokens {
    /// Appends a token.
    pub fn push(&mut self, position: usize, position_length: usize, text: &str) {
        push_varint(&mut self.text, position);
        push_varint(&mut self.text, position_length);
        push_varint(&mut self.text, text.len());
        self.text.push_str(text);
        self.end = position + 1;
    }

    /// The packed text, as handed to tantivy.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Bytes held.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether it holds no token.
    pub fn is_empty(&self) -> bool {
        self.text.len() == MARK.len()
    }

    /// The position after the last token (where appended tokens go).
    pub fn end_position(&self) -> usize {
        self.end
    }
}

/// Six bits per byte, low bits first; bit 6 marks a following byte, so every byte is
/// ASCII.
fn push_varint(out: &mut String, mut value: usize) {
    loop {
        let digit = (value & 0x3F) as u8;
        value >>= 6;
        if value == 0 {
            out.push(char::from(digit));
            return;
        }
        out.push(char::from(digit | 0x40));
    }
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let mut value = 0usize;
    let mut shift = 0u32;
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        if byte >= 0x80 || shift >= usize::BITS {
            return None;
        }
        value |= usize::from(byte & 0x3F) << shift;
        if byte & 0x40 == 0 {
            return Some(value);
        }
        shift += 6;
    }
}

/// The tokens of a packed text, read one at a time into one buffer.
pub struct PackedStream<'a> {
    text: &'a str,
    at: usize,
    token: Token,
}

impl<'a> PackedStream<'a> {
    /// A stream over `text` when it is packed; `None` for any other text.
    pub fn new(text: &'a str) -> Option<Self> {
        text.starts_with(MARK).then(|| PackedStream {
            text,
            at: MARK.len(),
            token: Token::default(),
        })
    }
}

impl TokenStream for PackedStream<'_> {
    fn advance(&mut self) -> bool {
        if self.at >= self.text.len() {
            return false;
        }
        let bytes = self.text.as_bytes();
        let mut at = self.at;
        let token = (|| {
            let position = read_varint(bytes, &mut at)?;
            let position_length = read_varint(bytes, &mut at)?;
            let len = read_varint(bytes, &mut at)?;
            let text = self.text.get(at..at.checked_add(len)?)?;
            at += len;
            Some((position, position_length, text))
        })();
        // A malformed text (never produced here) ends the stream rather than panicking.
        let Some((position, position_length, text)) = token else {
            self.at = self.text.len();
            return false;
        };
        self.at = at;
        self.token.position = position;
        self.token.position_length = position_length;
        self.token.text.clear();
        self.token.text.push_str(text);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The tokens of a packed text (tests and diagnostics; indexing streams them).
pub fn unpack(text: &str) -> Option<Vec<Token>> {
    let mut stream = PackedStream::new(text)?;
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token.clone());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_come_back_as_packed() {
        let tokens = [
            (0, 3, "세종문화회관"),
            (0, 1, "세종"),
            (1, 1, ""),
            (2, 1, "ㅅㅈㅁㅎㅎㄱ"),
            (63, 1, "a"),
            (64, 1, "é"),
            (5_000_000, 70, &"가".repeat(300)),
        ];
        let mut packed = PackedTokens::default();
        assert!(packed.is_empty());
        for (position, length, text) in tokens {
            packed.push(position, length, text);
        }
        assert!(!packed.is_empty());
        let back: Vec<(usize, usize, String)> = unpack(packed.as_str())
            .unwrap()
            .into_iter()
            .map(|t| (t.position, t.position_length, t.text))
            .collect();
        let expected: Vec<(usize, usize, String)> = tokens
            .iter()
            .map(|&(p, l, t)| (p, l, t.to_string()))
            .collect();
        assert_eq!(back, expected);
        assert_eq!(packed.end_position(), 5_000_001);
        assert_eq!(PackedTokens::default().end_position(), 0);
    }

    #[test]
    fn other_text_is_not_packed_and_damage_ends_the_stream() {
        assert!(unpack("세종문화회관").is_none());
        assert!(unpack("").is_none());
        let mut packed = PackedTokens::default();
        packed.push(0, 1, "세종");
        packed.push(1, 1, "문화");
        // Cut inside the second token's text: the first survives, the rest is dropped.
        let cut = &packed.as_str()[..packed.len() - 3];
        let tokens = unpack(cut).unwrap();
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].text, "세종");
        // A length running past the end, and a byte outside the varint range.
        assert_eq!(unpack("\u{0}\u{1}\u{0}\u{1}\u{3f}ab").unwrap().len(), 0);
        assert_eq!(unpack("\u{0}\u{1}é").unwrap().len(), 0);
    }
}
