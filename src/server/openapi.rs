//! `GET /openapi.json`, generated from the handlers' `#[utoipa::path]` annotations.

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::error::{ErrorBody, ErrorDetail};
use super::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "chatda", description = "Korean-first search and analytics. Search routes take the search key (or none is configured), admin routes the admin key, as `Authorization: Bearer …`."),
    paths(
        routes::search, routes::suggest, routes::aggregate, routes::analyze, routes::list_indexes,
        routes::documents, routes::reindex, routes::list_jobs, routes::show_job, routes::cancel_job,
        routes::sync_errors, routes::retry_sync_errors,
        routes::swap, routes::rollback, routes::health, routes::ready, routes::metrics, routes::openapi,
    ),
    components(schemas(ErrorBody, ErrorDetail, routes::AnalyzeBody, routes::ReindexBody, routes::SwapBody)),
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

/// The OpenAPI document of the service.
pub fn document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}
