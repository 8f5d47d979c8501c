//! Embedding chatda's Korean analysis in a tantivy index: a spaced title is found by an
//! unspaced query. Run: `cargo run --release --example embed`.

use std::sync::Arc;

use chatda::analysis::{Analyzer, AnalyzerConfig, KO, register_tokenizers};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::{Index, TantivyDocument, doc};

fn main() -> anyhow::Result<()> {
    let mut schema = Schema::builder();
    let korean = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(KO)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    ) | STORED;
    let title = schema.add_text_field("title", korean);
    let index = Index::create_in_ram(schema.build());
    register_tokenizers(
        index.tokenizers(),
        Arc::new(Analyzer::new(&AnalyzerConfig::default())?),
    );

    let mut writer = index.writer(20_000_000)?;
    writer.add_document(doc!(title => "2025 여름 공연 페스티벌"))?;
    writer.add_document(doc!(title => "세종문화회관 클래식의 밤"))?;
    writer.commit()?;

    let searcher = index.reader()?.searcher();
    let query = QueryParser::for_index(&index, vec![title]).parse_query("여름공연")?;
    for (score, address) in searcher.search(&query, &TopDocs::with_limit(5).order_by_score())? {
        let doc: TantivyDocument = searcher.doc(address)?;
        println!(
            "{score:.3}  {}",
            doc.get_first(title).and_then(|v| v.as_str()).unwrap_or("")
        );
    }
    Ok(())
}
