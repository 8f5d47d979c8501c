//! `chatda settings`: every resolved value, defaults spelled out, keys masked.

use super::Settings;

impl Settings {
    /// Every key with its value as shown by `chatda settings` (keys masked).
    pub fn shown(&self) -> Vec<(String, String)> {
        let value = serde_json::to_value(self).expect("settings serialize");
        let options = self.reindex_options();
        let defaults = [
            ("data_dir", self.data_dir().display().to_string()),
            ("source", self.source_url()),
            ("listen", self.listen().to_string()),
            (
                "time_zone",
                self.zone()
                    .map(|z| z.name().to_string())
                    .unwrap_or_default(),
            ),
            ("max_inflight", self.max_inflight().to_string()),
            ("indexing_nice", self.indexing_nice().to_string()),
            (
                "search_cache_mb",
                (self.search_cache_bytes() / (1024 * 1024)).to_string(),
            ),
            (
                "search_threads",
                match self.search_threads() {
                    0 => "one per core".to_string(),
                    n => n.to_string(),
                },
            ),
            ("max_connections", self.max_connections().to_string()),
            ("max_body_bytes", self.max_body_bytes().to_string()),
            (
                "max_import_mb",
                (self.max_import_bytes() / (1024 * 1024)).to_string(),
            ),
            (
                "request_timeout_secs",
                self.request_timeout().as_secs().to_string(),
            ),
            (
                "header_timeout_secs",
                self.header_timeout().as_secs().to_string(),
            ),
            ("keep_versions", self.keep_versions().to_string()),
            ("batch_size", options.batch_size.to_string()),
            ("writer_threads", options.writer_threads.to_string()),
            (
                "writer_memory_mb",
                (options.writer_memory >> 20).to_string(),
            ),
            ("checkpoint_rows", options.checkpoint_rows.to_string()),
            ("retries", options.retry_attempts.to_string()),
            ("job_attempts", options.job_attempts.to_string()),
            (
                "job_retry_backoff_secs",
                options.job_retry_backoff.as_secs().to_string(),
            ),
            (
                "job_history_days",
                (self.job_history().as_secs() / 86_400).to_string(),
            ),
            (
                "retention_cron",
                self.retention_cron().unwrap_or_else(|| "off".into()),
            ),
            ("webhook_url", "none".into()),
            ("demo_concerts", self.demo_rows().0.to_string()),
            ("demo_tickets", self.demo_rows().1.to_string()),
            ("admin_key", "none".into()),
            ("search_key", "none".into()),
            ("kinds_dir", "none (the built-in kinds)".into()),
            (
                "user_dictionary",
                "bundled dictionaries/user_dict.csv".into(),
            ),
            ("synonyms", "bundled dictionaries/synonyms.txt".into()),
        ];
        value
            .as_object()
            .expect("an object")
            .iter()
            .map(|(key, v)| {
                let shown = match (key.as_str(), v) {
                    ("admin_key" | "search_key", serde_json::Value::String(_)) => "(set)".into(),
                    (_, serde_json::Value::Null) => defaults
                        .iter()
                        .find(|(k, _)| k == key)
                        .map_or_else(|| "(default)".into(), |(_, d)| d.clone()),
                    (_, serde_json::Value::String(s)) => s.clone(),
                    (_, other) => other.to_string(),
                };
                (key.clone(), shown)
            })
            .collect()
    }
}
