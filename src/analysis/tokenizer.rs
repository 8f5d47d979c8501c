//! tantivy tokenizers over the [`Analyzer`].

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer, TokenizerManager};

use super::packed::{PackedStream, PackedTokens};
use super::{AnalyzedToken, Analyzer, hangul};

/// Tokenizer name of the Korean morphological form (`여름`, `공연`).
pub const KO: &str = "ko";
/// Tokenizer name of the jamo form (`ㅇㅕㄹㅡㅁ`): a one-jamo typo is one edit, so fuzzy
/// matching on this form tolerates Korean typos that whole-syllable matching cannot.
pub const KO_JAMO: &str = "ko_jamo";
/// Tokenizer name of the initial-consonant form (`ㅇㄹ`) for queries such as "ㅇㅇㅇ".
pub const KO_CHOSUNG: &str = "ko_chosung";

/// Which form of each analyzed term a [`KoreanTokenizer`] emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermForm {
    /// The normalised term.
    Morpheme,
    /// The term with Hangul syllables decomposed into compatibility jamo.
    Jamo,
    /// The initial consonants of the term's syllables; terms without Hangul are skipped.
    Chosung,
}

/// A tantivy [`Tokenizer`] that runs the Korean [`Analyzer`] and emits one form of its
/// terms, with the analyzer's offsets and positions. A text already analysed and packed
/// ([`PackedTokens`], how documents hand their forms to the writer) is read, not analysed.
#[derive(Clone)]
pub struct KoreanTokenizer {
    analyzer: Arc<Analyzer>,
    form: TermForm,
}

impl KoreanTokenizer {
    /// A tokenizer emitting `form` of `analyzer`'s terms.
    pub fn new(analyzer: Arc<Analyzer>, form: TermForm) -> Self {
        KoreanTokenizer { analyzer, form }
    }
}

/// Registers [`KO`], [`KO_JAMO`] and [`KO_CHOSUNG`] on a tantivy tokenizer manager
/// (e.g. `index.tokenizers()`).
pub fn register_tokenizers(manager: &TokenizerManager, analyzer: Arc<Analyzer>) {
    for (name, form) in [
        (KO, TermForm::Morpheme),
        (KO_JAMO, TermForm::Jamo),
        (KO_CHOSUNG, TermForm::Chosung),
    ] {
        manager.register(name, KoreanTokenizer::new(analyzer.clone(), form));
    }
}

/// The tokens of one text: analysed eagerly, or read from its packed form.
pub enum KoreanTokenStream<'a> {
    /// Analysed now.
    Analysed {
        /// The tokens.
        tokens: Vec<Token>,
        /// One past the current token.
        next: usize,
    },
    /// Read from a packed text.
    Packed(PackedStream<'a>),
}

impl Tokenizer for KoreanTokenizer {
    type TokenStream<'a> = KoreanTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KoreanTokenStream<'a> {
        match PackedStream::new(text) {
            Some(packed) => KoreanTokenStream::Packed(packed),
            None => KoreanTokenStream::Analysed {
                tokens: self.form.tokens(&self.analyzer.analyze(text)),
                next: 0,
            },
        }
    }
}

impl TermForm {
    /// This form of `term`, or `None` when the form skips it (chosung of a term without
    /// Hangul).
    pub fn apply(self, term: &str) -> Option<String> {
        match self {
            TermForm::Morpheme => Some(term.to_string()),
            TermForm::Jamo => Some(hangul::to_jamo(term)),
            TermForm::Chosung => term
                .chars()
                .any(hangul::is_hangul_syllable)
                .then(|| hangul::chosung(term)),
        }
    }

    /// tantivy tokens of this form, with the analyzer's offsets and positions. Lets one
    /// analysis feed all three forms (see `index::FieldMap::document`).
    pub fn tokens(self, analyzed: &[AnalyzedToken]) -> Vec<Token> {
        analyzed
            .iter()
            .filter_map(|t| {
                Some(Token {
                    offset_from: t.start,
                    offset_to: t.end,
                    position: t.position,
                    text: self.apply(&t.term)?,
                    position_length: t.position_length,
                })
            })
            .collect()
    }

    /// This form of `analyzed`, packed for the writer (the same tokens as
    /// [`Self::tokens`], offsets aside: tantivy does not index them).
    pub fn packed(self, analyzed: &[AnalyzedToken]) -> PackedTokens {
        let mut packed = PackedTokens::default();
        for t in analyzed {
            match self {
                TermForm::Morpheme => packed.push(t.position, t.position_length, &t.term),
                _ => {
                    if let Some(text) = self.apply(&t.term) {
                        packed.push(t.position, t.position_length, &text);
                    }
                }
            }
        }
        packed
    }
}

impl TokenStream for KoreanTokenStream<'_> {
    fn advance(&mut self) -> bool {
        match self {
            KoreanTokenStream::Analysed { tokens, next } => {
                *next += 1;
                *next <= tokens.len()
            }
            KoreanTokenStream::Packed(packed) => packed.advance(),
        }
    }

    fn token(&self) -> &Token {
        match self {
            KoreanTokenStream::Analysed { tokens, next } => &tokens[*next - 1],
            KoreanTokenStream::Packed(packed) => packed.token(),
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            KoreanTokenStream::Analysed { tokens, next } => &mut tokens[*next - 1],
            KoreanTokenStream::Packed(packed) => packed.token_mut(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{AnalyzerConfig, unpack};
    use crate::demo;

    /// Packing a form keeps every token's text, position and length (offsets are not
    /// indexed), and the tokenizer reads a packed text back instead of analysing it.
    #[test]
    fn packed_forms_hold_the_forms_tokens() {
        let analyzer = Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
        let texts: Vec<String> = demo::concerts(5)
            .take(300)
            .flat_map(|c| [c.title, c.venue, c.description])
            .collect();
        let strip = |tokens: Vec<Token>| -> Vec<(usize, usize, String)> {
            tokens
                .into_iter()
                .map(|t| (t.position, t.position_length, t.text))
                .collect()
        };
        let mut checked = 0;
        for text in &texts {
            let analyzed = analyzer.analyze(text);
            for form in [TermForm::Morpheme, TermForm::Jamo, TermForm::Chosung] {
                let tokens = strip(form.tokens(&analyzed));
                let packed = form.packed(&analyzed);
                assert_eq!(strip(unpack(packed.as_str()).unwrap()), tokens, "{text}");
                let mut tokenizer = KoreanTokenizer::new(analyzer.clone(), TermForm::Morpheme);
                let mut stream = tokenizer.token_stream(packed.as_str());
                let mut read = Vec::new();
                while stream.advance() {
                    read.push(stream.token().clone());
                }
                assert_eq!(strip(read), tokens, "{text}");
                checked += tokens.len();
            }
        }
        assert!(checked > 10_000, "{checked} tokens");
    }
}
