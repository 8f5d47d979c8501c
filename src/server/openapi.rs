//! `GET /openapi.json`, generated from the handlers' `#[utoipa::path]` annotations.

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use axum::Json;

use super::error::{ErrorBody, ErrorDetail};
use super::{aliases, documents, jobs, ops, search, synonyms, transfer};

#[derive(OpenApi)]
#[openapi(
    info(title = "chatda", description = "Korean-first search and analytics. Search routes take the search key (or none is configured), admin routes the admin key, as `Authorization: Bearer …`."),
    paths(
        search::search, search::suggest, search::aggregate, search::rank_eval, search::analyze,
        aliases::list_indexes, aliases::swap, aliases::rollback,
        documents::documents, transfer::import, transfer::export,
        jobs::reindex, jobs::list_jobs, jobs::show_job, jobs::cancel_job, jobs::retry_job, jobs::schedules,
        jobs::sync_errors, jobs::retry_sync_errors,
        synonyms::get_synonyms, synonyms::put_synonyms,
        ops::health, ops::ready, ops::metrics, openapi,
    ),
    components(schemas(ErrorBody, ErrorDetail, search::AnalyzeBody, jobs::ReindexBody, aliases::SwapBody, synonyms::SynonymsBody, shapes::RankEvalBody, shapes::RatedSearch, shapes::RatedDocument)),
    modifiers(&Bearer),
)]
struct ApiDoc;

/// Request shapes the document describes for routes that parse a library type instead.
#[allow(
    dead_code,
    reason = "described, never built: the route parses `app::RankEvalRequest`"
)]
pub(super) mod shapes {
    /// Body of rank_eval.
    #[derive(utoipa::ToSchema)]
    pub(in crate::server) struct RankEvalBody {
        /// The searches, 1 to 500.
        requests: Vec<RatedSearch>,
        /// Hits scored per search, 1 to 100 (default 10).
        k: Option<usize>,
    }

    /// One search of rank_eval and its ratings.
    #[derive(utoipa::ToSchema)]
    pub(in crate::server) struct RatedSearch {
        /// The search's name, unique in the evaluation.
        id: String,
        /// A search body, checked as a search is; it runs as one page of `k` hits (its
        /// limit, offset and search_after are replaced), without highlights; `aggs` is
        /// refused.
        #[schema(value_type = Object)]
        request: serde_json::Value,
        /// Rated documents; unrated hits count as not relevant.
        ratings: Vec<RatedDocument>,
    }

    /// A rated document.
    #[derive(utoipa::ToSchema)]
    pub(in crate::server) struct RatedDocument {
        /// The document id, an integer or a string (`12` and `"12"` are the same document).
        id: serde_json::Value,
        /// 0 (not relevant) to 3; 1 and up are relevant.
        #[schema(minimum = 0, maximum = 3)]
        rating: u8,
    }
}

struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

#[utoipa::path(get, path = "/openapi.json", tag = "ops", responses((status = 200, description = "this document", body = Object)))]
pub(super) async fn openapi() -> Json<serde_json::Value> {
    Json(serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
}
