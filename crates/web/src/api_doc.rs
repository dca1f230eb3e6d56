//! What every API operation can answer besides its own success, written into
//! the OpenAPI document once, from the layers every request passes through, so
//! the document tells the truth about errors without each handler repeating it:
//!
//! - every operation: 400 (a query or body that cannot be read, NUL bytes),
//!   503 (the store is busy: try again after `Retry-After`);
//! - every operation that needs a login: 401, 403 (role, scope or CSRF);
//! - every operation with a path parameter: 404 (unknown, or outside the scope);
//! - every operation with query parameters: 422 (a value that is not valid);
//! - every operation with a request body: 413, 415 and 422 (field errors);
//! - every error answer has the body `ErrorBody`.
//!
//! Public operations (the geography, this document) declare no security.
//! Operation ids are made unique from method and path.

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Required, ResponseBuilder, Schema};

/// Paths anyone may read without logging in.
fn is_public(path: &str) -> bool {
    path.starts_with("/api/v1/admin-units") || path == "/api/v1/openapi.json"
}

fn error_body_schema() -> Schema {
    let s = |d: &str| -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(d))
            .into()
    };
    let field = ObjectBuilder::new()
        .property(
            "field",
            s("the field (JSON path for JSON bodies, `row:column` for files)"),
        )
        .required("field")
        .property(
            "key",
            s("the message key (stable, the same in every language)"),
        )
        .required("key")
        .property("message", s("why, in the caller's language"))
        .required("message");
    let error = ObjectBuilder::new()
        .property(
            "code",
            s("machine-readable: bad_request, unauthorized, forbidden, csrf, not_found, validation, conflict (a unique value already used: `fields` names it), refused (the record's state does not allow it: `fields` says why), stale_version, version_required, too_large, unsupported_media_type, too_many_attempts, busy, internal"),
        )
        .required("code")
        .property(
            "key",
            s("the message key of `message` (stable, the same in every language)"),
        )
        .required("key")
        .property("message", s("for a person, in the caller's language"))
        .required("message")
        .property(
            "fields",
            ArrayBuilder::new()
                .items(RefOr::T(Schema::Object(field.build())))
                .description(Some("the fields concerned (validation, conflict, refused); empty otherwise")),
        )
        .required("fields")
        .property("request_id", s("quote it when reporting a problem"))
        .required("request_id")
        .property(
            "current",
            ObjectBuilder::new()
                .description(Some(
                    "stale_version only: the record as stored now (with its version)",
                ))
                .build(),
        );
    ObjectBuilder::new()
        .property("error", RefOr::T(Schema::Object(error.build())))
        .required("error")
        .description(Some("Every error answer of the API"))
        .into()
}

fn describe(status: &str) -> &'static str {
    match status {
        "400" => "The query string or body cannot be read",
        "401" => "Not logged in (no or unknown token or session)",
        "403" => "The role or scope does not allow it, or the CSRF token is missing",
        "404" => "No such record within the caller's scope",
        "409" => "Conflict with the stored state: a unique value already used (`conflict`), a state that does not allow the action (`refused`) or a stale version (`stale_version`); `error.fields` names the field",
        "413" => "The body is too large",
        "415" => "Unsupported content type",
        "422" => "Field errors: `error.fields` names each field and why",
        "428" => "The version the change is based on is missing",
        "429" => "Too many attempts: wait `Retry-After` seconds",
        "503" => "The store is busy: try again after `Retry-After` seconds; nothing was changed",
        _ => "Error",
    }
}

fn add(op: &mut Operation, status: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| ResponseBuilder::new().description(describe(status)).into());
}

/// Add the standard error answers to every operation (see the module docs).
pub fn document_errors(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert("ErrorBody".into(), RefOr::T(error_body_schema()));
    let error_ref = || {
        Content::new(Some(RefOr::<Schema>::Ref(Ref::from_schema_name(
            "ErrorBody",
        ))))
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let public = is_public(path);
        let has_path_param = path.contains('{');
        let ops: [(&str, &mut Option<Operation>); 5] = [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op.as_mut() else { continue };
            op.operation_id = Some(operation_id(method, path));
            add(op, "400");
            add(op, "503");
            if public {
                op.security = Some(vec![]);
            } else {
                add(op, "401");
                add(op, "403");
            }
            if has_path_param {
                add(op, "404");
            }
            let has_query = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
            });
            if has_query {
                // A query value that reads but is not valid (a date, a code, a sort key).
                add(op, "422");
            }
            if let Some(body) = op.request_body.as_mut() {
                // An upload without its own schema carries the file and nothing else
                // (a part named outside visible ASCII is not a form the server reads).
                if let Some(c) = body.content.get_mut("multipart/form-data") {
                    if c.schema.is_none() {
                        c.schema = Some(upload_schema());
                    }
                }
            }
            if op.request_body.is_some() {
                add(op, "413");
                add(op, "415");
                add(op, "422");
                if let Some(body) = op.request_body.as_mut() {
                    if body.required.is_none() {
                        // `Option<T>` as the body (a reason, a version): may be left out.
                        body.required = Some(if optional_body(body) {
                            Required::False
                        } else {
                            Required::True
                        });
                    }
                }
            }
            for (status, resp) in op.responses.responses.iter_mut() {
                let is_error = status.starts_with('4') || status.starts_with('5');
                if let (true, RefOr::T(r)) = (is_error, resp) {
                    if r.content.is_empty() {
                        r.content.insert("application/json".into(), error_ref());
                    }
                    // A 409 with its own body (both versions of a record) may also be a
                    // refusal of the state (a report already approved): the error body.
                    if status == "409" {
                        if let Some(c) = r.content.get_mut("application/json") {
                            let own = c.schema.take();
                            c.schema = match own {
                                Some(RefOr::Ref(x)) if x.ref_location.ends_with("/ErrorBody") => {
                                    Some(RefOr::Ref(x))
                                }
                                Some(own) => Some(
                                    AnyOfBuilder::new()
                                        .item(own)
                                        .item(Ref::from_schema_name("ErrorBody"))
                                        .into(),
                                ),
                                None => None,
                            };
                        }
                    }
                    if r.description.is_empty() {
                        r.description = describe(status).into();
                    }
                }
            }
        }
    }
}

/// A multipart form with one required part, `file`, and nothing else (a part
/// named outside visible ASCII is not a form the server can read).
/// Whether a request body is declared as `Option<T>` (`oneOf: [null, T]`).
fn optional_body(body: &utoipa::openapi::request_body::RequestBody) -> bool {
    use utoipa::openapi::schema::{SchemaType, Type};
    body.content.values().any(|c| match &c.schema {
        Some(RefOr::T(Schema::OneOf(one))) => one.items.iter().any(|i| {
            matches!(i, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
        }),
        _ => false,
    })
}

pub(crate) fn upload_schema() -> RefOr<Schema> {
    ObjectBuilder::new()
        .property(
            "file",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .content_media_type("application/octet-stream"),
        )
        .required("file")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .into()
}

/// `get_api_v1_agencies_id`: unique, stable, readable.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = String::from(method);
    for part in path.split('/').filter(|p| !p.is_empty()) {
        id.push('_');
        id.extend(part.chars().filter(|c| !matches!(c, '{' | '}')).map(|c| {
            if c.is_ascii_alphanumeric() {
                c
            } else {
                '_'
            }
        }));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_readable() {
        assert_eq!(
            operation_id("get", "/api/v1/agencies/{id}"),
            "get_api_v1_agencies_id"
        );
        assert_eq!(
            operation_id("get", "/api/v1/programs/{id}/consolidation.pdf"),
            "get_api_v1_programs_id_consolidation_pdf"
        );
    }
}
