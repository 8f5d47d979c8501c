//! The search result cache: real traffic repeats its popular queries, and a repeated
//! request on an unchanged index has the same answer.
//!
//! A response is kept under its kind, the live version, the searcher's generation (a
//! commit or a swap makes a new one), the query synonym list's generation and the whole
//! normalised request. A changed index or list therefore never serves an old answer:
//! its requests miss and their new answers replace the old ones, which nothing asks
//! for any more and which age out of the bounded cache. The bound is in bytes of the
//! responses as JSON.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::query::SearchResponse;

/// Default memory bound of the search cache (settings `search_cache_mb`).
pub const DEFAULT_SEARCH_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// Rough memory of an entry beside its response's JSON size.
const ENTRY_OVERHEAD: u64 = 256;

/// What a cached response answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct CacheKey {
    pub(super) kind: String,
    pub(super) version: i64,
    pub(super) generation: u64,
    pub(super) synonyms: u64,
    /// The request after defaults (its debug form: maps are ordered, so equal requests
    /// have equal forms).
    pub(super) request: String,
}

#[derive(Clone)]
struct Entry {
    response: Arc<SearchResponse>,
    bytes: u64,
}

#[derive(Clone)]
struct Bytes;

impl Weighter<CacheKey, Entry> for Bytes {
    fn weight(&self, key: &CacheKey, entry: &Entry) -> u64 {
        entry.bytes + key.request.len() as u64 + ENTRY_OVERHEAD
    }
}

/// Counters of the search cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheStats {
    /// Searches answered from the cache.
    pub hits: u64,
    /// Searches run (and their answers kept).
    pub misses: u64,
    /// Responses held.
    pub entries: u64,
    /// Their approximate memory.
    pub bytes: u64,
    /// The bound.
    pub capacity: u64,
}

/// A bounded map of normalised requests to responses.
pub(super) struct SearchCache {
    cache: Option<Cache<CacheKey, Entry, Bytes>>,
    capacity: u64,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl SearchCache {
    /// A cache of about `bytes` (0: off).
    pub(super) fn new(bytes: u64) -> Self {
        SearchCache {
            cache: (bytes > 0).then(|| {
                // About 8 KiB per response (a page of ten hits with their sources).
                let items = usize::try_from(bytes / 8192).unwrap_or(usize::MAX).max(16);
                Cache::with_weighter(items, bytes, Bytes)
            }),
            capacity: bytes,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub(super) fn enabled(&self) -> bool {
        self.cache.is_some()
    }

    /// The response kept for `key`, if any.
    pub(super) fn get(&self, key: &CacheKey) -> Option<Arc<SearchResponse>> {
        let found = self.cache.as_ref()?.get(key);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found.map(|e| e.response)
    }

    /// Keeps `response` for `key`.
    pub(super) fn put(&self, key: CacheKey, response: SearchResponse) {
        let Some(cache) = &self.cache else { return };
        let bytes = serde_json::to_vec(&response).map_or(0, |json| json.len() as u64);
        cache.insert(
            key,
            Entry {
                response: Arc::new(response),
                bytes,
            },
        );
    }

    /// Drops every response of `kind` (its index was replaced).
    pub(super) fn forget(&self, kind: &str) {
        if let Some(cache) = &self.cache {
            cache.retain(|key, _| key.kind != kind);
        }
    }

    pub(super) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.cache.as_ref().map_or(0, |c| c.len() as u64),
            bytes: self.cache.as_ref().map_or(0, Cache::weight),
            capacity: self.capacity,
        }
    }
}
