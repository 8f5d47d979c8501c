//! `GET /openapi.json`, generated from the handlers' `#[utoipa::path]` annotations.

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use axum::Json;

use super::error::{ErrorBody, ErrorDetail};
use super::{aliases, documents, jobs, ops, search, synonyms};

#[derive(OpenApi)]
#[openapi(
    info(title = "chatda", description = "Korean-first search and analytics. Search routes take the search key (or none is configured), admin routes the admin key, as `Authorization: Bearer …`."),
    paths(
        search::search, search::suggest, search::aggregate, search::analyze,
        aliases::list_indexes, aliases::swap, aliases::rollback,
        documents::documents,
        jobs::reindex, jobs::list_jobs, jobs::show_job, jobs::cancel_job,
        jobs::sync_errors, jobs::retry_sync_errors,
        synonyms::get_synonyms, synonyms::put_synonyms,
        ops::health, ops::ready, ops::metrics, openapi,
    ),
    components(schemas(ErrorBody, ErrorDetail, search::AnalyzeBody, jobs::ReindexBody, aliases::SwapBody, synonyms::SynonymsBody)),
    modifiers(&Bearer),
)]
struct ApiDoc;

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
