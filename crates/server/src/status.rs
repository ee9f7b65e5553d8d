//! `Status` errors, as the API server writes them.

use serde_json::{Value, json};

/// An error answered as a `Status` object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) code: u16,
    pub(crate) reason: &'static str,
    pub(crate) message: String,
    pub(crate) details: Option<Value>,
}

impl ApiError {
    pub(crate) fn new(code: u16, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    pub(crate) fn with_details(mut self, details: Value) -> ApiError {
        self.details = Some(details);
        self
    }

    /// `pods "x" not found` (with the group: `deployments.apps "x" not found`).
    pub(crate) fn not_found(group: &str, plural: &str, name: &str) -> ApiError {
        let qualified = qualified(group, plural);
        let mut details = json!({"name": name, "kind": plural});
        if !group.is_empty() {
            crate::set_field(&mut details, "group", json!(group));
        }
        ApiError::new(404, "NotFound", format!("{qualified} \"{name}\" not found"))
            .with_details(details)
    }

    /// The answer for a path that names nothing.
    pub(crate) fn no_such_path() -> ApiError {
        ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
        .with_details(json!({
            "causes": [{"reason": "UnexpectedServerResponse", "message": "404 page not found"}]
        }))
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "BadRequest", message)
    }

    pub(crate) fn read_only(method: &str) -> ApiError {
        ApiError::new(
            405,
            "MethodNotAllowed",
            format!(
                "the server does not allow this method on the requested resource: {method} refused, \
                 kbundle serve is read-only (it serves a snapshot of a cluster, nothing can be changed)"
            ),
        )
    }

    pub(crate) fn forbidden(verb: &str, group: &str, plural: &str, namespace: &str) -> ApiError {
        let mut message = format!(
            "{} is forbidden: User \"kbundle\" cannot {verb} resource \"{plural}\" in API group \"{group}\"",
            qualified(group, plural)
        );
        if namespace.is_empty() {
            message.push_str(" at the cluster scope");
        } else {
            message.push_str(&format!(" in the namespace \"{namespace}\""));
        }
        message.push_str(" (fault injected by kbundle serve)");
        let mut details = json!({"kind": plural});
        if !group.is_empty() {
            crate::set_field(&mut details, "group", json!(group));
        }
        ApiError::new(403, "Forbidden", message).with_details(details)
    }

    pub(crate) fn internal(message: &str) -> ApiError {
        ApiError::new(
            500,
            "InternalError",
            format!("Internal error occurred: {message}"),
        )
        .with_details(json!({"causes": [{"message": message}]}))
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        });
        if let Some(d) = &self.details {
            crate::set_field(&mut v, "details", d.clone());
        }
        crate::set_field(&mut v, "code", json!(self.code));
        v
    }
}

fn qualified(group: &str, plural: &str) -> String {
    if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    }
}
