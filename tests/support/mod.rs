//! Sources for the pipeline tests: a SQLite file per test, and a PostgreSQL schema per
//! test on the CI database (127.0.0.1:5432, database `test`; `CHATDA_TEST_PG_URL`
//! overrides). Without PostgreSQL the PostgreSQL tests skip with a message, except under
//! `CI=true`, where a skip fails the run.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use chatda::engine::Engine;
use chatda::source::{Backend, Source};

/// A data directory, its engine and a migrated, empty source.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub engine: Engine,
    pub source: Source,
    pub url: String,
    /// PostgreSQL: the per-test schema.
    pub schema: Option<String>,
}

pub async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("source.db").display());
    fixture(dir, url, None).await
}

pub fn pg_base_url() -> String {
    std::env::var("CHATDA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A fresh schema on the test PostgreSQL, or `None` (skip) when there is none and we
/// are not on CI.
pub async fn postgres(test: &str) -> Option<Fixture> {
    static N: AtomicU32 = AtomicU32::new(0);
    let base = pg_base_url();
    let admin = match Source::connect(&base, BTreeMap::new()).await {
        Ok(admin) => admin,
        Err(e) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("PostgreSQL is required under CI=true ({base}): {e}");
            }
            eprintln!("skipping {test}: no PostgreSQL at {base} ({e})");
            return None;
        }
    };
    let schema = format!(
        "chatda_{}_{}_{}",
        test,
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(admin.pool())
        .await
        .unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(admin.pool())
        .await
        .unwrap();
    let url = format!("{base}?options=-c%20search_path%3D{schema}&application_name={schema}");
    let dir = tempfile::tempdir().unwrap();
    Some(fixture(dir, url, Some(schema)).await)
}

async fn fixture(dir: tempfile::TempDir, url: String, schema: Option<String>) -> Fixture {
    let source = Source::connect(&url, BTreeMap::new()).await.unwrap();
    source.migrate().await.unwrap();
    let engine = Engine::open(dir.path()).await.unwrap();
    Fixture {
        dir,
        engine,
        source,
        url,
        schema,
    }
}

impl Fixture {
    pub fn backend(&self) -> Backend {
        self.source.backend()
    }

    /// Runs one statement on the source.
    pub async fn exec(&self, sql: &str) {
        sqlx::query(sql)
            .execute(self.source.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Inserts a concert row with the given title (NULL when `None`).
    pub async fn insert_concert(&self, id: i64, title: Option<&str>) {
        let title = match title {
            Some(t) => format!("'{}'", t.replace('\'', "''")),
            None => "NULL".into(),
        };
        self.exec(&format!(
            "INSERT INTO concerts (id, title, genre, city) VALUES ({id}, {title}, '콘서트', '서울')"
        ))
        .await;
    }

    /// The number of rows of a table.
    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(self.source.pool())
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap()
    }
}

/// Runs `body` on a fresh PostgreSQL schema and drops the schema afterwards; skips (see
/// [`postgres`]) when there is no PostgreSQL outside CI.
pub async fn on_postgres<F, Fut>(test: &str, body: F)
where
    F: FnOnce(Fixture) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(f) = postgres(test).await else {
        return;
    };
    let schema = f.schema.clone().expect("a PostgreSQL fixture has a schema");
    body(f).await;
    drop_schema(&schema).await;
}

/// Drops a test schema.
pub async fn drop_schema(schema: &str) {
    let admin = Source::connect(&pg_base_url(), BTreeMap::new())
        .await
        .unwrap();
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(admin.pool())
        .await
        .unwrap();
}

/// The stored title of document `id` in the live version of concerts, if it is there.
pub fn title_of(engine: &Engine, id: &str) -> Option<String> {
    use tantivy::TantivyDocument;
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Term, Value};
    let index = engine.index("concerts").unwrap();
    let searcher = index.searcher();
    let fields = index.fields();
    let query = TermQuery::new(
        Term::from_field_text(fields.id, id),
        IndexRecordOption::Basic,
    );
    let hits = searcher
        .search(&query, &TopDocs::with_limit(2).order_by_score())
        .unwrap();
    assert!(hits.len() <= 1, "id {id} is indexed twice");
    let (_, address) = hits.first()?;
    let doc: TantivyDocument = searcher.doc(*address).unwrap();
    let title = fields.schema.get_field("title__stored").unwrap();
    Some(doc.get_first(title)?.as_str()?.to_string())
}
