//! `chatda demo-data`: generated concerts and tickets written into the source tables, as
//! an application would (so the triggers fill the change log).

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use super::{Backend, Source, SourceError};
use crate::demo;

/// Rows per INSERT statement (and transaction).
const CHUNK: usize = 500;

/// Inserts (or replaces) `concerts` and `tickets` generated rows with ids 1..=n; calls
/// `progress(rows written)` after each chunk.
pub async fn seed_demo(
    source: &Source,
    concerts: u64,
    tickets: u64,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> Result<(), SourceError> {
    let backend = source.backend();
    let mut written = 0;
    let generated: Vec<_> = demo::concerts(seed).take(concerts as usize).collect();
    for chunk in generated.chunks(CHUNK) {
        let sql = insert_sql(
            backend,
            "concerts",
            &[
                ("id", ""),
                ("title", ""),
                ("artists", "jsonb"),
                ("venue", ""),
                ("city", ""),
                ("genre", ""),
                ("description", ""),
                ("start_date", "date"),
                ("end_date", "date"),
                ("price_min", ""),
                ("price_max", ""),
                ("deleted", ""),
            ],
            chunk.len(),
        );
        let mut query: Query<'_, Any, AnyArguments<'_>> = sqlx::query(&sql);
        for c in chunk {
            query = query
                .bind(c.id as i64)
                .bind(c.title.clone())
                .bind(serde_json::to_string(&c.artists).unwrap_or_default())
                .bind(c.venue.clone())
                .bind(c.city.clone())
                .bind(c.genre.clone())
                .bind(c.description.clone())
                .bind(c.start_date.clone())
                .bind(c.end_date.clone())
                .bind(c.price_min as i64)
                .bind(c.price_max as i64)
                .bind(c.deleted);
        }
        query.execute(source.pool()).await?;
        written += chunk.len() as u64;
        progress(written);
    }
    drop(generated);
    let generated: Vec<_> = demo::tickets(seed).take(tickets as usize).collect();
    for chunk in generated.chunks(CHUNK) {
        let sql = insert_sql(
            backend,
            "tickets",
            &[
                ("id", ""),
                ("subject", ""),
                ("body", ""),
                ("category", ""),
                ("status", ""),
                ("priority", ""),
                ("assignee", ""),
                ("created_at", "timestamptz"),
                ("updated_at", "timestamptz"),
            ],
            chunk.len(),
        );
        let mut query: Query<'_, Any, AnyArguments<'_>> = sqlx::query(&sql);
        for t in chunk {
            query = query
                .bind(t.id as i64)
                .bind(t.subject.clone())
                .bind(t.body.clone())
                .bind(t.category.clone())
                .bind(t.status.clone())
                .bind(t.priority as i64)
                .bind((!t.assignee.is_empty()).then(|| t.assignee.clone()))
                .bind(t.created_at.clone())
                .bind(t.updated_at.clone());
        }
        query.execute(source.pool()).await?;
        written += chunk.len() as u64;
        progress(written);
    }
    if backend == Backend::Postgres {
        // Explicit ids bypass the identity sequence; move it past them for later inserts.
        for table in ["concerts", "tickets"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
            ))
            .execute(source.pool())
            .await?;
        }
    }
    Ok(())
}

/// `INSERT … VALUES (…), (…) ON CONFLICT (id) DO UPDATE …` with `$n` placeholders; on
/// PostgreSQL text parameters are cast to the column's type (`jsonb`, `date`, …).
fn insert_sql(backend: Backend, table: &str, columns: &[(&str, &str)], rows: usize) -> String {
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let mut values = Vec::with_capacity(rows);
    let mut n = 0;
    for _ in 0..rows {
        let row: Vec<String> = columns
            .iter()
            .map(|(_, cast)| {
                n += 1;
                match (backend, *cast) {
                    (Backend::Postgres, cast) if !cast.is_empty() => format!("${n}::{cast}"),
                    _ => format!("${n}"),
                }
            })
            .collect();
        values.push(format!("({})", row.join(", ")));
    }
    let updates: Vec<String> = names[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES {} ON CONFLICT (id) DO UPDATE SET {}",
        names.join(", "),
        values.join(", "),
        updates.join(", ")
    )
}
