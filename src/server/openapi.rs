//! `GET /openapi.json`.

/// The OpenAPI document of the service.
pub fn document() -> serde_json::Value {
    serde_json::json!({})
}
