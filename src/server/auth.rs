//! Bearer keys: the search key (or the admin key) for search routes, the admin key for
//! write and admin routes; compared in constant time.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::AppState;
use super::error::ApiError;
use crate::error::Code;

/// The bearer token of a request, if any (the scheme name is case-insensitive, RFC 7235).
fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_start())
}

/// Constant-time comparison (the length of the key is not secret).
fn same_key(given: Option<&str>, key: &str) -> bool {
    given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(key.as_bytes())))
}

pub(super) async fn require_admin_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(key) = state.settings().admin_key()
        && !same_key(bearer(&request), key)
    {
        return unauthorized("an admin key (Authorization: Bearer …) is required for this route");
    }
    next.run(request).await
}

pub(super) async fn require_search_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(key) = state.settings().search_key() {
        let given = bearer(&request);
        let admin = state.settings().admin_key();
        if !same_key(given, key) && !admin.is_some_and(|a| same_key(given, a)) {
            return unauthorized("a search key (Authorization: Bearer …) is required");
        }
    }
    next.run(request).await
}

fn unauthorized(message: &str) -> Response {
    let mut response = ApiError::new(Code::Unauthorized, message, None).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}
