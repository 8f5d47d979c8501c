//! tantivy tokenizers over the [`Analyzer`].

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer, TokenizerManager};

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
/// terms, with the analyzer's offsets and positions.
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

/// The tokens of one text, produced eagerly.
pub struct KoreanTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for KoreanTokenizer {
    type TokenStream<'a> = KoreanTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KoreanTokenStream {
        KoreanTokenStream {
            tokens: self.form.tokens(&self.analyzer.analyze(text)),
            next: 0,
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
}

impl TokenStream for KoreanTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}
