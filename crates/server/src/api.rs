//! Request routing and the read-only verbs: get, list, watch, logs.

use std::borrow::Cow;
use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::{Method, Request, Response, StatusCode, header};
use kbundle_format::json::str_at;
use kbundle_format::resources::ResourceType;
use kbundle_format::{Object, Snapshot};
use serde_json::{Value, json};

use crate::ServeOptions;
use crate::faults::{Faults, Link};
use crate::index::Index;
use crate::query::{Query, Want, percent_decode, want};
use crate::select::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::{discovery, logs, table};

/// The response body type.
pub(crate) type Body = BoxBody<Bytes, std::io::Error>;

/// What a handler answers.
pub(crate) enum Reply {
    /// A whole body.
    Full {
        code: u16,
        content_type: String,
        body: Bytes,
    },
    /// A streamed body (logs, watches).
    Stream {
        code: u16,
        content_type: String,
        rx: tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>,
    },
}

impl Reply {
    pub(crate) fn json(code: u16, v: &Value) -> Reply {
        Reply::json_as(code, "application/json", v)
    }

    pub(crate) fn json_as(code: u16, content_type: &str, v: &impl serde::Serialize) -> Reply {
        let body = serde_json::to_vec(v).unwrap_or_default();
        Reply::Full {
            code,
            content_type: content_type.to_string(),
            body: Bytes::from(body),
        }
    }

    fn text(code: u16, s: &'static str) -> Reply {
        Reply::Full {
            code,
            content_type: "text/plain; charset=utf-8".into(),
            body: Bytes::from_static(s.as_bytes()),
        }
    }

    fn into_response(self, head: bool, date: Option<&header::HeaderValue>) -> Response<Body> {
        let (code, content_type, body): (u16, String, Body) = match self {
            Reply::Full {
                code,
                content_type,
                body,
            } => {
                let body = if head { Bytes::new() } else { body };
                (
                    code,
                    content_type,
                    Full::new(body).map_err(|e: Infallible| match e {}).boxed(),
                )
            }
            Reply::Stream {
                code,
                content_type,
                rx,
            } => {
                let stream = futures::stream::unfold(rx, |mut rx| async move {
                    rx.recv().await.map(|item| (item.map(Frame::data), rx))
                });
                (code, content_type, StreamBody::new(stream).boxed())
            }
        };
        let mut resp = Response::new(body);
        *resp.status_mut() =
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Ok(v) = header::HeaderValue::from_str(&content_type) {
            resp.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        if let Some(date) = date {
            resp.headers_mut().insert(header::DATE, date.clone());
        }
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-cache, private"),
        );
        resp
    }
}

/// The answer to a request whose `Host` does not name this server: `403 Forbidden`.
pub(crate) fn refuse_host(host: Option<&str>) -> Response<Body> {
    let message = match host {
        Some(h) => format!(
            "host {:?} is not this server: use its IP address or localhost, or start it with \
             --allow-host (protection against DNS rebinding)",
            kbundle_format::neutral::escape_controls(h)
        ),
        None => "the request names no Host".to_string(),
    };
    Reply::from(ApiError::new(403, "Forbidden", message)).into_response(false, None)
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Reply {
        Reply::json(e.code, &e.to_json())
    }
}

type Result<T> = std::result::Result<T, ApiError>;

/// The state shared by every request.
pub(crate) struct State {
    pub(crate) snapshot: Arc<Snapshot>,
    pub(crate) index: Index,
    pub(crate) faults: Faults,
    /// The shared link of the `bandwidth` fault.
    link: Option<Arc<Link>>,
    watch_hold: std::time::Duration,
    whole_list_max: usize,
    /// The `Date` header: the snapshot's "now", not the wall clock.
    date: Option<header::HeaderValue>,
    requests: AtomicU64,
    listed: Mutex<HashSet<(String, String)>>,
}

/// One parsed request.
pub(crate) struct Req<'a> {
    pub(crate) query: Query,
    pub(crate) want: Want,
    pub(crate) method: &'a Method,
}

impl State {
    pub(crate) fn new(snapshot: Arc<Snapshot>, options: ServeOptions) -> State {
        let mut index = Index::new(&snapshot);
        if options.now.is_some() {
            index.now = options.now;
        }
        let date = index.now.and_then(|t| {
            header::HeaderValue::from_str(&t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()).ok()
        });
        State {
            snapshot,
            index,
            link: options.faults.bandwidth.map(Link::new),
            faults: options.faults,
            watch_hold: options.watch_hold,
            whole_list_max: options.whole_list_max,
            date,
            requests: AtomicU64::new(0),
            listed: Mutex::new(HashSet::new()),
        }
    }

    /// Answers one request. Never panics on request data, never fails.
    pub(crate) async fn serve<B>(&self, req: Request<B>) -> Response<Body>
    where
        B: hyper::body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(d) = self.faults.delay {
            tokio::time::sleep(d).await;
        }
        let method = req.method().clone();
        let head = method == Method::HEAD;
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let r = Req {
            query: Query::parse(req.uri().query()),
            want: want(&accept),
            method: &method,
        };
        let reply = if self
            .faults
            .error_every
            .is_some_and(|every| n.is_multiple_of(every))
        {
            ApiError::internal(&format!("injected fault: request {n} fails (error-every)")).into()
        } else if method == Method::POST && is_access_review(req.uri().path()) {
            let path = req.uri().path().to_string();
            let body = http_body_util::Limited::new(req.into_body(), 1 << 20)
                .collect()
                .await;
            match body {
                Ok(b) => self.access_review(&path, &b.to_bytes()),
                Err(_) => ApiError::bad_request("cannot read the request body").into(),
            }
        } else {
            match self.route(req.uri().path(), &r).await {
                Ok(reply) => reply,
                Err(e) => e.into(),
            }
        };
        let resp = reply.into_response(head, self.date.as_ref());
        match &self.link {
            Some(link) => resp.map(|body| link.throttle(body)),
            None => resp,
        }
    }

    async fn route(&self, path: &str, r: &Req<'_>) -> Result<Reply> {
        if !(r.method == Method::GET || r.method == Method::HEAD) {
            return Err(ApiError::read_only(r.method.as_str()));
        }
        let segs: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode(s, false))
            .collect();
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        match segs.as_slice() {
            [] => Ok(Reply::json(200, &self.root_paths())),
            ["version"] => Ok(Reply::json(200, &self.version())),
            ["healthz" | "livez" | "readyz", ..] => Ok(Reply::text(200, "ok")),
            ["api"] => Ok(match r.want {
                Want::Discovery(v) => self.aggregated(true, v),
                _ => Reply::json(200, &discovery::api_versions()),
            }),
            ["apis"] => Ok(match r.want {
                Want::Discovery(v) => self.aggregated(false, v),
                _ => Reply::json(200, &discovery::api_group_list(&self.index)),
            }),
            ["api", version, rest @ ..] => self.resource_path("", version, rest, r).await,
            ["apis", group] => discovery::api_group_doc(&self.index, group)
                .map(|v| Reply::json(200, &v))
                .ok_or_else(ApiError::no_such_path),
            ["apis", group, version, rest @ ..] => {
                self.resource_path(group, version, rest, r).await
            }
            _ => Err(ApiError::no_such_path()),
        }
    }

    fn aggregated(&self, core: bool, version: &'static str) -> Reply {
        let content_type =
            format!("application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList");
        Reply::json_as(
            200,
            &content_type,
            &discovery::aggregated(&self.index, core, version),
        )
    }

    fn root_paths(&self) -> Value {
        let mut paths = vec![
            "/api".to_string(),
            "/api/v1".to_string(),
            "/apis".to_string(),
        ];
        for g in self.index.groups.iter().filter(|g| !g.name.is_empty()) {
            paths.push(format!("/apis/{}", g.name));
            for v in &g.versions {
                paths.push(format!("/apis/{}/{v}", g.name));
            }
        }
        paths.extend([
            "/healthz".into(),
            "/livez".into(),
            "/readyz".into(),
            "/version".into(),
        ]);
        json!({"paths": paths})
    }

    /// `/version`: the snapshot's, over a made-up default (clients such as kube-rs need every
    /// field).
    fn version(&self) -> Value {
        let mut version = json!({
            "major": "1",
            "minor": "32",
            "gitVersion": "v1.32.0+kbundle",
            "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean",
            "buildDate": "1970-01-01T00:00:00Z",
            "goVersion": "go1.23",
            "compiler": "gc",
            "platform": "linux/amd64",
        });
        if let (Some(Value::Object(stored)), Some(out)) =
            (self.snapshot.server_version(), version.as_object_mut())
        {
            for (k, v) in stored {
                out.insert(k.clone(), v.clone());
            }
        }
        version
    }

    async fn resource_path(
        &self,
        group: &str,
        version: &str,
        rest: &[&str],
        r: &Req<'_>,
    ) -> Result<Reply> {
        if !self.index.serves(group, version) {
            return Err(ApiError::no_such_path());
        }
        if rest.is_empty() {
            return Ok(Reply::json(
                200,
                &discovery::api_resource_list(&self.index, group, version),
            ));
        }
        let (namespace, rest) = match rest {
            ["namespaces", ns, tail @ ..]
                if tail.first().is_some_and(|plural| {
                    self.index
                        .resource(group, version, plural)
                        .is_some_and(|t| t.namespaced)
                }) =>
            {
                (*ns, tail)
            }
            _ => ("", rest),
        };
        let Some((plural, tail)) = rest.split_first() else {
            return Err(ApiError::no_such_path());
        };
        let Some(t) = self.index.resource(group, version, plural) else {
            return Err(ApiError::no_such_path());
        };
        if t.namespaced && namespace.is_empty() && !tail.is_empty() {
            return Err(ApiError::no_such_path());
        }
        if self.faults.forbids(group, plural, namespace) {
            let verb = match (tail.is_empty(), r.query.flag("watch")) {
                (true, true) => "watch",
                (true, false) => "list",
                _ => "get",
            };
            let mut e = ApiError::forbidden(verb, group, plural, namespace);
            if let Some(m) = &self.faults.message {
                e.message.push_str(": ");
                e.message.push_str(m);
            }
            return Err(e);
        }
        let t = t.clone();
        match tail {
            [] if r.query.flag("watch") => self.watch(&t, namespace, r),
            [] => self.list(&t, namespace, r),
            [name] => self.get(&t, namespace, name, r),
            [name, "status"] => self.get(&t, namespace, name, r),
            [name, "log"] if t.group.is_empty() && t.plural == "pods" => {
                self.vanished(namespace, name, &t)?;
                logs::serve(self, namespace, name, &r.query, self.faults.cut_logs_after)
            }
            _ => Err(ApiError::no_such_path()),
        }
    }

    fn vanished(&self, namespace: &str, name: &str, t: &ResourceType) -> Result<()> {
        if t.group.is_empty()
            && t.kind == "Pod"
            && self
                .faults
                .vanish
                .iter()
                .any(|(ns, n)| ns == namespace && n == name)
            && self
                .listed
                .lock()
                .map(|l| l.contains(&(namespace.to_string(), name.to_string())))
                .unwrap_or(false)
        {
            return Err(ApiError::not_found("", "pods", name));
        }
        Ok(())
    }

    /// The object as served at the asked version (borrowed unless its apiVersion differs).
    fn served_value<'a>(&self, t: &ResourceType, o: &'a Object) -> Cow<'a, Value> {
        let api_version = t.api_version();
        if o.api_version() == api_version {
            Cow::Borrowed(&o.value)
        } else {
            let mut v = o.value.clone();
            if let Some(m) = v.as_object_mut() {
                m.insert("apiVersion".into(), Value::String(api_version));
            }
            Cow::Owned(v)
        }
    }

    fn get(&self, t: &ResourceType, namespace: &str, name: &str, r: &Req<'_>) -> Result<Reply> {
        self.vanished(namespace, name, t)?;
        let object = self
            .index
            .object(&self.snapshot, &t.group, &t.kind, namespace, name)
            .ok_or_else(|| ApiError::not_found(&t.group, &t.plural, name))?;
        let value = self.served_value(t, object);
        Ok(match r.want {
            Want::Table(v) => {
                let include = table::Include::parse(r.query.get("includeObject"))?;
                let tbl = table::table(&self.index, t, &[value.as_ref()], include, v, None);
                Reply::json_as(
                    200,
                    &format!("application/json;as=Table;v={v};g=meta.k8s.io"),
                    &tbl,
                )
            }
            Want::Metadata(v) => Reply::json_as(
                200,
                &format!("application/json;as=PartialObjectMetadata;v={v};g=meta.k8s.io"),
                &table::partial_metadata(&value, v),
            ),
            _ => Reply::json_as(200, "application/json", &value),
        })
    }

    /// Refuses field labels the real API server does not support, as it does, so that callers
    /// tested against this server do not rely on selectors a real cluster refuses.
    fn check_field_labels(&self, t: &ResourceType, fields: &FieldSelector) -> Result<()> {
        let crd = self
            .index
            .crd_fields
            .get(&(t.group.clone(), t.kind.clone()));
        let supported = crate::select::supported_fields(&t.group, &t.kind);
        for field in fields.fields() {
            let ok = matches!(field, "metadata.name" | "metadata.namespace")
                || match crd {
                    Some(crd) => crd.iter().any(|f| f == field),
                    None => supported.is_none_or(|s| s.contains(&field)),
                };
            if !ok {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
        }
        Ok(())
    }

    /// The objects a list or watch selects, in order.
    fn select<'a>(
        &'a self,
        t: &ResourceType,
        namespace: &'a str,
        q: &Query,
    ) -> Result<Vec<&'a Object>> {
        let labels = LabelSelector::parse(q.get("labelSelector").unwrap_or_default())
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let fields = FieldSelector::parse(q.get("fieldSelector").unwrap_or_default())
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        self.check_field_labels(t, &fields)?;
        let selected: Vec<&Object> = self
            .index
            .objects(&self.snapshot, &t.group, &t.kind, namespace)
            .filter(|o| labels.is_empty() || labels.matches(&o.labels()))
            .filter(|o| fields.is_empty() || fields.matches(&o.value))
            .collect();
        if t.group.is_empty()
            && t.kind == "Pod"
            && !self.faults.vanish.is_empty()
            && let Ok(mut listed) = self.listed.lock()
        {
            for o in &selected {
                listed.insert((o.namespace().to_string(), o.name().to_string()));
            }
        }
        Ok(selected)
    }

    fn list(&self, t: &ResourceType, namespace: &str, r: &Req<'_>) -> Result<Reply> {
        let selected = self.select(t, namespace, &r.query)?;
        let total = selected.len();
        let start = match r.query.get("continue").filter(|c| !c.is_empty()) {
            None => 0,
            Some(token) => decode_continue(token)
                .filter(|s| *s <= total)
                .ok_or_else(|| {
                    ApiError::bad_request(format!("continue key is not valid: {token:?}"))
                })?,
        };
        let limit = match r.query.get("limit").filter(|l| !l.is_empty()) {
            None => 0,
            Some(l) => l.parse::<usize>().map_err(|_| {
                ApiError::bad_request(format!(
                    "invalid limit {l:?}: expected a non-negative integer"
                ))
            })?,
        };
        let end = if limit == 0 || (start == 0 && total <= self.whole_list_max) {
            total
        } else {
            start.saturating_add(limit).min(total)
        };
        let page: Vec<Cow<'_, Value>> = selected
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|o| self.served_value(t, o))
            .collect();
        let page: Vec<&Value> = page.iter().map(AsRef::as_ref).collect();
        let mut meta = json!({"resourceVersion": self.index.resource_version});
        if end < total {
            crate::set_field(&mut meta, "continue", json!(encode_continue(end)));
            crate::set_field(&mut meta, "remainingItemCount", json!(total - end));
        }
        Ok(match r.want {
            Want::Table(v) => {
                let include = table::Include::parse(r.query.get("includeObject"))?;
                let tbl = table::table(&self.index, t, &page, include, v, Some(meta));
                Reply::json_as(
                    200,
                    &format!("application/json;as=Table;v={v};g=meta.k8s.io"),
                    &tbl,
                )
            }
            Want::Metadata(v) => {
                let items: Vec<table::PartialMetadata<'_>> =
                    page.iter().map(|o| table::partial_metadata(o, v)).collect();
                Reply::json_as(
                    200,
                    &format!("application/json;as=PartialObjectMetadataList;v={v};g=meta.k8s.io"),
                    &List {
                        kind: "PartialObjectMetadataList".into(),
                        api_version: format!("meta.k8s.io/{v}"),
                        metadata: meta,
                        items,
                    },
                )
            }
            _ => Reply::json_as(
                200,
                "application/json",
                &List {
                    kind: format!("{}List", t.kind),
                    api_version: t.api_version(),
                    metadata: meta,
                    items: page,
                },
            ),
        })
    }

    /// A watch: the current objects as `ADDED` events (unless the client resumes from the
    /// list's resourceVersion, when nothing changed since), then the end of the stream.
    fn watch(&self, t: &ResourceType, namespace: &str, r: &Req<'_>) -> Result<Reply> {
        let selected = self.select(t, namespace, &r.query)?;
        let initial = r.query.flag("sendInitialEvents");
        let from = r.query.get("resourceVersion").unwrap_or_default();
        let replay = initial || from.is_empty() || from == "0";
        let include = table::Include::parse(r.query.get("includeObject"))?;
        let mut out = Vec::new();
        if replay {
            for (i, o) in selected.iter().enumerate() {
                let value = self.served_value(t, o);
                let written = match r.want {
                    Want::Table(v) => {
                        let mut tbl =
                            table::table(&self.index, t, &[value.as_ref()], include, v, None);
                        if i > 0 {
                            tbl.column_definitions.clear();
                        }
                        serde_json::to_writer(
                            &mut out,
                            &Event {
                                kind: "ADDED",
                                object: tbl,
                            },
                        )
                    }
                    Want::Metadata(v) => serde_json::to_writer(
                        &mut out,
                        &Event {
                            kind: "ADDED",
                            object: table::partial_metadata(&value, v),
                        },
                    ),
                    _ => serde_json::to_writer(
                        &mut out,
                        &Event {
                            kind: "ADDED",
                            object: &value,
                        },
                    ),
                };
                if written.is_err() {
                    return Err(ApiError::internal("cannot encode a watch event"));
                }
                out.push(b'\n');
            }
        }
        if initial {
            let bookmark = json!({"type": "BOOKMARK", "object": {
                "kind": t.kind, "apiVersion": t.api_version(),
                "metadata": {"resourceVersion": self.index.resource_version,
                             "annotations": {"k8s.io/initial-events-end": "true"}},
            }});
            out.extend(serde_json::to_vec(&bookmark).unwrap_or_default());
            out.push(b'\n');
        }
        // One chunk; the stream then ends. A watch that resumes (nothing to send) stays open a
        // little first: informers and kube-rs watchers re-watch at once when a watch ends, and
        // client-go takes a watch shorter than a second without events for an error.
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let _ = tx.try_send(Ok(Bytes::from(out)));
        if !replay {
            let mut hold = self.watch_hold;
            if let Some(t) = r
                .query
                .get("timeoutSeconds")
                .and_then(|t| t.parse::<u64>().ok())
            {
                hold = hold.min(std::time::Duration::from_secs(t));
            }
            if !hold.is_zero() {
                tokio::spawn(async move {
                    tokio::time::sleep(hold).await;
                    drop(tx);
                });
            }
        }
        Ok(Reply::Stream {
            code: 200,
            content_type: "application/json".into(),
            rx,
        })
    }
}

fn is_access_review(path: &str) -> bool {
    matches!(
        path.trim_end_matches('/'),
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
            | "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
            | "/apis/authentication.k8s.io/v1/selfsubjectreviews"
    )
}

impl State {
    /// `kubectl auth can-i` and k9s ask whether they may act: reads are allowed (except
    /// resources forbidden by a fault), writes are not. Nothing is stored.
    fn access_review(&self, path: &str, body: &[u8]) -> Reply {
        if path.contains("authentication.k8s.io") {
            // `kubectl auth whoami`.
            return Reply::json(
                201,
                &json!({
                    "kind": "SelfSubjectReview",
                    "apiVersion": "authentication.k8s.io/v1",
                    "metadata": {},
                    "status": {"userInfo": {"username": "kbundle", "groups": ["system:authenticated"]}},
                }),
            );
        }
        let Some(mut review) = serde_json::from_slice::<Value>(body)
            .ok()
            .or_else(|| crate::proto::decode_review(body))
        else {
            return ApiError::bad_request("the request body is not a JSON object").into();
        };
        if !review.is_object() {
            return ApiError::bad_request("the request body is not a JSON object").into();
        }
        let status = if path.contains("rulesreviews") {
            json!({
                "resourceRules": [{"verbs": ["get", "list", "watch"], "apiGroups": ["*"], "resources": ["*"]}],
                "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["*"]}],
                "incomplete": false,
            })
        } else {
            let attrs = review.pointer("/spec/resourceAttributes");
            let field = |k: &str| {
                attrs
                    .and_then(|a| a.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            };
            let verb = match attrs {
                Some(_) => field("verb"),
                None => str_at(&review, "/spec/nonResourceAttributes/verb"),
            };
            let read = matches!(verb, "get" | "list" | "watch");
            if !read {
                json!({"allowed": false, "reason": "kbundle serve is read-only"})
            } else if attrs.is_some()
                && self
                    .faults
                    .forbids(field("group"), field("resource"), field("namespace"))
            {
                json!({"allowed": false, "reason": "forbidden by a fault injected by kbundle serve"})
            } else {
                json!({"allowed": true, "reason": "kbundle serve allows every read"})
            }
        };
        if let Some(m) = review.as_object_mut() {
            m.insert("status".into(), status);
            m.entry("metadata").or_insert_with(|| json!({}));
        }
        Reply::json(201, &review)
    }
}

/// A list, serialized without copying its items.
#[derive(serde::Serialize)]
struct List<T: serde::Serialize> {
    kind: String,
    #[serde(rename = "apiVersion")]
    api_version: String,
    metadata: Value,
    items: Vec<T>,
}

/// A watch event.
#[derive(serde::Serialize)]
struct Event<T: serde::Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    object: T,
}

const CONTINUE_PREFIX: &str = "kbundle:";

fn encode_continue(offset: usize) -> String {
    format!("{CONTINUE_PREFIX}{offset}")
}

fn decode_continue(token: &str) -> Option<usize> {
    token.strip_prefix(CONTINUE_PREFIX)?.parse().ok()
}
