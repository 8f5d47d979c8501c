//! The synonym list queries use: `GET` and `PUT /v1/synonyms`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::Body;
use crate::app::{AppError, SynonymsView};
use crate::error::Code;

#[utoipa::path(get, path = "/v1/synonyms", tag = "admin", responses((status = 200, description = "groups (lists of names), text (the list in its file format), path (where a replaced list is kept)", body = Object), (status = 401, description = "missing or wrong key", body = ErrorBody)))]
pub(super) async fn get_synonyms(State(state): State<AppState>) -> Json<SynonymsView> {
    Json(state.app().synonyms())
}

/// Body of `PUT /v1/synonyms`: the new list, as groups or in the file format.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SynonymsBody {
    /// Groups of equivalent names, e.g. `[["BTS", "방탄소년단"], ["The Nutcracker", "호두까기 인형"]]`.
    #[serde(default)]
    groups: Option<Vec<Vec<String>>>,
    /// The list in its file format: one group per line, names separated by commas.
    #[serde(default)]
    text: Option<String>,
}

#[utoipa::path(put, path = "/v1/synonyms", tag = "admin", request_body = SynonymsBody, responses((status = 200, description = "the list now in use (as GET)", body = Object), (status = 400, description = "a bad group or line: the error names it; nothing changed", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 413, description = "list too large", body = ErrorBody)))]
pub(super) async fn put_synonyms(
    State(state): State<AppState>,
    Body(body): Body<SynonymsBody>,
) -> Result<Json<SynonymsView>, ApiError> {
    let text = match (body.groups, body.text) {
        (Some(groups), None) => groups_text(&groups)?,
        (None, Some(text)) => text,
        _ => {
            return Err(ApiError::new(
                Code::InvalidRequest,
                "give exactly one of `groups` (lists of names) or `text` (the list format)",
                None,
            ));
        }
    };
    Ok(Json(state.app().replace_synonyms(text).await?))
}

/// The list format of `groups`; a name that the format cannot hold is an error naming it.
fn groups_text(groups: &[Vec<String>]) -> Result<String, ApiError> {
    let mut text = String::new();
    for (i, group) in groups.iter().enumerate() {
        for (j, name) in group.iter().enumerate() {
            if name.contains([',', '#', '\n', '\r']) || name.contains("=>") {
                return Err(AppError::Invalid {
                    field: "groups",
                    reason: format!(
                        "groups[{i}][{j}] {name:?}: a name cannot contain a comma, `#`, `=>` or a line break"
                    ),
                }
                .into());
            }
        }
        text.push_str(&group.join(", "));
        text.push('\n');
    }
    Ok(text)
}
