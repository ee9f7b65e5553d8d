//! Server-side printing: the `meta.k8s.io` `Table` that `kubectl get` asks for, with the
//! columns of the real API server's printers. Ages are relative to the snapshot's reference
//! time, not the wall clock.

use std::collections::BTreeMap;

use jiff::SignedDuration;
use kbundle_describe::kubectl_duration;
use kbundle_format::json::{
    array_at, bool_at, i64_at, nonempty_str_at, object_at, str_at, timestamp_at,
};
use kbundle_format::resources::ResourceType;
use serde::Serialize;
use serde_json::{Value, json};

use crate::index::Index;
use crate::status::ApiError;

mod configmap;
mod cronjob;
mod daemonset;
mod deployment;
mod endpoints;
mod event;
mod ingress;
mod job;
mod lease;
mod namespace;
mod networkpolicy;
mod node;
mod persistentvolume;
mod persistentvolumeclaim;
mod pod;
mod poddisruptionbudget;
mod replicaset;
mod rolebinding;
mod secret;
mod service;
mod serviceaccount;
mod statefulset;
mod storageclass;
mod webhookconfiguration;

/// `includeObject` of a Table request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    pub(crate) fn parse(v: Option<&str>) -> Result<Include, ApiError> {
        match v.unwrap_or_default() {
            "" | "Metadata" => Ok(Include::Metadata),
            "Object" => Ok(Include::Object),
            "None" => Ok(Include::None),
            other => Err(ApiError::bad_request(format!(
                "includeObject: unsupported value {other:?}, expected one of None, Metadata, Object"
            ))),
        }
    }
}

static EMPTY: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| json!({}));

/// `PartialObjectMetadata` of an object (borrowed, serialized without copies).
#[derive(Debug, Serialize)]
pub(crate) struct PartialMetadata<'a> {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    metadata: &'a Value,
}

/// `PartialObjectMetadata` of an object.
pub(crate) fn partial_metadata<'a>(object: &'a Value, version: &str) -> PartialMetadata<'a> {
    PartialMetadata {
        kind: "PartialObjectMetadata",
        api_version: if version == "v1beta1" {
            "meta.k8s.io/v1beta1"
        } else {
            "meta.k8s.io/v1"
        },
        metadata: object.get("metadata").unwrap_or(&EMPTY),
    }
}

/// The object of a Table row.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum RowObject<'a> {
    Full(&'a Value),
    Partial(PartialMetadata<'a>),
}

/// One row of a Table.
#[derive(Debug, Serialize)]
pub(crate) struct Row<'a> {
    cells: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conditions: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<RowObject<'a>>,
}

/// A `meta.k8s.io` Table.
#[derive(Debug, Serialize)]
pub(crate) struct Table<'a> {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: String,
    metadata: Value,
    #[serde(rename = "columnDefinitions")]
    pub(crate) column_definitions: Vec<Value>,
    rows: Vec<Row<'a>>,
}

struct Ctx {
    now: jiff::Timestamp,
}

impl Ctx {
    /// A row of the usual shape: the name, `cells`, the age; no object.
    fn named(&self, v: &Value, mut cells: Vec<Value>) -> (Vec<Value>, Option<Value>) {
        cells.insert(0, json!(str_at(v, "/metadata/name")));
        cells.push(json!(
            self.since(nonempty_str_at(v, "/metadata/creationTimestamp"))
        ));
        (cells, None)
    }

    /// A workload's row: the name, `cells`, the age, then the wide columns (containers,
    /// images, selector).
    fn workload(&self, v: &Value, cells: Vec<Value>) -> (Vec<Value>, Option<Value>) {
        let (mut cells, object) = self.named(v, cells);
        cells.extend(template_cells(v));
        cells.push(json!(format_label_selector(v.pointer("/spec/selector"))));
        (cells, object)
    }

    /// `translateTimestampSince`.
    fn since(&self, ts: Option<&str>) -> String {
        match ts
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<jiff::Timestamp>())
        {
            Some(Ok(t)) => kubectl_duration(SignedDuration::from_secs(
                self.now.as_second() - t.as_second(),
            )),
            Some(Err(_)) | None => "<unknown>".into(),
        }
    }
}

fn none_if_empty(s: String) -> String {
    if s.is_empty() { "<none>".into() } else { s }
}

fn col(name: &str, ty: &str, priority: i64, description: &str) -> Value {
    let mut c = json!({"name": name, "type": ty, "format": "", "description": description, "priority": priority});
    if name == "Name" {
        crate::set_field(&mut c, "format", json!("name"));
    }
    c
}

/// Builds a kind's row: the cells, and the conditions (a pod's `Completed`/`Failed` state).
type RowFn = fn(&Ctx, &Value) -> (Vec<Value>, Option<Value>);

/// A column of a printed kind, as the real printer declares it.
pub(crate) struct Column {
    name: &'static str,
    ty: &'static str,
    /// 0: always printed; 1: only with `-o wide`.
    priority: i64,
    description: &'static str,
}

impl Column {
    const fn new(
        name: &'static str,
        ty: &'static str,
        priority: i64,
        description: &'static str,
    ) -> Column {
        Column {
            name,
            ty,
            priority,
            description,
        }
    }

    fn to_json(&self) -> Value {
        col(self.name, self.ty, self.priority, self.description)
    }
}

const NAME: Column = Column::new(
    "Name",
    "string",
    0,
    "Name must be unique within a namespace.",
);
const AGE: Column = Column::new(
    "Age",
    "string",
    0,
    "CreationTimestamp is a timestamp representing the server time when this object was created.",
);
const CONTAINERS: Column = Column::new(
    "Containers",
    "string",
    1,
    "Names of each container in the template.",
);
const IMAGES: Column = Column::new(
    "Images",
    "string",
    1,
    "Images referenced by each container in the template.",
);
const SELECTOR: Column = Column::new("Selector", "string", 1, "Label selector for pods.");

/// The printer of one or more kinds of an API group: its columns, declared once, and its row
/// function. Each lives in its own file, `table/<kind>.rs`.
pub(crate) struct Printer {
    group: &'static str,
    kinds: &'static [&'static str],
    columns: &'static [Column],
    row: RowFn,
}

/// Every printed kind. Adding one: its file under `table/` and one line here (and
/// `UPDATE_DOCS=1 cargo test -p kbundle-server --lib` for docs/serve.md).
const PRINTERS: &[Printer] = &[
    pod::PRINTER,
    node::PRINTER,
    namespace::PRINTER,
    configmap::PRINTER,
    secret::PRINTER,
    serviceaccount::PRINTER,
    service::PRINTER,
    event::PRINTER,
    deployment::PRINTER,
    replicaset::PRINTER,
    daemonset::PRINTER,
    statefulset::PRINTER,
    webhookconfiguration::PRINTER,
    lease::PRINTER,
    job::PRINTER,
    cronjob::PRINTER,
    rolebinding::PRINTER,
    endpoints::PRINTER,
    networkpolicy::PRINTER,
    ingress::PRINTER,
    persistentvolume::PRINTER,
    persistentvolumeclaim::PRINTER,
    storageclass::PRINTER,
    poddisruptionbudget::PRINTER,
];

/// The list of printed kinds in docs/serve.md: each kind with its columns as kubectl shows
/// them, the `-o wide` ones apart.
#[cfg(test)]
fn printers_markdown() -> String {
    let upper = |cols: &mut dyn Iterator<Item = &Column>| {
        cols.map(|c| c.name.to_uppercase())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::new();
    for p in PRINTERS {
        let kinds = p
            .kinds
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let group = if p.group.is_empty() { "core" } else { p.group };
        out.push_str(&format!(
            "  - {kinds} ({group}): {}",
            upper(&mut p.columns.iter().filter(|c| c.priority == 0))
        ));
        let wide = upper(&mut p.columns.iter().filter(|c| c.priority != 0));
        if !wide.is_empty() {
            out.push_str(&format!("; wide: {wide}"));
        }
        out.push_str(";\n");
    }
    out
}

/// The printer of a resource type, if it has one.
fn printer(t: &ResourceType) -> Option<&'static Printer> {
    PRINTERS
        .iter()
        .find(|p| p.group == t.group && p.kinds.contains(&t.kind.as_str()))
}

/// `GetAccessModesAsString`: `RWO,ROX,RWX,RWOP`, in that order, once each.
fn access_modes(modes: &[Value]) -> String {
    let has = |m: &str| modes.iter().any(|x| x.as_str() == Some(m));
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(m, _)| has(m))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

/// The storage class of a PV or PVC: the beta annotation first, then `spec.storageClassName`.
fn storage_class(v: &Value) -> &str {
    v.pointer("/metadata/annotations")
        .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| str_at(v, "/spec/storageClassName"))
}

fn replicas(v: &Value) -> i64 {
    i64_at(v, "/spec/replicas").unwrap_or(1)
}

fn template_cells(v: &Value) -> Vec<Value> {
    let cs = array_at(v, "/spec/template/spec/containers");
    let names: Vec<&str> = cs.iter().map(|c| str_at(c, "/name")).collect();
    let images: Vec<&str> = cs.iter().map(|c| str_at(c, "/image")).collect();
    vec![json!(names.join(",")), json!(images.join(","))]
}

/// `metav1.FormatLabelSelector`.
fn format_label_selector(sel: Option<&Value>) -> String {
    let Some(sel) = sel.filter(|s| !s.is_null()) else {
        return "<none>".into();
    };
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(m) = object_at(sel, "/matchLabels") {
        for (k, v) in m {
            reqs.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or_default())));
        }
    }
    for e in array_at(sel, "/matchExpressions") {
        let key = str_at(e, "/key");
        let mut values: Vec<&str> = array_at(e, "/values")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        values.sort_unstable();
        let text = match str_at(e, "/operator") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            _ => return "<error>".into(),
        };
        reqs.push((key.to_string(), text));
    }
    reqs.sort();
    none_if_empty(
        reqs.into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// Evaluates the simple JSONPath of a CRD printer column (`.a.b`, `.a[0].b`, `.a[*].b`,
/// `.a[?(@.k=="v")].b`), first result only.
fn json_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim();
    let path = path.strip_prefix('$').unwrap_or(path);
    let mut cur = vec![v];
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let (field, r2) = r.split_at(end);
            if !field.is_empty() {
                cur = cur.into_iter().filter_map(|c| c.get(field)).collect();
            }
            rest = r2;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            // a filter may contain ']' only inside quotes; keep it simple
            let (inside, r2) = r.split_at(end);
            let r2 = &r2[1..];
            let items = cur
                .iter()
                .flat_map(|c| c.as_array().map(|a| a.iter()).into_iter().flatten());
            cur = if inside == "*" {
                items.collect()
            } else if let Ok(i) = inside.parse::<usize>() {
                cur.iter().filter_map(|c| c.get(i)).collect()
            } else if let Some(filter) = inside
                .strip_prefix("?(@.")
                .and_then(|f| f.strip_suffix(')'))
            {
                let (key, want) = filter.split_once("==")?;
                let want = want.trim().trim_matches(['"', '\'']);
                let key = key.trim();
                items
                    .filter(|item| crate::select::field_value(item, key) == want)
                    .collect()
            } else {
                return None;
            };
            rest = r2;
        } else {
            return None;
        }
        if cur.is_empty() {
            return None;
        }
    }
    cur.first().copied()
}

fn crd_cell(c: &Ctx, column: &Value, object: &Value) -> Value {
    let Some(value) = json_path(object, str_at(column, "/jsonPath")) else {
        return Value::Null;
    };
    match (str_at(column, "/type"), value) {
        (_, Value::Null) => Value::Null,
        ("integer", Value::Number(n)) => n
            .as_i64()
            .map(Value::from)
            .unwrap_or_else(|| json!(n.as_f64().map_or(0, |f| f as i64))),
        ("number", Value::Number(n)) => json!(n.as_f64()),
        ("boolean", Value::Bool(b)) => json!(b),
        ("date", Value::String(t)) => json!(c.since(Some(t))),
        ("date", _) => json!("<invalid>"),
        ("string", Value::String(x)) => json!(x),
        ("string", other) => json!(other.to_string()),
        _ => Value::Null,
    }
}

/// A Table of objects of one type. `meta` is the list metadata (lists), else the object's
/// resourceVersion is used.
pub(crate) fn table<'a>(
    index: &Index,
    t: &ResourceType,
    objects: &[&'a Value],
    include: Include,
    version: &str,
    meta: Option<Value>,
) -> Table<'a> {
    let ctx = Ctx {
        now: index.now.unwrap_or_else(jiff::Timestamp::now),
    };
    let crd = index
        .crd_columns
        .get(&(t.group.clone(), t.version.clone(), t.plural.clone()));
    let mut columns: Vec<Value>;
    let mut rows = Vec::with_capacity(objects.len());
    let object_of = |o: &'a Value| match include {
        Include::None => None,
        Include::Metadata => Some(RowObject::Partial(partial_metadata(o, version))),
        Include::Object => Some(RowObject::Full(o)),
    };
    let mut push = |cells: Vec<Value>, conditions: Option<Value>, o: &'a Value| {
        rows.push(Row {
            cells,
            conditions,
            object: object_of(o),
        });
    };
    if let Some(crd_columns) = crd {
        let mut defs: Vec<Value> = crd_columns.clone();
        if defs.is_empty() {
            defs.push(json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
                "description": "CreationTimestamp is a timestamp representing the server time when this object was created."}));
        }
        columns = vec![col(
            "Name",
            "string",
            0,
            "Name must be unique within a namespace.",
        )];
        columns.extend(defs.iter().map(|d| {
            json!({"name": str_at(d, "/name"), "type": str_at(d, "/type"), "format": str_at(d, "/format"),
                   "description": str_at(d, "/description"), "priority": i64_at(d, "/priority").unwrap_or(0)})
        }));
        for &o in objects {
            let mut cells = vec![json!(str_at(o, "/metadata/name"))];
            cells.extend(defs.iter().map(|d| crd_cell(&ctx, d, o)));
            push(cells, None, o);
        }
    } else if let Some(p) = printer(t) {
        columns = p.columns.iter().map(Column::to_json).collect();
        for &o in objects {
            let (cells, conditions) = (p.row)(&ctx, o);
            push(cells, conditions, o);
        }
    } else {
        columns = vec![
            col(
                "Name",
                "string",
                0,
                "Name must be unique within a namespace.",
            ),
            json!({"name": "Created At", "type": "date", "format": "",
                   "description": "CreationTimestamp is a timestamp representing the server time when this object was created.", "priority": 0}),
        ];
        for &o in objects {
            let created = nonempty_str_at(o, "/metadata/creationTimestamp")
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            push(
                vec![json!(str_at(o, "/metadata/name")), json!(created)],
                None,
                o,
            );
        }
    }
    let meta = meta.unwrap_or_else(|| {
        let rv = objects
            .first()
            .map(|o| str_at(o, "/metadata/resourceVersion"))
            .unwrap_or_default();
        json!({"resourceVersion": rv})
    });
    Table {
        kind: "Table",
        api_version: format!("meta.k8s.io/{version}"),
        metadata: meta,
        column_definitions: columns,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::endpoints::format_endpoints;
    use super::job::job_row;
    use super::*;

    fn ctx_at(now: &str) -> Ctx {
        Ctx {
            now: now.parse().unwrap(),
        }
    }

    #[test]
    fn jobs_and_endpoints() {
        let c = ctx_at("2025-03-14T10:00:00Z");
        let job = json!({"metadata": {"name": "j", "creationTimestamp": "2025-03-14T09:00:00Z"},
            "spec": {"completions": 3, "template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}},
            "status": {"succeeded": 2, "startTime": "2025-03-14T09:00:00Z",
                       "conditions": [{"type": "Failed", "status": "True"}]}});
        let (cells, _) = job_row(&c, &job);
        assert_eq!(
            cells,
            vec![
                json!("j"),
                json!("Failed"),
                json!("2/3"),
                json!("60m"),
                json!("60m"),
                json!("a"),
                json!("x"),
                json!("<none>")
            ]
        );
        let running = json!({"metadata": {"name": "r"}, "spec": {"parallelism": 2}, "status": {}});
        let (cells, _) = job_row(&c, &running);
        assert_eq!(
            cells[1..4],
            [json!("Running"), json!("0/1 of 2"), json!("")]
        );
        let ep = json!({"subsets": [{"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 53}, {"port": 9153}]}]});
        assert_eq!(
            format_endpoints(&ep),
            "10.0.0.1:53,10.0.0.2:53,10.0.0.1:9153 + 1 more..."
        );
        assert_eq!(format_endpoints(&json!({})), "<none>");
        assert_eq!(
            format_endpoints(
                &json!({"subsets": [{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}]})
            ),
            "[fd00::1]:80"
        );
    }

    #[test]
    fn ingresses_and_network_policies() {
        let c = ctx_at("2025-03-14T10:00:00Z");
        let t = kbundle_format::resources::by_kind("networking.k8s.io", "Ingress").unwrap();
        let row = printer(&t).unwrap().row;
        let ing = json!({"metadata": {"name": "i", "creationTimestamp": "2025-03-14T09:59:00Z"},
            "spec": {"ingressClassName": "public-iks-k8s-nginx", "tls": [{}],
                     "rules": [{"host": "a"}, {"host": "b"}, {}, {"host": "c"}, {"host": "d"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}, {"hostname": "lb.example"}]}}});
        let (cells, _) = row(&c, &ing);
        assert_eq!(
            cells,
            vec![
                json!("i"),
                json!("public-iks-k8s-nginx"),
                json!("a,b,c + 2 more..."),
                json!("1.2.3.4,lb.example"),
                json!("80, 443"),
                json!("60s")
            ]
        );
        let (cells, _) = row(&c, &json!({"metadata": {"name": "j"}}));
        assert_eq!(
            cells[1..5],
            [json!("<none>"), json!("*"), json!(""), json!("80")]
        );
        let t = kbundle_format::resources::by_kind("networking.k8s.io", "NetworkPolicy").unwrap();
        let row = printer(&t).unwrap().row;
        let (cells, _) = row(
            &c,
            &json!({"metadata": {"name": "n"}, "spec": {"podSelector": {}}}),
        );
        assert_eq!(cells[1], "<none>");
    }

    #[test]
    fn volumes() {
        let c = ctx_at("2025-03-14T10:00:00Z");
        let t = kbundle_format::resources::by_kind("", "PersistentVolumeClaim").unwrap();
        let row = printer(&t).unwrap().row;
        let pvc = json!({"metadata": {"name": "data", "creationTimestamp": "2025-03-14T09:00:00Z"},
            "spec": {"volumeName": "pv-1", "storageClassName": "ibmc-vpc-block-10iops-tier"},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"]}});
        let (cells, _) = row(&c, &pvc);
        assert_eq!(
            cells,
            vec![
                json!("data"),
                json!("Bound"),
                json!("pv-1"),
                json!("10Gi"),
                json!("RWO,RWX"),
                json!("ibmc-vpc-block-10iops-tier"),
                json!("<unset>"),
                json!("60m"),
                json!("<unset>")
            ]
        );
        let t = kbundle_format::resources::by_kind("", "PersistentVolume").unwrap();
        let row = printer(&t).unwrap().row;
        let pv = json!({"metadata": {"name": "pv-1"}, "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Delete", "claimRef": {"namespace": "app", "name": "data"}}, "status": {"phase": "Bound"}});
        let (cells, _) = row(&c, &pv);
        assert_eq!(
            cells[1..7],
            [
                json!("10Gi"),
                json!("RWO"),
                json!("Delete"),
                json!("Bound"),
                json!("app/data"),
                json!("")
            ]
        );
    }

    /// docs/serve.md's list of printed kinds is the registry's, between two markers.
    #[test]
    fn docs_serve_md_lists_every_printer() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/serve.md");
        let (start, end) = ("  <!-- printers: begin -->\n", "<!-- printers: end -->");
        let have = std::fs::read_to_string(path).unwrap();
        let a = have.find(start).expect("begin marker") + start.len();
        let b = have.find(end).expect("end marker");
        let want = printers_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let new = format!("{}{want}  {}", &have[..a], &have[b..]);
            std::fs::write(path, new).unwrap();
            return;
        }
        assert!(
            have[a..b].trim_end() == want.trim_end(),
            "docs/serve.md is out of date: run `UPDATE_DOCS=1 cargo test -p kbundle-server --lib`"
        );
    }

    /// Every printer, as a snapshot: its columns, then its rows for an object with only a name
    /// and a creation time, and for the objects of its kinds in the fixture clusters and the
    /// troubleshoot.sh bundles (at most ten of each input).
    #[test]
    fn printer_snapshots() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let inputs: Vec<std::path::PathBuf> = ["healthy", "crashloop-oom", "webhook-denied"]
            .iter()
            .map(|n| format!("{root}/fixtures/clusters/{n}").into())
            .chain(
                ["baseline.tar.gz", "support-bundle.tar.gz"]
                    .iter()
                    .map(|n| format!("{root}/../shared/data/troubleshoot/{n}").into()),
            )
            .collect();
        let snapshots: Vec<(String, kbundle_format::Snapshot)> = inputs
            .iter()
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                let s = kbundle_format::Snapshot::open(p, &Default::default()).unwrap();
                (name, s)
            })
            .collect();
        let c = ctx_at("2026-01-01T00:00:00Z");
        let bare =
            json!({"metadata": {"name": "bare", "creationTimestamp": "2025-12-31T23:00:00Z"}});
        for p in PRINTERS {
            let mut text = String::new();
            let header: Vec<String> = p
                .columns
                .iter()
                .map(|c| format!("{}{}", c.name, if c.priority == 0 { "" } else { "*" }))
                .collect();
            text.push_str(&format!("{}\n", header.join(" | ")));
            let mut row = |source: &str, o: &Value| {
                let (cells, conditions) = (p.row)(&c, o);
                assert_eq!(cells.len(), p.columns.len(), "{source}: {o}");
                let cells: Vec<String> = cells.iter().map(Value::to_string).collect();
                text.push_str(&format!("{source}: {}", cells.join(" | ")));
                if let Some(conditions) = conditions {
                    text.push_str(&format!(" (conditions {conditions})"));
                }
                text.push('\n');
            };
            row("bare", &bare);
            for (name, s) in &snapshots {
                for kind in p.kinds {
                    for o in s.of_kind(p.group, kind).take(10) {
                        row(name, &o.value);
                    }
                }
            }
            insta::assert_snapshot!(format!("printer_{}", p.kinds[0].to_lowercase()), text);
        }
    }

    #[test]
    fn selectors() {
        let sel = json!({"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]}]});
        assert_eq!(format_label_selector(Some(&sel)), "a=1,b=2,c in (x,y)");
        assert_eq!(format_label_selector(None), "<none>");
        assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
        let sel = json!({"matchExpressions": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "DoesNotExist"}]});
        assert_eq!(format_label_selector(Some(&sel)), "a,!b");
    }

    #[test]
    fn json_paths() {
        let v = json!({"status": {"conditions": [{"type": "A", "status": "False"}, {"type": "Ready", "status": "True"}], "n": 3}});
        assert_eq!(json_path(&v, ".status.n"), Some(&json!(3)));
        assert_eq!(
            json_path(&v, ".status.conditions[1].type"),
            Some(&json!("Ready"))
        );
        assert_eq!(
            json_path(&v, ".status.conditions[?(@.type==\"Ready\")].status"),
            Some(&json!("True"))
        );
        assert_eq!(
            json_path(&v, ".status.conditions[*].type"),
            Some(&json!("A"))
        );
        assert_eq!(json_path(&v, ".status.missing"), None);
        assert_eq!(json_path(&v, ".status.conditions[9]"), None);
        assert_eq!(json_path(&v, "garbage"), None);
        assert_eq!(json_path(&v, ".status.conditions[?(@.x)]"), None);
        assert!(json_path(&v, ".status[").is_none());
    }
}
