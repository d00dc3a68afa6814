//! `GET /api/openapi.json`: the API description, generated from the route table so it cannot
//! drift from what the server answers (a test walks every documented route on a live server).

use serde_json::{json, Map, Value};

use super::router::ROUTES;
use crate::auth::Access;

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

/// The OpenAPI 3.0 document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for route in ROUTES {
        let mut op = Map::new();
        op.insert("summary".into(), json!(route.summary));
        op.insert(
            "operationId".into(),
            json!(format!(
                "{}{}",
                route.method.to_ascii_lowercase(),
                route.template.replace(['/', '{', '}', '.'], "_")
            )),
        );
        let params: Vec<Value> = route
            .template
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(|s| {
                let name = s.trim_matches(['{', '}']);
                let description = match name {
                    "path" => "An actor path such as root/engines/query (slashes kept).",
                    "topic" => "An event topic such as ext/load (slashes kept).",
                    _ => "An engine name.",
                };
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": description})
            })
            .collect();
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(body) = route.body {
            op.insert(
                "requestBody".into(),
                json!({"required": true, "description": body, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": {"type": "string"}}}}}),
            );
        }
        let mut responses = Map::new();
        responses.insert("200".into(), json!({"description": "Success."}));
        match route.access {
            Access::Public => {}
            Access::Read => {
                op.insert("security".into(), json!([{"bearer": []}, {}]));
                responses.insert(
                    "401".into(),
                    error_response("A token is needed (server not on loopback)."),
                );
                responses.insert(
                    "403".into(),
                    error_response("The token does not grant this."),
                );
            }
            Access::Operate => {
                op.insert("security".into(), json!([{"bearer": []}]));
                responses.insert(
                    "401".into(),
                    error_response("The operator token is missing."),
                );
                responses.insert(
                    "403".into(),
                    error_response("The token is not the operator token."),
                );
            }
        }
        if route.body.is_some() {
            responses.insert("400".into(), error_response("Malformed JSON."));
            responses.insert("413".into(), error_response("Body over the size limit."));
            responses.insert(
                "422".into(),
                error_response("Valid JSON that is not acceptable."),
            );
        }
        if route.template.contains('{') {
            responses.insert("404".into(), error_response("Nothing at this path."));
        }
        responses.insert(
            "503".into(),
            error_response("A part of the service is not available."),
        );
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths
            .entry(route.template.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(methods) = entry {
            methods.insert(route.method.to_ascii_lowercase(), Value::Object(op));
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "BettaFish-rs",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A supervised multi-agent public-opinion analysis service. Errors are {success:false, error:{code, message}}."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["success", "error"],
                    "properties": {
                        "success": {"type": "boolean", "enum": [false]},
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}
                        }
                    }
                }
            }
        }
    })
}
